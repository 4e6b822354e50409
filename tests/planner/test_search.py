"""The search: matching, ranking, need-to-know and restricted cases, paging, and hostile queries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner.domain.vocabulary import Role, Rosh, Setting, UserRole
from planner.extensions import db
from planner.models import AuditEvent, Case, CaseAccess, User
from planner.search.queries import MOST_WORDS, Terms
from tests.conftest import AppFactory, add_user, sign_in
from tests.planner.world import World

MANY = 45


@dataclass(frozen=True)
class Places:
    """The ids the tests open."""

    values: dict[str, int]


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """London and Wales, each with cases and people whose names test the matching."""
    app = app_factory("search", TODAY="2026-11-30")
    with app.app_context():
        world = World(db.session)
        wales, _, wales_office = world.elsewhere("Wales")
        world.case(reference="CT-LDN-0042", name="Kestrel Mockridge", rosh=Rosh.VERY_HIGH)
        world.case(reference="CT-LDN-00421", name="Alder Mock-Wright")
        world.case(
            reference="CT-LDN-0100", name="Fern O'Testwood", setting=Setting.CUSTODY, rosh=Rosh.LOW
        )
        world.case(reference="CT-LDN-0200", name="Mock Sampleton")
        world.case(reference="CT-LDN-0300", name="Clover Per%cent")
        world.case(reference="CT-LDN-0400", name="Sorrel Perry")
        world.case(reference="CT-LDN-0500", name="Linden Hidden", restricted=True)
        world.case(reference="CT-WAL-0001", name="Wyn Mockford", site=wales_office)
        for number in range(1, MANY + 1):
            world.case(reference=f"CT-PEB-{number:04d}", name=f"Pebble Sampleton {number:02d}")
        world.person(staff_ref="S-LDN-001", name="Iris Mockett", role=Role.PRISON)
        world.person(staff_ref="S-LDN-002", name="Pebble Demoford")
        world.person(staff_ref="S-LDN-003", name="Gone Mockley", active=False)
        world.person(staff_ref="S-WAL-001", name="Wren Mockwell", site=wales_office)
        db.session.commit()
        london, wales_id = world.region.id, wales.id
    add_user(app, "viewer.london", UserRole.VIEWER, regions=[london])
    add_user(app, "viewer.wales", UserRole.VIEWER, regions=[wales_id])
    add_user(app, "manager.national", UserRole.MANAGER)
    add_user(app, "admin.national", UserRole.ADMIN)
    add_user(app, "named.london", UserRole.VIEWER, regions=[london])
    with app.app_context():
        named = db.session.scalar(select(User.id).where(User.username == "named.london"))
        case_id = db.session.scalar(select(Case.id).where(Case.reference == "CT-LDN-0500"))
        db.session.add(CaseAccess(case_id=case_id, user_id=named))
        db.session.commit()
    return app


def signed_in(app: Flask, username: str) -> Iterator[FlaskClient]:
    """A browser signed in as the user."""
    with app.test_client() as client:
        assert sign_in(client, username).status_code == 302
        yield client


@pytest.fixture
def london(app: Flask) -> Iterator[FlaskClient]:
    """A viewer who sees London only."""
    yield from signed_in(app, "viewer.london")


def box(client: FlaskClient, typed: str) -> dict[str, Any]:
    """What the header box offers for a search."""
    response = client.get("/search/suggestions", query_string={"q": typed})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    answer: dict[str, Any] = response.get_json()
    return answer


def names(client: FlaskClient, typed: str) -> list[str]:
    """The names the box offers, best first."""
    return [option["text"] for option in box(client, typed)["options"]]


def page(client: FlaskClient, query: dict[str, str], status: int = 200) -> str:
    """The results page's text, which must answer with the status given."""
    response = client.get("/search", query_string=query)
    assert response.status_code == status, (query, response.status_code)
    return response.get_data(as_text=True)


