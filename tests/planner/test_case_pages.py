"""The cases pages: who may see and change what, the list, a case, and each form."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.needs import need_name
from planner.domain.vocabulary import NeedSource, Role, UserRole
from planner.extensions import db
from planner.models import (
    Alert,
    Allocation,
    AuditEvent,
    Case,
    Exclusion,
    Need,
    Site,
    StaffMember,
)
from planner.models.auditing import set_actor
from tests.conftest import AppFactory, add_user, count, load_demo, sign_in
from tests.planner.pages import opened_version, summary, text_of

TODAY = "2026-11-30"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The small demo data, with today fixed so that dates are predictable."""
    app = app_factory("cases", TODAY=TODAY)
    load_demo(app, seed=4, start=TODAY)
    return app


def first(app: Flask, query: Any) -> Any:
    """The first row of a query."""
    with app.app_context():
        return db.session.scalars(query).first()


def prison_id(app: Flask) -> int:
    """HMP Belmarsh's id."""
    return first(app, select(Site.id).where(Site.code == "HMP-BELMARSH"))


def custody_case_form(app: Flask, **changes: str) -> dict[str, Any]:
    """A valid new custody TACT case, as the form posts it."""
    data: dict[str, Any] = {
        "reference": "CT-LDN-9001",
        "name": "Heron Specimen",
        "cohort": "TACT",
        "rosh": "very_high",
        "tier": "A3",
        "mappa_category": "4",
        "mappa_level": "3",
        "setting": "custody",
        "site": str(prison_id(app)),
        "sentence_type": "determinate",
        "sentence_date": ["14", "3", "2022"],
        "release_date": ["20", "6", "2027"],
    }
    data.update(changes)
    return data


def add_custody_case(app: Flask, manager: FlaskClient, **changes: Any) -> int:
    """Add the custody case of custody_case_form through the form, as a manager: its id."""
    response = manager.post("/cases/new", data=custody_case_form(app, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return first(app, select(Case.id).where(Case.reference == "CT-LDN-9001"))


# --- Who may do what ------------------------------------------------------------------------

READ_ROUTES = ["/cases/", "/cases/{case}"]
WRITE_ROUTES = [
    "/cases/new",
    "/cases/{case}/edit",
    "/cases/{case}/needs/new",
    "/cases/{case}/needs/{need}/edit",
    "/cases/{case}/exclusions/new",
]


def fill(app: Flask, route: str) -> str:
    """A route with the ids of a real case and need."""
    need = first(app, select(Need).where(Need.active))
    return route.format(case=need.case_id, need=need.id)


@pytest.mark.parametrize("route", READ_ROUTES + WRITE_ROUTES)
def test_signed_out_people_are_sent_to_sign_in(app: Flask, client: FlaskClient, route: str) -> None:
    path = fill(app, route)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={quote(path, safe='')}"


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (UserRole.VIEWER, 200, 403),
        (UserRole.MANAGER, 200, 200),
        (UserRole.ADMIN, 200, 200),
    ],
)
def test_each_role_may_read_and_change_what_it_should(
    app: Flask, client: FlaskClient, role: UserRole, read: int, write: int
) -> None:
    add_user(app, "someone", role)
    sign_in(client, "someone")
    for route in READ_ROUTES:
        assert client.get(fill(app, route)).status_code == read, route
    for route in WRITE_ROUTES:
        assert client.get(fill(app, route)).status_code == write, route
        if write == 403:
            assert client.post(fill(app, route), data={}).status_code == 403, route


def test_a_viewer_cannot_post_a_case(app: Flask, viewer: FlaskClient) -> None:
    before = count(app, Case)
    assert viewer.post("/cases/new", data=custody_case_form(app)).status_code == 403
    assert count(app, Case) == before


def test_a_viewer_sees_no_buttons_to_change_things(app: Flask, viewer: FlaskClient) -> None:
    listing = viewer.get("/cases/").get_data(as_text=True)
    assert listed(listing) and "Add a case" not in listing
    case = first(app, select(Case))
    page = viewer.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"<title>{case.reference} – Cases – Caseload planner</title>" in page
    assert "Change case details" not in page
    assert "Exclude a practitioner" not in page
    assert f"/cases/{case.id}/edit" not in page and "/needs/new" not in page


