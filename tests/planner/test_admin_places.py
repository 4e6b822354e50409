"""Regions and sites: everyone reads them; admins add and change them; codes unique, upper-case."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.domain.vocabulary import Grade, Role, SiteKind, Vetting
from planner.extensions import db
from planner.models import AuditEvent, Region, Site, StaffMember
from planner.models.auditing import set_actor
from tests.conftest import count
from tests.planner.pages import body_rows, cells


@pytest.fixture
def london(app: Flask) -> dict[str, int]:
    """London with a prison and a PDU, and Wales with nothing in it yet."""
    with app.app_context():
        set_actor(db.session, "test")
        region = Region(name="London")
        prison = Site(code="HMP-BELMARSH", name="HMP Belmarsh", kind=SiteKind.PRISON, region=region)
        pdu = Site(code="PDU-CAMDEN", name="Camden PDU", kind=SiteKind.PDU, region=region)
        wales = Region(name="Wales")
        db.session.add_all([prison, pdu, wales])
        db.session.commit()
        return {"london": region.id, "wales": wales.id, "prison": prison.id, "pdu": pdu.id}


def counts(app: Flask) -> tuple[int, int, int]:
    """Regions, sites and audit lines: what an invalid form must not change."""
    return count(app, Region), count(app, Site), count(app, AuditEvent)


def site_row(app: Flask, site_id: int) -> tuple[str, str, SiteKind, int]:
    """A site as stored."""
    with app.app_context():
        site = db.session.get(Site, site_id)
        return site.code, site.name, site.kind, site.region_id


def region_cards(page: str) -> dict[str, str]:
    """Each region's card on the places page, by the region's name, in order."""
    cards = page.split('<section class="govuk-summary-card"')[1:]
    return {re.search(r'-title">([^<]+)</h3>', card)[1]: card for card in cards}


def site_rows(card: str) -> list[list[str]]:
    """The sites a region's card lists: code, name and kind."""
    return [cells(row)[:3] for row in body_rows(card)] if "<tbody" in card else []


def test_everyone_sees_the_regions_and_their_sites(
    london: dict[str, int], viewer: FlaskClient
) -> None:
    page = viewer.get("/settings/places").get_data(as_text=True)
    assert "<title>Regions and sites – Caseload planner</title>" in page
    cards = region_cards(page)
    assert list(cards) == ["London", "Wales"]
    assert site_rows(cards["London"]) == [
        ["HMP-BELMARSH", "HMP Belmarsh", "Prison"],
        ["PDU-CAMDEN", "Camden PDU", "Probation delivery unit"],
    ]
    assert "No sites yet." not in cards["London"]
    assert site_rows(cards["Wales"]) == []
    assert "No sites yet." in cards["Wales"]
    assert "Add a region" not in page and "Add a site" not in page


def test_an_admin_adds_a_region(app: Flask, admin: FlaskClient, london: dict[str, int]) -> None:
    response = admin.post("/settings/places/regions/new", data={"name": "  North West "})
    assert response.headers["Location"] == "/settings/places"
    assert "Added the region North West." in admin.get("/settings/places").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Region.id).where(Region.name == "North West"))
        line = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "region"))
        assert line.actor == "admin.user"


def test_an_admin_renames_a_region(app: Flask, admin: FlaskClient, london: dict[str, int]) -> None:
    page = admin.get(f"/settings/places/regions/{london['london']}").get_data(as_text=True)
    assert 'value="London"' in page
    response = admin.post(
        f"/settings/places/regions/{london['london']}", data={"name": "Greater London"}
    )
    assert response.headers["Location"] == "/settings/places"
    with app.app_context():
        assert db.session.get(Region, london["london"]).name == "Greater London"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the name of the region"),
        ("x" * 81, "The name must be 80 characters or fewer"),
        ("wales", "There is already a region called wales"),
    ],
)
def test_an_invalid_region_is_named_and_not_saved(
    app: Flask, admin: FlaskClient, london: dict[str, int], typed: str, message: str
) -> None:
    before = counts(app)
    for path in ("/settings/places/regions/new", f"/settings/places/regions/{london['london']}"):
        page = admin.post(path, data={"name": typed}).get_data(as_text=True)
        assert "<title>Error: " in page
        assert f'<a href="#name">{message}</a>' in page
        assert f'value="{typed}"' in page
    assert counts(app) == before
    with app.app_context():
        assert db.session.get(Region, london["london"]).name == "London"


def test_an_admin_adds_a_site_with_its_code_in_capitals(
    app: Flask, admin: FlaskClient, london: dict[str, int]
) -> None:
    page = admin.get(f"/settings/places/sites/new?region={london['wales']}").get_data(as_text=True)
    assert f'value="{london["wales"]}" checked' in page
    data = {
        "kind": "nsd",
        "code": " nsd-wales ",
        "name": "NSD Wales team",
        "region": london["wales"],
    }
    response = admin.post("/settings/places/sites/new", data=data)
    assert response.headers["Location"] == "/settings/places"
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "NSD-WALES"))
        assert (site.name, site.kind, site.region_id) == (
            "NSD Wales team",
            SiteKind.NSD,
            london["wales"],
        )


