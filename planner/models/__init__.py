"""SQLAlchemy models, one module per aggregate."""

from planner.models.audit import AuditEvent
from planner.models.imports import PendingImport
from planner.models.notifications import Notification
from planner.models.people import Allocation, Case, Exclusion, Need
from planner.models.places import Region, Site
from planner.models.plans import (
    Alert,
    Forecast,
    OverrideCategory,
    PlanApproval,
    PlanRun,
    ProposedAssignment,
    StaffingAsk,
    WhatIf,
)
from planner.models.policy import PolicySetting
from planner.models.reach import CaseAccess, RegionAccess
from planner.models.staff import Absence, StaffMember
from planner.models.users import User

__all__ = [
    "Absence",
    "Alert",
    "Allocation",
    "AuditEvent",
    "Case",
    "CaseAccess",
    "Exclusion",
    "Forecast",
    "Need",
    "Notification",
    "OverrideCategory",
    "PendingImport",
    "PlanApproval",
    "PlanRun",
    "PolicySetting",
    "ProposedAssignment",
    "Region",
    "RegionAccess",
    "Site",
    "StaffMember",
    "StaffingAsk",
    "User",
    "WhatIf",
]
