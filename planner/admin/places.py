"""Regions and their sites: listing them, adding them and changing them."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from planner.admin.refusal import RefusedChange
from planner.domain.vocabulary import SiteKind
from planner.models import Case, Region, Site, StaffMember


def regions_with_sites(session: Session) -> list[Region]:
    """Every region by name, its sites loaded in the same few queries."""
    query = select(Region).options(selectinload(Region.sites)).order_by(Region.name)
    return list(session.scalars(query))


def region_choices(session: Session) -> list[tuple[int, str]]:
    """Every region's id and name, by name, to choose from."""
    return [
        tuple(row) for row in session.execute(select(Region.id, Region.name).order_by(Region.name))
    ]


def find_region(session: Session, region_id: int) -> Region | None:
    """The region with this id, if there is one."""
    return session.get(Region, region_id)


def find_site(session: Session, site_id: int) -> Site | None:
    """The site with this id, if there is one."""
    return session.get(Site, site_id)


def add_region(session: Session, name: str) -> Region:
    """A new region, unless one already has the name."""
    _check_region_name(session, name, None)
    region = Region(name=name)
    session.add(region)
    return region


def rename_region(session: Session, region: Region, name: str) -> None:
    """Give a region another name, unless another region has it."""
    _check_region_name(session, name, region.id)
    region.name = name


def add_site(session: Session, code: str, name: str, kind: SiteKind, region_id: int) -> Site:
    """A new prison, PDU or NSD team in a region, unless another site has the code."""
    _check_site_code(session, code, None)
    site = Site(code=code, name=name, kind=kind, region_id=_region_id(session, region_id))
    session.add(site)
    return site


def update_site(
    session: Session, site: Site, code: str, name: str, kind: SiteKind, region_id: int
) -> None:
    """Change a site; its kind only while nobody works or is held there."""
    _check_site_code(session, code, site.id)
    region_id = _region_id(session, region_id)
    if kind != site.kind and site_in_use(session, site):
        raise RefusedChange(
            "kind",
            f"{site.code} has staff or cases, so its kind cannot change: add a new site instead",
        )
    site.code, site.name, site.kind, site.region_id = code, name, kind, region_id


def site_in_use(session: Session, site: Site) -> bool:
    """Whether any practitioner works at the site or any case is there."""
    staff = exists().where(StaffMember.site_id == site.id)
    cases = exists().where(Case.site_id == site.id)
    return bool(session.scalar(select(staff | cases)))


def _region_id(session: Session, region_id: int) -> int:
    """A region that exists (it may have gone since the form was drawn)."""
    if session.get(Region, region_id) is None:
        raise RefusedChange("region", "Select the region the site is in")
    return region_id


def _check_region_name(session: Session, name: str, ignoring: int | None) -> None:
    """Region names are unique, whatever their capitals."""
    query = select(Region.id).where(func.lower(Region.name) == name.lower())
    if ignoring is not None:
        query = query.where(Region.id != ignoring)
    if session.scalar(query) is not None:
        raise RefusedChange("name", f"There is already a region called {name}")


def _check_site_code(session: Session, code: str, ignoring: int | None) -> None:
    """Site codes are unique."""
    query = select(Site.id).where(Site.code == code)
    if ignoring is not None:
        query = query.where(Site.id != ignoring)
    if session.scalar(query) is not None:
        raise RefusedChange("code", f"There is already a site with the code {code}")
