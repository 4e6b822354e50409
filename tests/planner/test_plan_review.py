"""A run's review: the summary agrees with the plan, each part filters, sorts and pages."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.policy import DEFAULT_POLICY
from planner.domain.vocabulary import Rosh, label
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import PlanRun, ProposedAssignment
from planner.plans.batch import run_week
from tests.conftest import AppFactory, load_demo
from tests.planner.pages import body_rows, cells, text_of

TODAY = "2026-11-30"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    """The small demo data on a fixed day, with one finished run of 2026-W49."""
    app = app_factory("review", TODAY=TODAY)
    load_demo(app, seed=6, start=TODAY)
    with app.app_context():
        run_week(db.session, IsoWeek.parse("2026-W49"), "highs", 20, None, "test")
    return app


def planned(app: Flask) -> list[dict]:
    """Every proposal of run 1 with its case's risk, region and site, read straight from the rows."""
    with app.app_context():
        rows = db.session.scalars(select(ProposedAssignment).where(ProposedAssignment.run_id == 1))
        return [
            {
                "id": p.id,
                "reference": p.case_reference,
                "rosh": p.need.case.rosh.value,
                "region": p.need.case.site.region.name,
                "site": p.need.case.site.code,
                "now": p.current_staff_member_id,
                "after": p.staff_member_id,
                "now_name": p.current_staff_member.name if p.current_staff_member else None,
                "after_name": p.staff_member.name if p.staff_member else None,
                "hours": p.hours,
            }
            for p in rows
        ]


def kind(proposal: dict) -> str:
    """The kind of change, worked out here rather than by the planner."""
    if proposal["after"] is None:
        return "uncovered" if proposal["now"] is None else "dropped"
    if proposal["now"] is None:
        return "new"
    return "unchanged" if proposal["now"] == proposal["after"] else "move"


def number_before(text: str, words: str) -> int:
    """The number written just before some words."""
    found = re.search(r"([\d,]+) needs? " + re.escape(words), text)
    assert found, words
    return int(found.group(1).replace(",", ""))


def test_the_summarys_figures_agree_with_the_plan(app: Flask, viewer: FlaskClient) -> None:
    proposals = planned(app)
    kinds = Counter(kind(p) for p in proposals)
    page = viewer.get("/plans/1").get_data(as_text=True)
    said = text_of(page)
    assert number_before(said, "get a holder") == kinds["new"]
    assert number_before(said, "stay with their holder") == kinds["unchanged"]
    for words, counted in (("change", kinds["move"]), ("lose", kinds["dropped"])):
        found = re.search(rf"([\d,]+) needs? {words}", said)
        assert found and int(found.group(1)) == counted

    table = page.split('id="cover-by-risk"', 1)[1]
    rows = {text_of(re.search(r"<th[^>]*>(.*?)</th>", row, re.S)[1]): cells(row)
            for row in body_rows(table)}  # fmt: skip
    for rosh in Rosh:
        mine = [p for p in proposals if p["rosh"] == rosh.value]
        now = sum(p["now"] is not None for p in mine)
        after = sum(p["after"] is not None for p in mine)
        assert rows[label(rosh)][0] == str(now)
        assert rows[label(rosh)][1].split(" ")[0] == str(after)
        assert rows[label(rosh)][2] == str(len(mine))

    # People past the safe workload: committed hours and hours available from the run's problem.
    with app.app_context():
        run = db.session.get(PlanRun, 1)
        problem = json.loads(run.problem_json)
    staff = {member["id"]: member for member in problem["staff"]}
    with app.app_context():
        refs = {p.id: p.staff_member.staff_ref for p in db.session.scalars(
            select(ProposedAssignment).where(ProposedAssignment.staff_member_id.is_not(None)))}  # fmt: skip
    hours: Counter[str] = Counter()
    for p in proposals:
        if p["after"] is not None:
            hours[refs[p["id"]]] += p["hours"]
    over = [
        ref
        for ref, member in staff.items()
        if member["available_hours"] > 0
        and (member.get("committed_hours", 0.0) + hours[ref]) / member["available_hours"]
        > DEFAULT_POLICY.safe_workload
    ]
    if over:
        found = re.search(r"After this plan ([\d,]+) (?:person is|people are) past the safe", said)
        assert found and int(found.group(1)) == len(over)
    else:
        assert "Nobody is past the safe workload" in said

    left = kinds["uncovered"] + kinds["dropped"]
    gaps = page.split('id="gaps-by-reason"', 1)[1]
    assert sum(int(cells(row)[-1]) for row in body_rows(gaps)) == left
    assert "at most" in said or "the best possible plan" in said
    for raw in ("very_high", "ct_trained", "optimal", "feasible", "objective", "bound"):
        assert raw not in said.split("How good is this plan?")[0]


def test_a_summary_of_one_region_counts_only_its_needs(app: Flask, viewer: FlaskClient) -> None:
    proposals = planned(app)
    site = Counter(p["site"] for p in proposals).most_common(1)[0][0]
    mine = [p for p in proposals if p["site"] == site]
    said = text_of(viewer.get("/plans/1", query_string={"site": site}).get_data(as_text=True))
    assert number_before(said, "stay with their holder") == Counter(map(kind, mine))["unchanged"]


