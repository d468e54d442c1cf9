"""Errors that services raise and that pages and the API turn into answers."""

from __future__ import annotations


class NotFound(Exception):
    """Absent, or outside the actor's scope: the two must look the same."""

    def __init__(self, what: str = "record") -> None:
        super().__init__(f"No such {what}")
        self.what = what


class Refused(Exception):
    """The actor may see the record but may not do this to it; the message says why."""
