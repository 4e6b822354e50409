"""Hostile input at every boundary: every form and every list's query string, driven by
Hypothesis. Nothing answers 500, and a refused form writes nothing to the database.

Every route that takes a POST has an entry in FORMS (its fields and what kind each is) or in
BUTTONS (a button alone, nothing typed): a new route without one fails the walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from planner.domain.vocabulary import UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import (
    Absence,
    Alert,
    Allocation,
    Case,
    Exclusion,
    Need,
    ProposedAssignment,
    Region,
    Site,
    User,
)
from planner.plans.batch import run_week
from tests.conftest import PASSWORD, add_user, load_demo, make_app, sign_in
from tests.databases import Databases
from tests.planner.imports import pending_for

TODAY = "2026-11-30"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
EXAMPLES = max(200, settings.default.max_examples)
NEW_PASSWORD = "plum tractor lantern orbit"

TEXT, LINES, HOURS, NUMBER, CHOICE, DATE, PASSWORD_BOX, FLAG = (
    "text", "lines", "hours", "number", "choice", "date", "password", "flag",
)  # fmt: skip

# The fields of every form, by route: what kind each is, and a value it would accept.
CASE_FIELDS = {
    "reference": (TEXT, "CT-NEW-0001"), "name": (TEXT, "Sam Example"),
    "cohort": (CHOICE, "TACT"), "rosh": (CHOICE, "high"), "tier": (CHOICE, "A3"),
    "mappa_category": (CHOICE, "4"), "mappa_level": (CHOICE, "2"),
    "setting": (CHOICE, "community"), "site": (CHOICE, "{pdu}"),
    "sentence_type": (CHOICE, "determinate"), "sentence_date": (DATE, ["1", "3", "2020"]),
    "release_date": (DATE, ["1", "3", "2025"]), "released_on": (DATE, ["1", "3", "2025"]),
    "parole_eligibility_date": (DATE, []), "tariff_expiry_date": (DATE, []),
    "parole_hearing_date": (DATE, []), "licence_end_date": (DATE, ["1", "3", "2030"]),
    "next_mappa_review": (DATE, ["1", "3", "2027"]), "next_erg_review": (DATE, ["1", "3", "2027"]),
}  # fmt: skip
NEED_FIELDS = {
    "role": (CHOICE, "probation"), "min_grade": (CHOICE, "PO"), "hours": (HOURS, "2.5"),
    "vetting": (CHOICE, "SC"), "skills": (CHOICE, "ct_trained"), "same_site": (CHOICE, "no"),
    "reason": (LINES, "Weekly contact after release"),
}  # fmt: skip
STAFF_FIELDS = {
    "staff_ref": (TEXT, "S-NEW-001"), "name": (TEXT, "Pat Example"), "role": (CHOICE, "probation"),
    "grade": (CHOICE, "PO"), "site_id": (CHOICE, "{pdu}"), "contracted_hours": (HOURS, "37"),
    "other_work_hours": (HOURS, "0"), "vetting": (CHOICE, "SC"),
    "vetting_expiry": (DATE, ["1", "1", "2030"]), "skills": (CHOICE, "ct_trained"),
    "languages": (TEXT, "Urdu"), "max_cases": (NUMBER, "12"), "training_start": (DATE, []),
    "active": (FLAG, "y"), "email": (TEXT, "pat.example@justice.gov.uk"), "not_emailed": (FLAG, "y"),
}  # fmt: skip
ABSENCE_FIELDS = {
    "kind": (CHOICE, "training"), "start_date": (DATE, ["7", "12", "2026"]),
    "end_date": (DATE, ["11", "12", "2026"]), "extent": (CHOICE, "part"),
    "hours_per_week": (HOURS, "7.4"), "note": (LINES, "A course"),
}  # fmt: skip
SITE_FIELDS = {
    "kind": (CHOICE, "prison"), "code": (TEXT, "HMP-EXAMPLE"), "name": (TEXT, "HMP Example"),
    "region": (CHOICE, "{region_id}"),
}  # fmt: skip
PASSWORDS = {
    "password": (PASSWORD_BOX, NEW_PASSWORD),
    "confirm_password": (PASSWORD_BOX, NEW_PASSWORD),
}
FORMS: dict[str, dict[str, tuple[str, Any]]] = {
    "admin.add_region": {"name": (TEXT, "North East")},
    "admin.edit_region": {"name": (TEXT, "North East")},
    "admin.add_site": SITE_FIELDS,
    "admin.edit_site": SITE_FIELDS,
    "admin.add_user": {
        "username": (TEXT, "new.user"),
        "role": (CHOICE, "viewer"),
        "regions": (CHOICE, "national"),
        **PASSWORDS,
    },
    "admin.change_regions": {"regions": (CHOICE, "national")},
    "admin.change_email": {"email": (TEXT, "jo.bloggs@justice.gov.uk")},
    "admin.change_role": {"role": (CHOICE, "viewer")},
    "admin.change_status": {"active": (CHOICE, "yes")},
    "admin.set_password": PASSWORDS,
    "admin.edit_settings": {
        "pom_hours__very_high": (HOURS, "3"),
        "pom_hours__high": (HOURS, "2"),
        "pom_hours__medium": (HOURS, "1.5"),
        "pom_hours__low": (HOURS, "0"),
        "ct_multiplier": (NUMBER, "1.5"),
        "post_release_uplift": (NUMBER, "1.5"),
        "post_release_weeks": (NUMBER, "12"),
        "coworker_share": (NUMBER, "50"),
    },
    "alerts.acknowledge": {"note": (LINES, "The SPO is covering it this week")},
    "auth.sign_in": {"username": (TEXT, "someone"), "password": (PASSWORD_BOX, "wrong")},
    "cases.create": CASE_FIELDS,
    "cases.edit": CASE_FIELDS,
    "cases.add_need": NEED_FIELDS,
    "cases.edit_need": NEED_FIELDS,
    "cases.add_exclusion": {
        "staff_member": (CHOICE, "{staff_id}"),
        "reason": (LINES, "A past relationship"),
    },
    "cases.pin": {"reason": (LINES, "Continuity through release")},
    "cases.access": {"restricted": (CHOICE, "no")},
    "plans.change": {
        "person": (CHOICE, "nobody"),
        "reasons": (CHOICE, "workload"),
        "detail": (LINES, "On leave"),
        "pin": (FLAG, "y"),
    },
    "plans.look_ahead": {"first": (CHOICE, "2026-W50"), "weeks": (NUMBER, "2")},
    "plans.run": {
        "week": (CHOICE, "2026-W50"),
        "solver": (CHOICE, "highs"),
        "time_limit": (NUMBER, "10"),
    },
    "plans.what_if": {
        "kind": (FLAG, "agency"),
        "agency-role": (CHOICE, "probation"),
        "agency-grade": (CHOICE, "PO"),
        "agency-site": (CHOICE, "{pdu_code}"),
        "agency-hours": (HOURS, "22.5"),
        "agency-vetting": (CHOICE, "SC"),
        "agency-ct_trained": (FLAG, "y"),
    },
    "staff.new": STAFF_FIELDS,
    "staff.edit": STAFF_FIELDS,
    "staff.new_absence": ABSENCE_FIELDS,
    "staff.edit_absence": ABSENCE_FIELDS,
    # The file itself is read as a spreadsheet (tests/planner/test_imports_files.py).
    "imports.upload": {"kind": (CHOICE, "staff")},
}
# Routes whose form is a button alone: nothing is typed, so nothing can be refused.
BUTTONS = {
    "alerts.check_dates_now", "auth.sign_out", "auth.stay_signed_in", "cases.remove_exclusion",
    "cases.restore_need", "plans.approve_run", "plans.cancel_job", "plans.staffing",
    "staff.delete_absence", "imports.confirm",
}  # fmt: skip
# The forms with a field that must refuse something (a password box may hold anything).
REFUSABLE_FORMS = sorted(
    endpoint for endpoint, fields in FORMS.items()
    if any(kind in ("text", "lines", "hours", "number", "choice", "date") for kind, _ in fields.values())
)  # fmt: skip
# Signed out: a signed-in person asking for the sign-in page is sent on.
SIGNED_OUT = {"auth.sign_in"}

HIDDEN_IN_LINE = (
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
)
HIDDEN_IN_LINES = [c for c in HIDDEN_IN_LINE if c not in "\t\n\r"]
BAD_HOURS = [
    "nan", "NaN", "inf", "-inf", "Infinity", "-0", "1e-320", "0.05", "0.0001", "1e400", "1e3",
    "99999999999999999999", "-1", "abc", "\u0663\u0667", "37.5.1", "0x10", "3,5", "61", "1_0",
]  # fmt: skip
BAD_NUMBERS = [
    "nan", "inf", "-1", "-0", "1e9", "1e-320", "99999999999999999999", "abc", "\u0663", "9" * 400,
]  # fmt: skip
BAD_CHOICES = ["not-a-choice", "\x00", "99999999999999999999", "-1", "\u202eTACT", "1e9"]
BAD_DATES = [
    ["31", "2", "2026"], ["x", "1", "2026"], ["1", "1", "99999999999999999999"],
    ["1", "13", "2026"], ["", "1", "2026"], ["1e3", "1", "2026"], ["-1", "1", "2026"],
]  # fmt: skip


def hidden_text(hidden: list[str]) -> st.SearchStrategy[str]:
    """Text with a hidden character between letters, where tidying cannot remove it."""
    return st.builds(
        lambda before, char, after: f"{before}a{char}b{after}",
        st.text(max_size=20),
        st.sampled_from(hidden),
        st.text(max_size=20),
    )


# A value each kind of field must refuse, whatever the others hold.
REFUSED: dict[str, st.SearchStrategy[Any]] = {
    TEXT: hidden_text(HIDDEN_IN_LINE),
    LINES: hidden_text(HIDDEN_IN_LINES),
    HOURS: st.sampled_from(BAD_HOURS),
    NUMBER: st.sampled_from(BAD_NUMBERS),
    CHOICE: st.sampled_from(BAD_CHOICES),
    DATE: st.sampled_from(BAD_DATES),
}
# Anything at all: what an attacker might send to any field.
FLOAT_TEXT = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True).map(repr)
HOSTILE = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.sampled_from(HIDDEN_IN_LINE + list("aZ9 -.")), max_size=30),
    st.text(min_size=300, max_size=3000),
    FLOAT_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.just(""),
    st.lists(st.text(max_size=10), max_size=4),
)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Flask]:
    """One app for the whole module (an app per example would be far too slow): the small demo
    data, a run of its week, and jobs queued but never run."""
    database = databases.create(tmp_path_factory.mktemp("hostile") / "planner.db")
    app = make_app(
        database,
        TODAY=TODAY,
        JOBS_IMMEDIATE=False,
        # Not RATELIMIT_ENABLED=False: Flask-Limiter keeps that on its one shared instance, for
        # every app made after this one.
        SIGN_IN_ADDRESS_LIMIT="1000000 per minute",
        SIGN_IN_LOCK_AFTER=10**6,
    )
    load_demo(app, seed=8, start=TODAY)
    add_user(app, "admin.user", UserRole.ADMIN)
    with app.app_context():
        run_week(db.session, IsoWeek.parse("2026-W49"), "highs", 10, None, "test")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()
    databases.drop(database)


@pytest.fixture(scope="module")
def admin_client(hostile_app: Flask) -> FlaskClient:
    """An admin, who may send every form."""
    client = hostile_app.test_client()
    assert sign_in(client, "admin.user").status_code == 302
    return client


@pytest.fixture(scope="module")
def places(hostile_app: Flask) -> dict[str, Any]:
    """A value for every part of every route's address, and for the forms' choices."""
    with hostile_app.app_context():
        case = db.session.scalars(
            select(Case).join(Exclusion).join(Need, Need.case_id == Case.id)
            .join(Allocation, Allocation.need_id == Need.id).order_by(Case.id)
        ).first()  # fmt: skip
        absence = db.session.scalars(select(Absence).order_by(Absence.id)).first()
        pdu = db.session.scalars(select(Site).where(Site.code.like("PDU-%"))).first()

        def first(model: Any) -> int:
            return db.session.scalars(select(model.id).order_by(model.id)).first()

        return {
            "run_id": 1,
            "case_id": case.id,
            "need_id": case.needs[0].id,
            "allocation_id": next(a.id for n in case.needs for a in n.allocations),
            "exclusion_id": case.exclusions[0].id,
            "staff_id": absence.staff_member_id,
            "absence_id": absence.id,
            "proposal_id": first(ProposedAssignment),
            "alert_id": first(Alert),
            "user_id": first(User),
            "region_id": first(Region),
            "site_id": first(Site),
            "what_if_id": 1,
            "kind": "plan-run",
            "job_id": 1,
            "slug": "hours",
            "filename": "planner.css",
            "pdu": pdu.id,
            "pdu_code": pdu.code,
            "pending_id": pending_for(hostile_app, "admin.user"),
            "record_kind": "staff",
            "file_format": "csv",
        }


@pytest.fixture(scope="module")
def writes(hostile_app: Flask) -> Iterator[list[str]]:
    """Every statement sent that would change the database."""
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        """Keep a statement that writes."""
        if statement.lstrip().upper().startswith(WRITES):
            seen.append(statement)

    with hostile_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def address(app: Flask, endpoint: str, places: dict[str, Any]) -> str:
    """The route's address with real ids."""
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: places[name] for name in rule.arguments})