def test_terms_are_lower_case_words_and_only_so_many() -> None:
    assert Terms.of("Kestrel  MOCK") == Terms(whole="kestrel mock", words=("kestrel", "mock"))
    assert len(Terms.of(" ".join(["a"] * 50)).words) == MOST_WORDS


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("mockr", ["Kestrel Mockridge"]),  # the start of a surname
        ("KESTREL", ["Kestrel Mockridge"]),  # whatever the case typed
        ("kes moc", ["Kestrel Mockridge"]),  # each word the start of a part
        ("wright", ["Alder Mock-Wright"]),  # after a hyphen
        ("testw", ["Fern O'Testwood"]),  # after an apostrophe
        ("o'test", ["Fern O'Testwood"]),  # with one
        ("ridge", []),  # not the start of any part
        ("ct-ldn-01", ["Fern O'Testwood"]),  # the start of a reference
        ("s-ldn-001", ["Iris Mockett"]),  # a staff ID
    ],
)
def test_names_match_by_the_start_of_a_part_and_references_by_their_start(
    london: FlaskClient, typed: str, found: list[str]
) -> None:
    assert names(london, typed) == found


def test_the_exact_reference_comes_first_then_references_it_starts(london: FlaskClient) -> None:
    assert names(london, "ct-ldn-0042")[:2] == ["Kestrel Mockridge", "Alder Mock-Wright"]
    assert names(london, "CT-LDN-00421") == ["Alder Mock-Wright"]


def test_a_name_it_starts_comes_before_one_with_a_later_part_and_people_after_cases(
    london: FlaskClient,
) -> None:
    assert names(london, "mock") == [
        "Mock Sampleton",  # the name starts so
        "Alder Mock-Wright",  # a later part, by name
        "Kestrel Mockridge",
        "Iris Mockett",  # then people: those who are active first
        "Gone Mockley",
    ]


def test_percent_underscore_and_quotes_are_letters_never_wildcards(london: FlaskClient) -> None:
    assert names(london, "per%") == ["Clover Per%cent"]
    assert names(london, "per") == ["Clover Per%cent", "Sorrel Perry"]
    for typed in ("%", "_", "%%", "m_ck", "moc%", "per_", "'", '"', "\\", "/", "a' OR '1'='1"):
        assert names(london, typed) == [], typed
        assert "No cases or people match" in page(london, {"q": typed}), typed


def test_another_regions_cases_and_people_are_not_found(app: Flask) -> None:
    for client in signed_in(app, "viewer.london"):
        assert names(client, "wyn") == []
        assert "Wren Mockwell" not in page(client, {"q": "mock"})
        assert box(client, "CT-WAL-0001")["said"] == "No cases or people match"
    for client in signed_in(app, "viewer.wales"):
        assert names(client, "mock") == ["Wyn Mockford", "Wren Mockwell"]


@pytest.mark.parametrize(
    ("username", "finds"),
    [
        ("viewer.london", False),  # in its region, but not named on it
        ("manager.national", False),  # national, but not named
        ("named.london", True),
        ("admin.national", True),  # a national admin opens every restricted case
    ],
)
def test_a_restricted_case_is_found_only_by_those_who_may_open_it(
    app: Flask, username: str, finds: bool
) -> None:
    for client in signed_in(app, username):
        answer = box(client, "linden")
        assert (answer["total"] == 1) is finds
        results = page(client, {"q": "CT-LDN-0500"})
        assert ("Linden Hidden" in results) is finds
        assert ("No cases or people match" in results) is not finds
        if finds:
            assert "Limited access" in results
            assert answer["options"][0]["detail"].endswith("limited access")


