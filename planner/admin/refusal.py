"""A change the rules refuse, said on the field of the form it concerns."""

from __future__ import annotations


class RefusedChange(Exception):
    """A change the rules do not allow, with the form field it concerns and what to tell people."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