def accepted_values(endpoint: str, places: dict[str, Any]) -> dict[str, Any]:
    """The values the route's form would accept, with the demo data's ids filled in."""
    values = {}
    for name, (_kind, value) in FORMS[endpoint].items():
        values[name] = value.format(**places) if isinstance(value, str) else value
    return values


def post(
    app: Flask, client: FlaskClient, endpoint: str, places: dict[str, Any], data: dict[str, Any]
) -> Any:
    """Send a form to its route, signed in, or signed out for the sign-in form."""
    sender = app.test_client() if endpoint in SIGNED_OUT else client
    return sender.post(address(app, endpoint, places), data=data)


def test_every_route_that_takes_a_post_is_in_the_table(hostile_app: Flask) -> None:
    posted = {rule.endpoint for rule in hostile_app.url_map.iter_rules() if "POST" in rule.methods}
    missing = posted - set(FORMS) - BUTTONS
    assert not missing, f"give these routes an entry in FORMS or BUTTONS: {sorted(missing)}"
    assert not (set(FORMS) | BUTTONS) - posted, "entries for routes that no longer exist"


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [(endpoint, name) for endpoint, fields in FORMS.items() for name, (kind, _) in fields.items()
     if kind in REFUSED],
)  # fmt: skip
def test_each_field_refuses_what_it_must_and_writes_nothing(
    hostile_app: Flask,
    admin_client: FlaskClient,
    places: dict[str, Any],
    writes: list[str],
    endpoint: str,
    field: str,
) -> None:
    kind = FORMS[endpoint][field][0]
    bad = {TEXT: "Jo\u202eBloggs", LINES: "Jo\x00Bloggs", HOURS: "1e-320", NUMBER: "nan",
           CHOICE: "\x00", DATE: ["31", "2", "2026"]}[kind]  # fmt: skip
    data = {**accepted_values(endpoint, places), field: bad}
    writes.clear()
    response = post(hostile_app, admin_client, endpoint, places, data)
    assert response.status_code == 200, f"{endpoint} {field}: {response.status_code}"
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page, f"{endpoint} {field}: no error shown"
    if kind in (TEXT, LINES):
        assert "must not include hidden characters" in page, f"{endpoint} {field}"
    if kind == HOURS:
        assert "hours" in page.split("govuk-error-summary__list")[1].split("</ul>")[0].lower()
    assert writes == [], f"{endpoint} {field} refused but wrote: {writes}"


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_no_hostile_form_answers_500_and_a_refused_one_writes_nothing(
    hostile_app: Flask,
    admin_client: FlaskClient,
    places: dict[str, Any],
    writes: list[str],
    data: st.DataObject,
) -> None:
    endpoint = data.draw(st.sampled_from(REFUSABLE_FORMS), label="route")
    fields = FORMS[endpoint]
    sent = accepted_values(endpoint, places)
    for name in fields:
        if data.draw(st.booleans(), label=f"{name} hostile"):
            sent[name] = data.draw(HOSTILE, label=name)
    refusable = sorted(name for name, (kind, _) in fields.items() if kind in REFUSED)
    target = data.draw(st.sampled_from(refusable), label="refused field")
    sent[target] = data.draw(REFUSED[fields[target][0]], label=f"{target} refused")
    writes.clear()
    response = post(hostile_app, admin_client, endpoint, places, sent)
    assert response.status_code in (200, 400), f"{endpoint}: {response.status_code}"
    assert writes == [], f"{endpoint} refused but wrote: {writes}"


