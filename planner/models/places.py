"""Regions and the sites in them: prisons, probation delivery units and NSD teams."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.domain.vocabulary import SiteKind
from planner.extensions import db
from planner.models.types import enum_type


class Region(db.Model):
    """A probation region, such as London."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    sites: Mapped[list[Site]] = relationship(back_populates="region", order_by="Site.code")

    def __repr__(self) -> str:
        return f"<Region {self.name}>"


class Site(db.Model):
    """A prison, a probation delivery unit (PDU) or a National Security Division team."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[SiteKind] = mapped_column(enum_type(SiteKind, "site_kind"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)

    region: Mapped[Region] = relationship(back_populates="sites")

    def __repr__(self) -> str:
        return f"<Site {self.code}>"