# --- The list -------------------------------------------------------------------------------


def listed(page: str) -> list[str]:
    """The case references the list's table shows, in order."""
    return re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="/cases/\d+">([^<]+)</a>', page
    )


def test_the_list_pages_through_every_case(app: Flask, manager: FlaskClient) -> None:
    first_page = manager.get("/cases/").get_data(as_text=True)
    second_page = manager.get("/cases/", query_string={"page": "2"}).get_data(as_text=True)
    with app.app_context():
        references = sorted(db.session.scalars(select(Case.reference)))
    assert len(references) > 50
    assert f"of <b>{len(references)}</b> cases" in first_page
    assert listed(first_page) == references[:50]
    assert listed(second_page) == references[50:]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rosh": "very_high"}, lambda c: c.rosh == "very_high"),
        ({"setting": "custody"}, lambda c: c.setting == "custody"),
        ({"cohort": "CPPC"}, lambda c: c.cohort == "CPPC"),
        ({"mappa_level": "3"}, lambda c: c.mappa_level == 3),
    ],
)
def test_filters_show_only_matching_cases(
    app: Flask, manager: FlaskClient, query: dict[str, str], expected: Any
) -> None:
    page = manager.get("/cases/", query_string=query).get_data(as_text=True)
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        matching = [c.reference for c in cases if expected(c)]
        others = [c.reference for c in cases if not expected(c)]
    assert matching and others
    assert listed(page) == sorted(matching)


def test_the_covered_filter_finds_cases_with_a_need_nobody_holds(
    app: Flask, manager: FlaskClient
) -> None:
    uncovered = manager.get("/cases/", query_string={"covered": "no"}).get_data(as_text=True)
    covered = manager.get("/cases/", query_string={"covered": "yes"}).get_data(as_text=True)
    held_cases: list[str] = []
    open_cases: list[str] = []
    with app.app_context():
        for case in db.session.scalars(select(Case)):
            held = all(
                any(a.end_date is None for a in n.allocations) for n in case.needs if n.active
            )
            (held_cases if held else open_cases).append(case.reference)
    assert held_cases and open_cases
    assert listed(covered) == sorted(held_cases)
    assert listed(uncovered) == sorted(open_cases)


