"""Jinja set-up: our templates over GOV.UK Frontend's, and the filters pages share."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request, url_for
from govuk_frontend_wtf.main import WTFormsHelpers, wtforms_errors
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from planner.domain.needs import need_name
from planner.domain.vocabulary import Rosh, label
from planner.domain.weeks import IsoWeek
from planner.web.forms import GovDateField

LONDON = ZoneInfo("Europe/London")

ROSH_COLOURS = {
    "very_high": "govuk-tag--red",
    "high": "govuk-tag--orange",
    "medium": "govuk-tag--yellow",
    "low": "govuk-tag--green",
}


def init_app(app: Flask, templates: Path) -> None:
    """Load our templates first, GOV.UK Frontend's under their prefixes, and add helpers."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(templates)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.add_template_filter(govuk_date)
    app.add_template_filter(govuk_datetime)
    app.add_template_filter(time_on_date)
    app.add_template_filter(hours)
    app.add_template_filter(number)
    app.add_template_filter(week_monday)
    app.add_template_filter(sentence)
    app.add_template_filter(iso_date)
    app.add_template_global(rosh_tag)
    app.add_template_global(navigation_items)
    app.add_template_global(label)
    app.add_template_global(url_with)
    app.add_template_global(need_name)
    app.add_template_global(error_summary)

    @app.context_processor
    def page_globals() -> dict[str, object]:
        """What every page needs: the service name and the script nonce."""
        return {
            "serviceName": app.config["SERVICE_NAME"],
            "cspNonce": g.get("csp_nonce"),
        }


# The primary navigation: (text, endpoint, blueprint). An area appears once its blueprint exists.
NAVIGATION = (
    ("Dashboard", "dashboard.index", "dashboard"),
    ("Cases", "cases.index", "cases"),
    ("Staff", "staff.index", "staff"),
    ("Handovers", "handovers.index", "handovers"),
    ("Plans", "plans.index", "plans"),
    ("Alerts", "alerts.index", "alerts"),
    ("Settings", "admin.index", "admin"),
)


def compile_templates(app: Flask) -> int:
    """Compile every template now, so that a new process's first pages are as quick as the rest."""
    names = app.jinja_env.list_templates(extensions=["html"])
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def navigation_items() -> list[dict[str, object]]:
    """The primary navigation, marking the area of the current page."""
    return [
        {"text": text, "href": url_for(endpoint), "active": request.blueprint == blueprint}
        for text, endpoint, blueprint in NAVIGATION
        if endpoint in current_app.view_functions
    ]


def error_summary(form: Any) -> dict[str, Any]:
    """GOV.UK's error summary for a form, each date linked to its first box (the day)."""
    dates = {f"#{field.id}" for field in form if isinstance(field, GovDateField)}
    summary = wtforms_errors(form)
    for error in summary["errorList"]:
        if error["href"] in dates:
            error["href"] += "-day"
    return summary


def url_with(**changes: object) -> str:
    """This page's address with some query parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [str(value)]
    query = urlencode(args, doseq=True)
    return f"{request.path}?{query}" if query else request.path


def govuk_date(day: date | None) -> str:
    """A date as GOV.UK writes it: 1 December 2026."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


def govuk_datetime(moment: datetime | None) -> str:
    """A time as GOV.UK writes it, in UK time: 1 December 2026 at 2:05pm."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    return f"{govuk_date(local.date())} at {_clock(local)}"


def time_on_date(moment: datetime) -> str:
    """A moment as a sentence says it, in UK time: 3:42pm on 4 December 2026."""
    local = moment.astimezone(LONDON)
    return f"{_clock(local)} on {govuk_date(local.date())}"


def _clock(local: datetime) -> str:
    """The time of day as GOV.UK writes it: 2:05pm, 12:30am."""
    return f"{local:%I}".lstrip("0") + f":{local:%M}{local:%p}".lower()


def sentence(text: str) -> str:
    """Text as a sentence: its first letter upper case, the rest as it was (names keep theirs)."""
    return text[:1].upper() + text[1:]


def week_monday(week: str) -> date:
    """The Monday of an ISO week like 2026-W49."""
    return IsoWeek.parse(week).monday


def iso_date(text: str) -> date:
    """A date written as 2026-12-07."""
    return date.fromisoformat(text)


def hours(value: float | None) -> str:
    """Hours as people write them: 37, 22.5, 1.25."""
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def number(value: float | None) -> str:
    """A count as people write it, with thousands separated: 1,723,690."""
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else f"{round(value):,}"


def rosh_tag(rosh: str) -> dict[str, str]:
    """The GOV.UK tag for a RoSH level: colour and words, so colour is never the only signal."""
    return {"text": label(Rosh(rosh)), "classes": ROSH_COLOURS[str(rosh)]}