VALID_SITE = {"kind": "pdu", "code": "PDU-LAMBETH", "name": "Lambeth PDU"}
INVALID_SITES: list[tuple[dict[str, Any], str, str]] = [
    ({"kind": ""}, "kind", "Select the kind of site"),
    ({"code": ""}, "code", "Enter the site code, like HMP-BELMARSH"),
    ({"code": "LAMBETH"}, "code", "The code must be capital letters and numbers in parts joined by hyphens, like HMP-BELMARSH"),
    ({"code": "PDU_LAMBETH"}, "code", "The code must be capital letters and numbers in parts joined by hyphens, like HMP-BELMARSH"),
    ({"code": "HMP-LAMBETH"}, "code", "The code of a PDU must start PDU-, like PDU-CAMDEN"),
    ({"kind": "prison"}, "code", "The code of a prison must start HMP-, like HMP-BELMARSH"),
    ({"code": "PDU-CAMDEN"}, "code", "There is already a site with the code PDU-CAMDEN"),
    ({"code": "PDU-" + "X" * 40}, "code", "The code must be 40 characters or fewer"),
    ({"name": ""}, "name", "Enter the site name"),
    ({"region": ""}, "region", "Select the region"),
    ({"region": "999"}, "region", "Select the region"),
    ({"region": "London"}, "region", "Select the region"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "field", "message"), INVALID_SITES, ids=[f"{f}-{m}" for _, f, m in INVALID_SITES]
)
def test_an_invalid_site_is_named_kept_and_not_saved(
    app: Flask,
    admin: FlaskClient,
    london: dict[str, int],
    typed: dict[str, Any],
    field: str,
    message: str,
) -> None:
    before = counts(app)
    data = {**VALID_SITE, "region": london["london"], **typed}
    response = admin.post("/settings/places/sites/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add a site – Caseload planner</title>" in page
    assert f'<a href="#{field}">{message}</a>' in page
    assert f'value="{data["code"].strip().upper()}"' in page
    assert counts(app) == before


def test_an_admin_changes_a_site(app: Flask, admin: FlaskClient, london: dict[str, int]) -> None:
    page = admin.get(f"/settings/places/sites/{london['pdu']}").get_data(as_text=True)
    assert 'value="PDU-CAMDEN"' in page
    assert 'value="pdu" checked' in page
    data = {"kind": "pdu", "code": "PDU-CAMDEN-ISLINGTON", "name": "Camden and Islington PDU"}
    response = admin.post(
        f"/settings/places/sites/{london['pdu']}", data={**data, "region": london["wales"]}
    )
    assert response.headers["Location"] == "/settings/places"
    assert site_row(app, london["pdu"]) == (
        "PDU-CAMDEN-ISLINGTON", "Camden and Islington PDU", SiteKind.PDU, london["wales"],
    )  # fmt: skip


def test_a_site_keeps_its_own_code_when_saved_unchanged(
    app: Flask, admin: FlaskClient, london: dict[str, int]
) -> None:
    data = {
        "kind": "prison",
        "code": "HMP-BELMARSH",
        "name": "Belmarsh",
        "region": london["london"],
    }
    assert admin.post(f"/settings/places/sites/{london['prison']}", data=data).status_code == 302
    assert site_row(app, london["prison"])[1] == "Belmarsh"


def test_a_site_with_staff_cannot_change_kind(
    app: Flask, admin: FlaskClient, london: dict[str, int]
) -> None:
    with app.app_context():
        set_actor(db.session, "test")
        db.session.add(
            StaffMember(staff_ref="S-0001", name="Ash Example", role=Role.PRISON, grade=Grade.PO,
                        site_id=london["prison"], contracted_hours=37.0, vetting=Vetting.SC)
        )  # fmt: skip
        db.session.commit()
    before = (site_row(app, london["prison"]), counts(app))
    data = {"kind": "pdu", "code": "PDU-BELMARSH", "name": "Belmarsh", "region": london["london"]}
    page = admin.post(f"/settings/places/sites/{london['prison']}", data=data).get_data(
        as_text=True
    )
    message = "HMP-BELMARSH has staff or cases, so its kind cannot change: add a new site instead"
    assert f'<a href="#kind">{message}</a>' in page
    assert (site_row(app, london["prison"]), counts(app)) == before


def test_unknown_regions_and_sites_are_not_found(admin: FlaskClient) -> None:
    assert admin.get("/settings/places/regions/999").status_code == 404
    assert admin.get("/settings/places/sites/999").status_code == 404


def test_a_name_of_spaces_alone_is_no_name(
    app: Flask, admin: FlaskClient, london: dict[str, int]
) -> None:
    before = counts(app)
    page = admin.post("/settings/places/regions/new", data={"name": "   "}).get_data(as_text=True)
    assert '<a href="#name">Enter the name of the region</a>' in page
    assert counts(app) == before
