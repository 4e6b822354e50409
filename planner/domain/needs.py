"""What managers call a case's needs: POM, COM, co-working COM, or an additional one."""

from __future__ import annotations

from typing import Protocol


class NamedNeed(Protocol):
    """What naming reads of a need."""

    key: str
    role: str


def need_name(need: NamedNeed) -> str:
    """A need as managers call it: POM, COM, co-working COM, or an extra one a manager added."""
    return need_name_for(need.key, need.role)


def need_name_for(key: str, role: str) -> str:
    """The name of a need of this key and role."""
    title = "POM" if role == "prison" else "COM"
    if key.endswith("_coworker"):
        return f"Co-working {title}"
    if key.startswith("manager_"):
        return f"Additional {title}"
    return title