def test_the_box_offers_ten_at_most_and_says_how_many_there_are(london: FlaskClient) -> None:
    answer = box(london, "pebble")
    assert answer["total"] == MANY + 1
    assert answer["count"] == len(answer["options"]) == 10
    kinds = [option["kind"] for option in answer["options"]]
    assert kinds == ["case"] * 9 + ["person"]
    assert answer["said"] == (
        f"{MANY} cases and 1 person found, the best 10 shown. "
        "Use the up and down arrow keys to choose one"
    )
    case = answer["options"][0]
    assert case["text"] == "Pebble Sampleton 01"
    assert case["detail"] == "Case CT-PEB-0001, High RoSH, in the community, NSD Test"
    assert case["href"].startswith("/cases/")
    person = answer["options"][-1]
    assert person == {
        "kind": "person",
        "text": "Pebble Demoford",
        "detail": "Staff ID S-LDN-002, COM, PO, NSD Test",
        "href": person["href"],
    }
    assert person["href"].startswith("/staff/")
    assert box(london, "fern")["options"][0]["detail"] == (
        "Case CT-LDN-0100, Low RoSH, in custody at HMP Test"
    )
    assert box(london, "iris")["said"] == (
        "1 person found. Use the up and down arrow keys to choose one"
    )


def test_the_results_page_lists_both_groups_in_words_and_pages_each(london: FlaskClient) -> None:
    both = page(london, {"q": "pebble"})
    assert "Search results for ‘pebble’" in both
    assert both.count("Pebble Sampleton") == 20
    assert f"See all {MANY} cases" in both
    assert "Pebble Demoford" in both and "COM" in both
    assert "All (46)" in both and f"Cases ({MANY})" in both and "People (1)" in both
    third = page(london, {"q": "pebble", "kind": "cases", "page": "3"})
    assert third.count("Pebble Sampleton") == 5
    assert "Pebble Sampleton 41" in third and "Pebble Demoford" not in third
    assert f"Showing <b>41</b> to <b>{MANY}</b> of <b>{MANY}</b> cases" in third
    people = page(london, {"q": "pebble", "kind": "people"})
    assert "Pebble Demoford" in people and "Pebble Sampleton" not in people
    page(london, {"q": "pebble", "kind": "cases", "page": "4"}, status=404)
    page(london, {"q": "pebble", "page": "2"}, status=404)
    page(london, {"q": "pebble", "kind": "everything"}, status=404)


def test_the_results_page_says_where_a_case_is_and_a_persons_role_in_words(
    london: FlaskClient,
) -> None:
    text = page(london, {"q": "fern"})
    assert "In custody at HMP Test" in text and ">Low</strong>" in text
    text = page(london, {"q": "iris"})
    assert '<td class="govuk-table__cell">POM</td>' in text
    assert "No cases match." in text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a name, a case reference or a staff ID"),
        ("   ", "Enter a name, a case reference or a staff ID"),
        ("x" * 10_000, "Search for 100 characters or fewer"),
        ("mock\x00", "Search must not include hidden characters"),
        ("\u202emock", "Search must not include hidden characters"),
    ],
)
def test_a_search_that_cannot_be_made_says_why_and_keeps_what_was_typed(
    london: FlaskClient, typed: str, message: str
) -> None:
    text = page(london, {"q": typed})
    assert "Error: Search" in text
    assert "There is a problem" in text and message in text
    assert "Kestrel" not in text
    answer = box(london, typed)
    assert answer["options"] == [] and answer["said"].startswith(message)


def test_without_a_search_the_page_offers_the_box(london: FlaskClient) -> None:
    text = page(london, {})
    assert 'name="q"' in text and "There is a problem" not in text
    assert box(london, "")["options"] == []


def test_every_other_page_has_the_box_in_its_header(london: FlaskClient) -> None:
    for address in ("/", "/cases/", "/staff/"):
        text = london.get(address).get_data(as_text=True)
        assert 'id="planner-search"' in text, address
        assert 'data-search-suggestions="/search/suggestions"' in text
    # The search page has its own box, not a second one in the header.
    assert 'id="planner-search"' not in page(london, {"q": "mock"})


def test_a_search_is_neither_logged_nor_audited(
    app: Flask, london: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with caplog.at_level(logging.DEBUG, logger="planner"):
        page(london, {"q": "Kestrel Mockridge"})
        box(london, "Kestrel Mockridge")
    assert "Kestrel" not in caplog.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_signing_in_is_needed(app: Flask) -> None:
    with app.test_client() as client:
        for address in ("/search?q=mock", "/search/suggestions?q=mock"):
            response = client.get(address)
            assert response.status_code == 302
            assert "/sign-in" in response.headers["Location"]
