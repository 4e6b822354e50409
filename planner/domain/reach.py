"""Need-to-know: the regions a user may see, and whether they may open restricted cases."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reach:
    """What one user may see: every region (national) or some, and which restricted cases."""

    user_id: int | None
    national: bool
    region_ids: frozenset[int] = frozenset()
    # National admins may open every restricted case; everyone else only those naming them.
    every_restricted_case: bool = False

    @classmethod
    def everything(cls) -> Reach:
        """The reach of a command or a job: the whole country, restricted cases included."""
        return cls(user_id=None, national=True, every_restricted_case=True)
