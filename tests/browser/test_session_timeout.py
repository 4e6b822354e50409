"""An idle manager is warned before the time-out, can stay signed in, and is then signed out."""

from __future__ import annotations

import dataclasses

from flask import Flask
from playwright.sync_api import Page, expect

from planner.extensions import db
from planner.models.policy import load_policy, save_policy
from tests.browser.journeys import serious_accessibility_violations, sign_in
from tests.conftest import PASSWORD

# A time-out of 15 seconds, so that the journey waits seconds, not minutes: the warning comes
# halfway, 7.5 seconds before it.
IDLE_MINUTES = 0.25


def test_an_idle_session_is_warned_then_signed_out(page: Page, app: Flask, site: str) -> None:
    with app.app_context():
        policy = dataclasses.replace(load_policy(db.session), idle_minutes=IDLE_MINUTES)
        save_policy(db.session, policy, "test")
        db.session.commit()
        db.engine.dispose()
    sign_in(page, site)
    page.get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    cases = page.url

    warning = page.get_by_role("dialog", name="You'll be signed out in")
    expect(warning).to_be_visible(timeout=12_000)
    expect(warning).to_contain_text(
        "we sign you out when you have not used the planner for 15 seconds"
    )
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    # Staying signed in started the clock again: the warning comes back, then the time-out.
    expect(warning).to_be_visible(timeout=12_000)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("For your security, we signed you out because you had not used the "
                            "planner for 15 seconds.")).to_be_visible()  # fmt: skip
    assert serious_accessibility_violations(page) == []

    # The server refused the session, not just the page: signing in again leads back.
    sign_in_again = page.url
    assert sign_in_again.startswith(f"{site}/sign-in?next=")
    page.get_by_label("Username").fill("manager.user")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(cases)


def test_the_server_signs_an_idle_session_out_without_the_script(
    page: Page, app: Flask, site: str
) -> None:
    with app.app_context():
        policy = dataclasses.replace(load_policy(db.session), idle_minutes=2 / 60)
        save_policy(db.session, policy, "test")
        db.session.commit()
        db.engine.dispose()
    page.context.route("**/planner.js", lambda route: route.abort())
    sign_in(page, site)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.wait_for_timeout(2500)
    page.get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("because you had not used the planner for 2 seconds")).to_be_visible()