def test_each_part_lists_its_kinds_with_names_and_links(app: Flask, viewer: FlaskClient) -> None:
    proposals = planned(app)
    for tab, kinds in (("uncovered", {"uncovered", "dropped"}),
                       ("changes", {"new", "move", "dropped"}),
                       ("unchanged", {"unchanged"})):  # fmt: skip
        page = viewer.get(f"/plans/1/{tab}").get_data(as_text=True)
        total = sum(kind(p) in kinds for p in proposals)
        assert f"({total})" in page
        rows = body_rows(page.split('class="planner-table-scroll"', 1)[1]) if total else []
        assert len(rows) == min(total, 50)
        for row in rows:
            assert 'href="/cases/' in row
        if tab != "uncovered":
            assert all('href="/staff/' in row for row in rows)
        assert 'role="region"' in page and 'tabindex="0"' in page
        assert "S-0" not in text_of(page)  # names, never staff IDs


def test_each_part_filters_by_risk_kind_region_site_and_person(
    app: Flask, viewer: FlaskClient
) -> None:
    proposals = planned(app)
    changed = [p for p in proposals if kind(p) in ("new", "move", "dropped")]
    # Kind of change.
    page = viewer.get("/plans/1/changes", query_string={"kind": "new"}).get_data(as_text=True)
    rows = body_rows(page.split('class="planner-table-scroll"', 1)[1])
    assert len(rows) == min(50, sum(kind(p) == "new" for p in changed))
    assert all("Gets a holder" in row for row in rows)
    # RoSH.
    page = viewer.get("/plans/1/unchanged", query_string={"rosh": "high"}).get_data(as_text=True)
    rows = body_rows(page.split('class="planner-table-scroll"', 1)[1])
    high = [p for p in proposals if kind(p) == "unchanged" and p["rosh"] == "high"]
    assert len(rows) == min(50, len(high)) and all(cells(row)[1] == "High" for row in rows)
    # Site and region.
    site = high[0]["site"]
    page = viewer.get("/plans/1/unchanged", query_string={"site": site, "rosh": "high"})
    expected = sum(p["site"] == site for p in high)
    assert f"({expected})" in page.get_data(as_text=True)
    region = viewer.get("/plans/1/unchanged", query_string={"region": "Nowhere"})
    assert "No needs match these filters." in region.get_data(as_text=True)
    # A practitioner, by part of their name: the holder now or the one planned.
    name = high[0]["after_name"]
    page = viewer.get("/plans/1/unchanged", query_string={"person": name.split()[1].lower()})
    rows = body_rows(page.get_data(as_text=True).split('class="planner-table-scroll"', 1)[1])
    surname = name.split()[1]
    assert rows and all(surname in row for row in rows)
    # An unknown risk or kind filters nothing out rather than failing.
    assert (
        viewer.get("/plans/1/changes", query_string={"rosh": "x", "kind": "y"}).status_code == 200
    )
    # Nor does a name with a NUL in it, which PostgreSQL would refuse to compare.
    everything = viewer.get("/plans/1/unchanged").get_data(as_text=True)
    for name in ("region", "site", "person"):
        hostile = viewer.get("/plans/1/unchanged", query_string={name: "Lon\x00don"})
        assert hostile.status_code == 200, name
        assert body_rows(hostile.get_data(as_text=True)) == body_rows(everything)


def test_each_part_sorts_and_pages(app: Flask, viewer: FlaskClient) -> None:
    proposals = planned(app)
    unchanged = sorted(p["reference"] for p in proposals if kind(p) == "unchanged")
    assert len(unchanged) > 50, "the small demo keeps more than a page of holders"

    def references(query: dict) -> list[str]:
        page = viewer.get("/plans/1/unchanged", query_string=query).get_data(as_text=True)
        rows = body_rows(page.split('class="planner-table-scroll"', 1)[1])
        return [cells(row)[0].split(" ")[0] for row in rows]

    first = references({"sort": "case", "direction": "asc"})
    second = references({"sort": "case", "direction": "asc", "page": 2})
    assert first + second == unchanged
    assert references({"sort": "case", "direction": "desc"})[0] == unchanged[-1]
    # By default the highest risk comes first.
    page = viewer.get("/plans/1/unchanged").get_data(as_text=True)
    risks = [cells(row)[1] for row in body_rows(page.split('class="planner-table-scroll"', 1)[1])]
    order = [label(rosh) for rosh in reversed(Rosh)]
    assert [order.index(risk) for risk in risks] == sorted(order.index(risk) for risk in risks)
    assert 'aria-sort="descending"' in page
    assert "Showing <b>1</b> to <b>50</b>" in page


def test_the_workloads_part_sorts_filters_and_names_people(app: Flask, viewer: FlaskClient) -> None:
    page = viewer.get("/plans/1/workloads").get_data(as_text=True)
    rows = body_rows(page.split('class="planner-table-scroll"', 1)[1])
    assert rows and all('href="/staff/' in row for row in rows)
    after = [int(re.search(r"(\d+)%", cells(row)[1])[1]) for row in rows]
    assert after == sorted(after, reverse=True)
    by_name = viewer.get("/plans/1/workloads", query_string={"sort": "name"}).get_data(as_text=True)
    table = by_name.split('class="planner-table-scroll"')[1]
    names = [re.search(r"<a [^>]*>(.*?)</a>", row)[1] for row in body_rows(table)]
    assert names == sorted(names)
    someone = names[0].split()[0]
    only = viewer.get("/plans/1/workloads", query_string={"person": someone}).get_data(as_text=True)
    found = body_rows(only.split('class="planner-table-scroll"', 1)[1])
    assert found and all(someone in cells(row)[0] for row in found)


def test_the_review_pages_send_a_few_queries_whatever_the_size(
    app: Flask, viewer: FlaskClient
) -> None:
    from tests.planner.querycount import queries_during

    viewer.get("/plans/1")
    for path in ("/plans/1", "/plans/1/changes", "/plans/1/workloads", "/plans/1/unchanged"):
        with queries_during(app) as statements:
            assert viewer.get(path).status_code == 200
        assert len(statements) < 25, (path, len(statements))