# Every name any list page reads from its query string, and a few it does not.
QUERY_NAMES = [
    "page", "sort", "direction", "region", "site", "setting", "rosh", "cohort", "mappa_level",
    "covered", "search", "role", "grade", "over", "inactive", "severity", "kind", "status", "risk",
    "unchanged", "first", "second", "next", "week", "id", "q", "person", "stage", "run", "format",
    "proposal",
]  # fmt: skip
# Opening these is audited: the one write a GET may make.
VIEWED = {"cases.show", "staff.show", "imports.records"}


def get_routes(app: Flask) -> list[str]:
    """Every page a GET opens (not the front end's files)."""
    return sorted(
        {rule.endpoint for rule in app.url_map.iter_rules()
         if "GET" in rule.methods and rule.endpoint != "assets.asset"}
    )  # fmt: skip


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_no_query_string_answers_500_or_writes(
    hostile_app: Flask,
    admin_client: FlaskClient,
    places: dict[str, Any],
    writes: list[str],
    data: st.DataObject,
) -> None:
    endpoint = data.draw(st.sampled_from(get_routes(hostile_app)), label="page")
    query = data.draw(
        st.dictionaries(st.sampled_from(QUERY_NAMES), st.one_of(HOSTILE, REFUSED[TEXT]),
                        max_size=4),
        label="query",
    )  # fmt: skip
    writes.clear()
    response = admin_client.get(address(hostile_app, endpoint, places), query_string=query)
    assert response.status_code in (200, 302, 404), f"{endpoint} {query}: {response.status_code}"
    if endpoint not in VIEWED:
        assert writes == [], f"GET {endpoint} wrote: {writes}"


