"""Access alerts, as pure decisions (ADR 0045): which looks at records an information governance lead
should review, and what may happen to an alert. No Django, no database: the scan feeds facts in.

Three rules:
- emergency access: every use of break glass is an alert;
- frequent viewing: more than a threshold of record views of one client by one practitioner in one
  London calendar day, whatever the relationship (the alert shows the reasons given);
- own surname and address: a practitioner opens the record of a client who shares a surname with
  them and lives at their home address or postcode.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
NOTE_MAX = 1000


class AlertRule(StrEnum):
    EMERGENCY_ACCESS = "emergency_access"
    FREQUENT_VIEWING = "frequent_viewing"
    OWN_SURNAME_AND_ADDRESS = "own_surname_and_address"

    @property
    def label(self) -> str:
        return {
            AlertRule.EMERGENCY_ACCESS: "Emergency access used",
            AlertRule.FREQUENT_VIEWING: "Viewed unusually often",
            AlertRule.OWN_SURNAME_AND_ADDRESS: "Client with the viewer's surname and address",
        }[self]


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


# The audit log's words for what the rules look at.
VIEW = "view"
EMERGENCY_ACCESS = "emergency_access"
ALERT_OBJECT = "AccessAlert"  # an information governance lead reading an alert is not a look at the record


def counts_as_record_view(action: str, outcome: str, object_type: str) -> bool:
    """A look at a client's record, or a part of it, that showed something (refusals show nothing)."""
    return action == VIEW and outcome == "success" and object_type != ALERT_OBJECT


def london_day(moment: datetime) -> date:
    """The calendar day in London of an aware instant: where a working day begins and ends."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(LONDON).date()


Key = tuple[int, int, date]  # practitioner, client, London day


@dataclass(frozen=True)
class Crossing:
    """A day a practitioner viewed one client more often than the threshold."""

    count: int  # views that day
    event_id: int  # the view that went over the threshold
    at: datetime  # when it happened


def frequent_viewing(views: Iterable[tuple[int, int, int, datetime]], threshold: int) -> dict[Key, Crossing]:
    """Of (event id, practitioner, client, when) record views, each day a practitioner viewed one client
    more than `threshold` times: how many times, and which view went over."""
    if threshold < 0:
        raise ValueError("the threshold is a number of views, 0 or more")
    days: dict[Key, list[tuple[int, datetime]]] = defaultdict(list)
    for event_id, who, client, when in views:
        days[(who, client, london_day(when))].append((event_id, when))
    found = {}
    for key, seen in days.items():
        if len(seen) > threshold:
            event_id, at = sorted(seen)[threshold]
            found[key] = Crossing(len(seen), event_id, at)
    return found


# --- Own surname and address ------------------------------------------------------------------


@dataclass(frozen=True)
class Household:
    """A person's surname and where they live, as the directory or the record holds them."""

    surname: str
    address: str = ""
    postcode: str = ""


def _letters(text: str) -> str:
    # Upper-cased first: casefold() leaves some letters alone (the dotless i, U+0131) whose capital
    # folds to another letter ("I" to "i"), and a name typed in capitals must fold the same.
    plain = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def surname_parts(surname: str) -> frozenset[str]:
    """ "O'Brien-Smith" -> {"obrien", "smith"}: apostrophes and accents ignored, parts of two letters or more."""
    parts = re.split(r"[\s\-]+", _letters(surname or ""))
    return frozenset(p for p in ("".join(c for c in part if c.isalpha()) for part in parts) if len(p) >= 2)


def normal_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode or "").upper()


def normal_address(address: str) -> str:
    words = re.split(r"[^0-9a-z]+", _letters(address or ""))
    return " ".join(word for word in words if word)


def same_household(staff: Household, client: Household) -> str | None:
    """How a practitioner and a client seem to share a home: "address", "postcode", or None.

    Both must share a surname (or a part of a double-barrelled one) and then the same address, else
    the same postcode; an empty address or postcode matches nothing.
    """
    if not surname_parts(staff.surname) & surname_parts(client.surname):
        return None
    address = normal_address(staff.address)
    if address and address == normal_address(client.address):
        return "address"
    postcode = normal_postcode(staff.postcode)
    if postcode and postcode == normal_postcode(client.postcode):
        return "postcode"
    return None


# --- Reviewing an alert -----------------------------------------------------------------------


class AlertChangeError(ValueError):
    """A change an alert in its present status cannot take; the message says why."""


ACKNOWLEDGE, CLOSE = "acknowledge", "close"
_NEXT = {
    (AlertStatus.OPEN, ACKNOWLEDGE): AlertStatus.ACKNOWLEDGED,
    (AlertStatus.OPEN, CLOSE): AlertStatus.CLOSED,
    (AlertStatus.ACKNOWLEDGED, CLOSE): AlertStatus.CLOSED,
}


def next_status(current: AlertStatus, change: str) -> AlertStatus:
    """Open -> acknowledged (someone is looking into it) -> closed (with what they found). Closed is final."""
    if change not in (ACKNOWLEDGE, CLOSE):
        raise AlertChangeError(f"No such change to an alert: {change}")
    found = _NEXT.get((AlertStatus(current), change))
    if found is None:
        raise AlertChangeError(
            "This alert is closed" if current == AlertStatus.CLOSED else "This alert is already acknowledged"
        )
    return found


def check_note(note: str | None) -> str:
    """The reviewer's note, trimmed: required, at most NOTE_MAX characters."""
    text = (note or "").strip()
    if not text:
        raise AlertChangeError("Write a note: what you did or found")
    if len(text) > NOTE_MAX:
        raise AlertChangeError(f"Keep the note to {NOTE_MAX} characters or fewer")
    return text
