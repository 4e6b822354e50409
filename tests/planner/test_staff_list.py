"""The staff list: Workload % per person, filters, sorting, pages, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner.domain.vocabulary import AbsenceKind, Grade, Role, Vetting
from planner.extensions import db
from planner.models import Absence, StaffMember
from planner.models.auditing import set_actor
from tests.planner.querycount import queries_during
from tests.planner.staff import TODAY, add_person, give_case, module_fixtures, this_monday

BULK = 55


def stock(app: Flask, sites: dict[str, int]) -> None:
    """Six named people in London and 55 prison officers in Wales."""
    with app.app_context():
        set_actor(db.session, "test")
        db.session.add_all(
            StaffMember(
                staff_ref=f"S-BLK-{number:03d}",
                name=f"Bulk Person {number:02d}",
                role=Role.PRISON,
                grade=Grade.PSO,
                site_id=sites["HMP-TWO"],
                contracted_hours=37.0,
                other_work_hours=0.0,
                vetting=Vetting.CTC,
                vetting_expiry=TODAY + timedelta(days=900),
                skills=[],
            )
            for number in range(1, BULK + 1)
        )
        db.session.commit()
    ada = add_person(app, "S-LDN-001", sites["HMP-ONE"], name="Ada Overload")
    give_case(app, ada, sites["HMP-ONE"], "CT-L-0001", 45.0)
    bea = add_person(
        app, "S-LDN-002", sites["PDU-ONE"], name="Bea Balanced", role=Role.PROBATION,
        other_work_hours=7.4,
    )  # fmt: skip
    give_case(app, bea, sites["PDU-ONE"], "CT-L-0002", 22.5)
    add_person(
        app, "S-LDN-003", sites["NSD-ONE"], name="Cal Gone", role=Role.PROBATION, active=False
    )
    add_person(
        app, "S-LDN-004", sites["NSD-ONE"], name="Dee Expired", role=Role.PROBATION,
        grade=Grade.SPO, vetting_expiry=TODAY - timedelta(days=1),
    )  # fmt: skip
    add_person(
        app, "S-LDN-005", sites["HMP-ONE"], name="Eve Soon", grade=Grade.PSO,
        vetting_expiry=TODAY + timedelta(days=10),
    )  # fmt: skip
    leave = Absence(
        kind=AbsenceKind.SICKNESS, start_date=this_monday() - timedelta(days=3),
        end_date=this_monday() + timedelta(days=20),
    )  # fmt: skip
    fay = add_person(app, "S-LDN-006", sites["HMP-ONE"], name="Fay Away", absences=[leave])
    give_case(app, fay, sites["HMP-ONE"], "CT-L-0006", 5.0)


staff_app, sites, clients, manager = module_fixtures(stock)


def rows(page: str) -> list[str]:
    """The body rows of the list's table."""
    body = page.split('<tbody class="govuk-table__body">')
    return (
        body[1].split("</tbody>")[0].split('<tr class="govuk-table__row">')[1:]
        if len(body) > 1
        else []
    )


def names(page: str) -> list[str]:
    """The names in the list, in order."""
    return [re.search(r'href="/staff/\d+">([^<]+)</a>', row)[1] for row in rows(page)]


def row_of(page: str, name: str) -> str:
    """The row of one person."""
    return next(row for row in rows(page) if f">{name}</a>" in row)