def test_a_filter_value_that_is_not_a_choice_is_ignored(app: Flask, manager: FlaskClient) -> None:
    response = manager.get("/cases/", query_string={"rosh": "extreme", "region": "x"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"of <b>{count(app, Case)}</b> cases" in page
    assert listed(page) == listed(manager.get("/cases/").get_data(as_text=True))


def risks_in_table(page: str) -> list[str]:
    """The RoSH tags of the table's rows, in order."""
    body = page.split('<tbody class="govuk-table__body">')[1]
    return re.findall(r'govuk-tag--(?:red|orange|yellow|green)">\s*([A-Za-z ]+?)\s*<', body)


def test_sorting_by_rosh_puts_the_highest_risk_first(manager: FlaskClient) -> None:
    text = manager.get("/cases/", query_string={"sort": "rosh", "direction": "desc"}).get_data(
        as_text=True
    )
    risks = [r for r in risks_in_table(text) if r in ("Very high", "High", "Medium", "Low")]
    order = ["Very high", "High", "Medium", "Low"]
    assert risks[0] == "Very high"
    assert [order.index(r) for r in risks] == sorted(order.index(r) for r in risks)
    assert 'aria-sort="descending"' in text
    ascending = manager.get("/cases/", query_string={"sort": "rosh"}).get_data(as_text=True)
    assert risks_in_table(ascending)[0] == "Low"


def test_the_list_takes_the_same_number_of_queries_however_many_rows(
    app: Flask, manager: FlaskClient
) -> None:
    from tests.planner.querycount import queries_during

    manager.get("/cases/")  # the first request also loads the signed-in user
    with queries_during(app) as few:
        manager.get("/cases/", query_string={"rosh": "low"})
    with queries_during(app) as many:
        manager.get("/cases/")
    assert len(many) == len(few)


# --- A case ---------------------------------------------------------------------------------


def needs_table(page: str) -> dict[str, str]:
    """The case's needs: each need's name to the rest of its row, as text."""
    body = page.split('<h2 class="govuk-heading-m">Needs</h2>')[1].split("</tbody>")[0]
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">(.*?)</th>(.*?)</tr>', body, re.S
    )
    return {text_of(name): text_of(rest) for name, rest in rows}


def test_a_case_shows_its_dates_needs_holders_and_history(app: Flask, manager: FlaskClient) -> None:
    case_id = add_custody_case(app, manager)
    with app.app_context():
        set_actor(db.session, "test")
        case = db.session.get(Case, case_id)
        holder = db.session.scalars(
            select(StaffMember).where(StaffMember.site_id == case.site_id).order_by(StaffMember.id)
        ).first()
        case.active_need("pom").allocations.append(
            Allocation(
                staff_member=holder, start_date=date(2026, 11, 2), pinned=True, reason="test"
            )
        )
        db.session.commit()
        holder_name = holder.name
    page = manager.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "<title>CT-LDN-9001 – Cases – Caseload planner</title>" in page
    assert re.search(r'<h1 class="govuk-heading-l">Heron Specimen <strong[^>]*>\s*Very high', page)
    facts = summary(page)
    assert facts["Where"] == "HMP Belmarsh (HMP-BELMARSH), London"
    assert facts["Sentence date"] == "14 March 2022"
    assert facts["Release date (CRD or ARD)"] == "20 June 2027"
    # Early allocation (TACT): the COM is responsible 15 months before release, allocated 8
    # weeks before that; both are past on 30 November 2026.
    assert facts["Handover: COM responsible from"] == "20 March 2026"
    assert facts["COM allocated from"] == "23 January 2026"
    assert facts["Responsibility"] == "In custody, COM allocated"
    # The COM is responsible, and the needs below (and the alert) say nobody holds it yet.
    assert facts["Responsible now"] == "COM responsible since 20 March 2026, not yet allocated"
    needs = needs_table(page)
    assert list(needs) == ["POM", "COM", "Co-working COM"]
    assert needs["POM"].startswith("PO or above, vetted SC, CT trained, at HMP-BELMARSH")
    assert f"{holder_name} Pinned since 2 November 2026" in needs["POM"]
    assert "Nobody" in needs["COM"] and "Nobody" not in needs["POM"]
    history = page.split('<h2 class="govuk-heading-m">History</h2>')[1]
    assert re.search(r"manager\.user added the case on \d+ \w+ \d{4}\.", text_of(history))


def test_a_missing_case_is_a_404(manager: FlaskClient) -> None:
    assert manager.get("/cases/99999").status_code == 404


# --- Adding and changing a case -------------------------------------------------------------


def test_adding_a_custody_case_derives_its_needs_and_handover(
    app: Flask, manager: FlaskClient
) -> None:
    response = manager.post("/cases/new", data=custody_case_form(app))
    assert response.status_code == 302
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert "Case CT-LDN-9001 added, with 3 needs from the rules." in page
    assert "20 March 2026" in page  # COM responsible: release − 15 months (early allocation)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == "CT-LDN-9001"))
        # In custody past the handover date: a POM, a COM and (MAPPA 3) a co-working COM.
        assert [(n.key, n.role) for n in case.needs] == [
            ("pom", Role.PRISON), ("com", Role.PROBATION), ("com_coworker", Role.PROBATION)
        ]  # fmt: skip
        actor = db.session.scalar(
            select(AuditEvent.actor).where(
                AuditEvent.entity == "case", AuditEvent.case_id == case.id
            )
        )
        assert actor == "manager.user"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reference": ""}, "reference", "Enter the case reference, like CT-LDN-0042"),
        ({"reference": "ct 1!"}, "reference", "must be 2 to 20 letters, digits and hyphens"),
        ({"name": ""}, "name", "Enter the person&#39;s name"),
        ({"cohort": ""}, "cohort", "Choose the cohort"),
        ({"rosh": ""}, "rosh", "Choose the risk of serious harm"),
        ({"tier": "Z9"}, "tier", "Not a valid choice"),
        ({"mappa_level": ""}, "mappa_level", "Choose both the MAPPA category and level, or neither"),
        ({"setting": "community"}, "site", "A person in the community must be at a PDU or NSD team"),
        ({"sentence_type": "community_order"}, "sentence_type", "must have a determinate or indeterminate sentence"),
        ({"release_date": ["", "", ""]}, "release_date", "Enter the release date (CRD or ARD)"),
        ({"release_date": ["20", "", "2027"]}, "release_date", "Release date (CRD or ARD) must include a month"),
        ({"release_date": ["31", "2", "2027"]}, "release_date", "Release date (CRD or ARD) must be a real date"),
        ({"release_date": ["1", "1", "2020"]}, "release_date", "The release date must be on or after the sentence date"),
        ({"sentence_date": ["", "", ""]}, "sentence_date", "Enter the sentence date"),
        ({"parole_eligibility_date": ["1", "1", "2028"]}, "parole_eligibility_date", "must be on or before the release date"),
        ({"sentence_type": "indeterminate"}, "tariff_expiry_date", "Enter the tariff expiry date or a parole hearing date"),
    ],
)  # fmt: skip
def test_each_mistake_is_named_and_nothing_is_saved(
    app: Flask, manager: FlaskClient, changes: dict[str, Any], field: str, message: str
) -> None:
    before = count(app, Case)
    response = manager.post("/cases/new", data=custody_case_form(app, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Error: Add a case" in page
    date_fields = {"release_date", "sentence_date", "parole_eligibility_date", "tariff_expiry_date"}
    target = f"{field}-day" if field in date_fields else field
    assert re.search(rf'<a href="#{target}">[^<]*{re.escape(message)}[^<]*</a>', page)
    assert count(app, Case) == before
    assert 'value="Heron Specimen"' in page or field == "name"


def test_a_community_case_on_licence_needs_its_release_date(
    app: Flask, manager: FlaskClient
) -> None:
    before = count(app, Case)
    office = first(app, select(Site.id).where(Site.code == "NSD-LONDON"))
    data = custody_case_form(app, setting="community", site=str(office))
    page = manager.post("/cases/new", data=data).get_data(as_text=True)
    assert '<a href="#released_on-day">Enter the date they were released</a>' in page
    assert count(app, Case) == before


def test_a_duplicate_reference_is_refused(app: Flask, manager: FlaskClient) -> None:
    existing = first(app, select(Case.reference))
    before = count(app, Case)
    page = manager.post("/cases/new", data=custody_case_form(app, reference=existing))
    assert '<a href="#reference">A case with this reference already exists</a>' in page.get_data(
        as_text=True
    )
    assert count(app, Case) == before
    assert first(app, select(Case.name).where(Case.reference == existing)) != "Heron Specimen"


def test_editing_keeps_a_managers_need_and_rederives_the_rest(
    app: Flask, manager: FlaskClient
) -> None:
    case_id = add_custody_case(app, manager)
    with app.app_context():
        pom_id = db.session.get(Case, case_id).active_need("pom").id
    address = f"/cases/{case_id}/needs/{pom_id}/edit"
    manager.post(
        address,
        data={"role": "prison", "min_grade": "SPO", "hours": "6", "vetting": "DV",
              "skills": ["ct_trained", "arabic"], "same_site": "yes",
              "reason": "Arabic speaker needed for family work",
              "version": opened_version(manager, address)},
    )  # fmt: skip
    version = opened_version(manager, f"/cases/{case_id}/edit")
    manager.post(
        f"/cases/{case_id}/edit",
        data=custody_case_form(app, rosh="medium", mappa_level="1", version=version),
    )
    with app.app_context():
        case = db.session.get(Case, case_id)
        needs = {n.key: n for n in case.needs}
        assert needs["pom"].source == NeedSource.MANAGER
        assert needs["pom"].hours == 6.0
        assert needs["pom"].rule == "Set by manager.user: Arabic speaker needed for family work"
        assert needs["com"].min_grade.value == "PSO"  # medium RoSH now: rules re-derived it
        assert needs["com_coworker"].active is False  # no longer MAPPA level 3


def test_a_need_change_needs_a_reason_and_valid_hours(app: Flask, manager: FlaskClient) -> None:
    need = first(app, select(Need).where(Need.active))
    data = {"role": "prison", "min_grade": "PO", "hours": "lots", "vetting": "SC",
            "same_site": "yes", "reason": ""}  # fmt: skip
    page = manager.post(f"/cases/{need.case_id}/needs/{need.id}/edit", data=data)
    text = page.get_data(as_text=True)
    assert "Enter the hours a week as a number, like 3 or 1.5" in text
    assert "Enter the reason for this need" in text
    assert 'value="lots"' in text
    with app.app_context():
        assert db.session.get(Need, need.id).hours == need.hours


def test_a_manager_can_add_a_need_and_remove_it_again(app: Flask, manager: FlaskClient) -> None:
    case_id = first(app, select(Case.id))
    data = {"role": "probation", "min_grade": "PO", "hours": "2", "vetting": "SC",
            "skills": ["polygraph"], "same_site": "no", "reason": "Polygraph testing on licence"}  # fmt: skip
    assert manager.post(f"/cases/{case_id}/needs/new", data=data).status_code == 302
    with app.app_context():
        added = db.session.scalar(
            select(Need).where(Need.case_id == case_id, Need.key == "manager_1")
        )
        assert added.source == NeedSource.MANAGER and added.skills == ["polygraph"]
        added_id = added.id
    address = f"/cases/{case_id}/needs/{added_id}/restore"
    version = opened_version(manager, address)
    assert manager.post(address, data={"version": version}).status_code == 302
    with app.app_context():
        assert db.session.get(Need, added_id).active is False


def test_rules_needs_cannot_be_handed_back_to_the_rules(app: Flask, manager: FlaskClient) -> None:
    need = first(app, select(Need).where(Need.source == NeedSource.RULES))
    assert manager.get(f"/cases/{need.case_id}/needs/{need.id}/restore").status_code == 404


def test_excluding_and_lifting_an_exclusion(app: Flask, manager: FlaskClient) -> None:
    case_id = first(app, select(Case.id).where(~Case.exclusions.any()))
    with app.app_context():
        case = db.session.get(Case, case_id)
        person = db.session.scalars(
            select(StaffMember).join(Site).where(Site.region_id == case.site.region_id)
        ).first()
        person_id, person_name = person.id, person.name
    page = manager.post(f"/cases/{case_id}/exclusions/new", data={"staff_member": "", "reason": ""})
    text = page.get_data(as_text=True)
    assert "Choose the practitioner to exclude" in text
    assert "Enter the reason for the exclusion" in text
    response = manager.post(
        f"/cases/{case_id}/exclusions/new",
        data={"staff_member": str(person_id), "reason": "Declared a conflict"},
        follow_redirects=True,
    )
    assert f"{person_name} is excluded from" in response.get_data(as_text=True)
    exclusion_id = first(app, select(Exclusion.id).where(Exclusion.case_id == case_id))
    assert manager.get(f"/cases/{case_id}/exclusions/{exclusion_id}/remove").status_code == 200
    manager.post(f"/cases/{case_id}/exclusions/{exclusion_id}/remove")
    assert first(app, select(Exclusion.id).where(Exclusion.id == exclusion_id)) is None


def test_pages_refuse_a_need_of_another_case(app: Flask, manager: FlaskClient) -> None:
    mine, theirs = (first(app, select(Need).where(Need.case_id == i)) for i in (1, 2))
    assert manager.get(f"/cases/{mine.case_id}/needs/{mine.id}/edit").status_code == 200
    assert manager.get(f"/cases/{mine.case_id}/needs/{theirs.id}/edit").status_code == 404


def test_dates_show_as_govuk_dates(app: Flask, manager: FlaskClient) -> None:
    case_id = add_custody_case(app, manager)
    page = manager.get(f"/cases/{case_id}/edit").get_data(as_text=True)
    typed = {
        part: re.search(
            rf'id="release_date-{part}" name="release_date" [^>]*value="([^"]*)"', page
        )[1]
        for part in ("day", "month", "year")
    }
    assert typed == {"day": "20", "month": "06", "year": "2027"}


def test_a_holder_can_be_pinned_and_unpinned_with_a_reason(
    app: Flask, manager: FlaskClient
) -> None:
    allocation = first(app, select(Allocation).where(Allocation.pinned.is_(False)))
    with app.app_context():
        allocation = db.session.get(Allocation, allocation.id)
        case_id, holder = allocation.need.case_id, allocation.staff_member.name
        need = need_name(allocation.need)
    address = f"/cases/{case_id}/allocations/{allocation.id}/pin"
    asked = manager.get(address).get_data(as_text=True)
    assert f'<h1 class="govuk-heading-l">Keep {holder} on the {need}?</h1>' in asked
    assert "Enter the reason" in manager.post(address, data={"reason": ""}).get_data(as_text=True)
    manager.post(address, data={"reason": "Continuity through release"})
    with app.app_context():
        pinned = db.session.get(Allocation, allocation.id)
        assert (
            pinned.pinned and pinned.reason == "Pinned by manager.user: Continuity through release"
        )
    asked = manager.get(address).get_data(as_text=True)
    assert f'<h1 class="govuk-heading-l">Stop keeping {holder} on the {need}?</h1>' in asked
    manager.post(address, data={"reason": "Transferred"})
    with app.app_context():
        assert db.session.get(Allocation, allocation.id).pinned is False


def test_saving_a_case_opens_and_closes_its_review_alert_at_once(
    app: Flask, manager: FlaskClient
) -> None:
    def review_alerts() -> list[str]:
        query = select(Alert.reason).where(
            Alert.kind == "mappa_review", Alert.closed_at.is_(None), Case.reference == "CT-LDN-9001"
        )
        with app.app_context():
            return list(db.session.scalars(query.join(Case, Alert.case_id == Case.id)))

    case_id = add_custody_case(app, manager, next_mappa_review=["25", "11", "2026"])
    assert review_alerts() == ["The MAPPA review is overdue: it was due on 25 November 2026"]
    version = opened_version(manager, f"/cases/{case_id}/edit")
    held = custody_case_form(app, next_mappa_review=["25", "2", "2027"], version=version)
    assert manager.post(f"/cases/{case_id}/edit", data=held).status_code == 302
    assert review_alerts() == []


def test_answers_of_spaces_alone_are_refused(app: Flask, manager: FlaskClient) -> None:
    written = count(app, Case), count(app, Exclusion)
    page = manager.post("/cases/new", data=custody_case_form(app, name="   ", reference="  "))
    text = page.get_data(as_text=True)
    assert "Enter the person&#39;s name" in text
    assert "Enter the case reference, like CT-LDN-0042" in text
    case_id = first(app, select(Case.id))
    person_id = first(app, select(StaffMember.id))
    page = manager.post(
        f"/cases/{case_id}/exclusions/new", data={"staff_member": str(person_id), "reason": " \n "}
    )
    assert "Enter the reason for the exclusion" in page.get_data(as_text=True)
    assert (count(app, Case), count(app, Exclusion)) == written


def test_a_reference_is_kept_in_capitals_without_spaces(app: Flask, manager: FlaskClient) -> None:
    response = manager.post("/cases/new", data=custody_case_form(app, reference=" ct-ldn-9001 "))
    assert response.status_code == 302
    assert first(app, select(Case.name).where(Case.reference == "CT-LDN-9001")) == "Heron Specimen"