def test_a_nul_in_every_filter_of_every_page_answers_in_words(
    hostile_app: Flask, admin_client: FlaskClient, places: dict[str, Any]
) -> None:
    # Each page once, every filter it might read holding a NUL, which PostgreSQL refuses to
    # compare: a page must treat it as a filter that matches nothing, or not be found. (Paging
    # and sorting are left out: a bad page is "not found" before any filter is read.)
    filters = [name for name in QUERY_NAMES if name not in ("page", "sort", "direction")]
    for endpoint in get_routes(hostile_app):
        query = {name: "a\x00b" for name in filters}
        response = admin_client.get(address(hostile_app, endpoint, places), query_string=query)
        assert response.status_code in (200, 302, 404), f"{endpoint}: {response.status_code}"


@pytest.mark.parametrize(
    "path",
    [
        "/cases/99999999999999999999", f"/cases/{2**63}", f"/cases/{2**31}", "/staff/18446744073709551616",
        "/cases/1/needs/99999999999999999999/edit", "/plans/99999999999999999999",
        "/plans/jobs/plan-run/99999999999999999999", "/settings/users/99999999999999999999",
        "/alerts/99999999999999999999/acknowledge", "/cases/\u0663", "/cases/" + "9" * 5000,
        "/cases/?page=-1", "/cases/?page=0", "/cases/?page=1e9", "/cases/?page=abc",
        "/cases/?page=99999999999999999999", "/cases/?page=999999", "/cases/?sort=unknown",
        "/cases/?direction=sideways", "/alerts/?page=99999999999999999999", "/alerts/?page=x",
        "/staff/?page=99999999999999999999", "/staff/?sort=unknown",
        "/plans/compare?first=99999999999999999999&second=1", "/plans/compare?first=%C2%B2&second=1",
    ],
)  # fmt: skip
def test_ids_and_pages_beyond_range_are_not_found(admin_client: FlaskClient, path: str) -> None:
    assert admin_client.get(path).status_code == 404