def get(client: FlaskClient, **query: Any) -> str:
    """The list page with a query string."""
    response = client.get("/staff/", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_row_shows_a_persons_facts_hours_and_workload(manager: FlaskClient) -> None:
    page = get(manager, search="Bea")
    row = row_of(page, "Bea Balanced")
    cells = [" ".join(re.sub(r"<[^>]+>", " ", "<td" + cell).split()) for cell in row.split("<td")]
    assert cells[2:10] == ["S-LDN-002", "COM", "PO", "One PDU London", "SC", "37", "37", "1"]
    # (7.4 other work + 22.5 held) / 37 available = 80.8 %
    assert "81%" in cells[10]
    assert "planner-workload--over" not in row


def test_workload_above_the_safe_level_is_red_and_says_so_in_words(
    manager: FlaskClient,
) -> None:
    row = row_of(get(manager), "Ada Overload")
    assert "122%" in row  # 45 held / 37 available
    assert "planner-workload--over" in row
    assert '<span class="govuk-visually-hidden"> (over the safe workload of 110%)</span>' in row


def test_work_with_no_hours_to_do_it_in_is_said_in_words(manager: FlaskClient) -> None:
    row = row_of(get(manager, region="1"), "Fay Away")
    assert "No hours available" in row


@pytest.mark.parametrize("name", ["Ada Overload", "Bea Balanced", "Eve Soon"])
def test_the_list_and_the_persons_page_agree_on_workload(manager: FlaskClient, name: str) -> None:
    row = row_of(get(manager, region="1"), name)
    percent = re.search(r"planner-workload__value\">(\d+%)", row)[1]
    link = re.search(r'href="(/staff/\d+)"', row)[1]
    person = manager.get(link).get_data(as_text=True)
    this_week = person.split('id="this-week"')[1].split('id="details"')[0]
    assert f'planner-workload__value">{percent}<' in this_week


def test_vetting_that_has_lapsed_or_lapses_soon_is_flagged(manager: FlaskClient) -> None:
    page = get(manager, region="1")
    assert "Expired" in row_of(page, "Dee Expired")
    assert "Expires soon" in row_of(page, "Eve Soon")
    assert "Expire" not in row_of(page, "Ada Overload")


LONDON_ACTIVE = ["Ada Overload", "Bea Balanced", "Dee Expired", "Eve Soon", "Fay Away"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"region": "London"}, LONDON_ACTIVE),
        ({"site": "PDU-ONE"}, ["Bea Balanced"]),
        ({"role": "probation"}, ["Bea Balanced", "Dee Expired"]),
        ({"grade": "SPO"}, ["Dee Expired"]),
        ({"search": "bea"}, ["Bea Balanced"]),
        ({"search": "s-ldn-00"}, LONDON_ACTIVE),
        ({"search": "%"}, []),
        ({"over": "y"}, ["Ada Overload", "Fay Away"]),
        ({"site": "NSD-ONE", "inactive": "y"}, ["Cal Gone", "Dee Expired"]),
        ({"region": "London", "grade": "PSO"}, ["Eve Soon"]),
    ],
)
def test_filters_narrow_the_list(
    staff_app: Flask,
    manager: FlaskClient,
    sites: dict[str, int],
    query: dict[str, str],
    expected: list[str],
) -> None:
    query = dict(query)  # the parameter itself is shared by every run of this case
    if "region" in query:
        query["region"] = "1" if query["region"] == "London" else "2"
    if "site" in query:
        query["site"] = str(sites[query["site"]])
    page = get(manager, **query)
    assert names(page) == expected
    if not expected:
        assert "No practitioners match these filters" in page


def test_the_filters_show_what_was_chosen(manager: FlaskClient, sites: dict[str, int]) -> None:
    page = get(manager, site=str(sites["PDU-ONE"]), grade="PO", search="Bea", over="y")
    assert f'<option value="{sites["PDU-ONE"]}" selected>One PDU (London)</option>' in page
    assert '<option value="PO" selected>PO</option>' in page
    assert 'value="Bea"' in page
    assert 'name="over" type="checkbox" value="y" checked' in page


def test_filters_it_does_not_offer_are_ignored(manager: FlaskClient) -> None:
    page = get(manager, region="abc", site="999", role="boss", grade="XX")
    assert len(names(page)) == 50
    assert names(page) == names(get(manager))


def test_inactive_people_are_marked_when_shown(manager: FlaskClient, sites: dict[str, int]) -> None:
    page = get(manager, site=str(sites["NSD-ONE"]), inactive="y")
    assert "Not active" in row_of(page, "Cal Gone")
    assert "Not active" not in row_of(page, "Dee Expired")


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("name", "asc", LONDON_ACTIVE),
        ("name", "desc", list(reversed(LONDON_ACTIVE))),
        ("staff_ref", "desc", ["Fay Away", "Eve Soon", "Dee Expired", "Bea Balanced"]),
        ("grade", "asc", ["Eve Soon", "Ada Overload", "Bea Balanced", "Fay Away"]),
        ("grade", "desc", ["Dee Expired", "Ada Overload", "Bea Balanced", "Fay Away"]),
        ("site", "asc", ["Ada Overload", "Eve Soon", "Fay Away", "Dee Expired"]),
        ("workload", "desc", ["Fay Away", "Ada Overload", "Bea Balanced", "Dee Expired"]),
        ("workload", "asc", ["Dee Expired", "Eve Soon", "Bea Balanced", "Ada Overload"]),
        ("available", "asc", ["Fay Away", "Ada Overload", "Bea Balanced", "Dee Expired"]),
        ("cases", "desc", ["Ada Overload", "Bea Balanced", "Fay Away", "Dee Expired"]),
    ],
)
def test_columns_sort_the_list(
    manager: FlaskClient, sort: str, direction: str, expected: list[str]
) -> None:
    page = get(manager, region="1", sort=sort, direction=direction)
    assert names(page)[: len(expected)] == expected


def test_the_sorted_column_says_so_and_offers_the_other_direction(manager: FlaskClient) -> None:
    page = get(manager, region="1", sort="workload", direction="desc")
    header = page.split('aria-sort="descending"')[1].split("</th>")[0]
    assert "direction=asc" in header and "sort=workload" in header and "region=1" in header
    assert page.count('aria-sort="none"') == 9


@pytest.mark.parametrize("sort", ["name", "workload"])
def test_the_list_is_paged_fifty_at_a_time_keeping_filters_and_sort(
    manager: FlaskClient, sort: str
) -> None:
    first = get(manager, sort=sort, direction="asc")
    second = get(manager, sort=sort, direction="asc", page="2")
    assert len(names(first)) == 50
    assert len(names(second)) == BULK + len(LONDON_ACTIVE) - 50
    assert not set(names(first)) & set(names(second))
    assert "Showing <b>1</b> to <b>50</b> of <b>60</b> practitioners" in first
    assert "Showing <b>51</b> to <b>60</b> of <b>60</b> practitioners" in second
    assert f"sort={sort}" in first.split('class="moj-pagination"')[1]


def test_a_page_past_the_end_is_not_found_and_offers_the_first(manager: FlaskClient) -> None:
    response = manager.get("/staff/", query_string={"page": "9"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert names(page) == []
    assert "There is no page 9" in page
    assert names(get(manager))[0] == "Ada Overload"


@pytest.mark.parametrize(
    "query",
    [{"page": "abc"}, {"page": "0"}, {"page": "-1"}, {"page": "1e9"}, {"sort": "nonsense"},
     {"direction": "sideways"}, {"page": "99999999999999999999"}],
)  # fmt: skip
def test_a_page_that_cannot_be_is_not_found(manager: FlaskClient, query: dict[str, str]) -> None:
    assert manager.get("/staff/", query_string=query).status_code == 404


@pytest.mark.parametrize("query", [{}, {"sort": "workload"}, {"over": "y"}])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    staff_app: Flask, manager: FlaskClient, query: dict[str, str]
) -> None:
    counts = []
    with queries_during(staff_app) as statements:
        for search in ("S-LDN-001", "S-LDN", "S-"):
            statements.clear()
            shown = names(get(manager, search=search, **query))
            counts.append(len(statements))
            assert shown
    assert counts[0] == counts[1] == counts[2]
    # The user, the idle time-out in force, the policy, and the page's own reads.
    assert counts[0] <= 9