def test_no_page_asked_for_is_the_first(admin_client: FlaskClient) -> None:
    for path in ("/cases/", "/staff/", "/alerts/", "/cases/?page=", "/cases/?page=1"):
        assert admin_client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "target",
    ["/x\r\nSet-Cookie: a=b", "/\x00", "/\u202e/cases", "/" + "a" * 5000, "/x\ty", "/[", "//[",
     "http://[::1", "/%", "/\x85"],
)  # fmt: skip
def test_a_malformed_next_leads_to_the_dashboard(hostile_app: Flask, target: str) -> None:
    response = hostile_app.test_client().post(
        "/sign-in", query_string={"next": target},
        data={"username": "admin.user", "password": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "/%5B", "/%")


def test_a_hidden_character_in_a_username_is_refused_before_any_look_up(
    hostile_app: Flask, writes: list[str]
) -> None:
    writes.clear()
    response = hostile_app.test_client().post(
        "/sign-in", data={"username": "admin\x00.user", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Username must not include hidden characters" in response.get_data(as_text=True)
    assert writes == []


def test_a_search_with_hidden_characters_finds_nothing_and_says_why(
    admin_client: FlaskClient,
) -> None:
    response = admin_client.get("/staff/", query_string={"search": "S-\x00LDN"})
    assert response.status_code == 200
    assert "Name or staff ID must not include hidden characters" in response.get_data(as_text=True)
