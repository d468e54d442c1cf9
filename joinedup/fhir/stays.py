"""What an imported inpatient Encounter says happened in a hospital stay, as the feed's events. Pure.

An Encounter of class IMP becomes a spell: admitted at period.start (expected then, if planned), moved
at the start of each later location, discharged at period.end once finished, to the
hospitalization.dischargeDisposition. The spell is keyed on the source system and the encounter id:
the identifier the Encounter gives (official first), else its id under the name "FHIR import"; each
happening carries a key of its own, so applying a newer copy adds only what is new (ADR 0042).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from joinedup.hospital.events import DiagnosisNote, FeedEvent, Happening, Person

INPATIENT = "IMP"
DEFAULT_SOURCE = "FHIR import"
LONDON = ZoneInfo("Europe/London")
_STARTED = frozenset({"arrived", "triaged", "in-progress", "onleave", "finished"})
_CODE_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10": "ICD10", "http://snomed.info/sct": "SNOMED"}


@dataclass(frozen=True)
class Happened:
    key: str  # unique for the happening within its source: "Encounter/<id>|admission"
    event: FeedEvent


def instant(value: Any) -> datetime | None:
    """A FHIR dateTime as an aware datetime: a date alone is midnight in London; None if unreadable."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), LONDON)
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def stay_identity(encounter: dict[str, Any]) -> tuple[str, str]:
    """(source system, encounter id) that key the spell: at most 180 and 60 characters."""
    identifiers = [i for i in encounter.get("identifier") or [] if type(i) is dict and i.get("value")]
    identifiers.sort(key=lambda i: i.get("use") != "official")
    for identifier in identifiers:
        if identifier.get("system"):
            return str(identifier["system"])[:180], _short(str(identifier["value"]))
    return DEFAULT_SOURCE, _short(str(encounter.get("id") or ""))


def _short(value: str) -> str:
    return value if len(value) <= 60 else hashlib.sha256(value.encode()).hexdigest()[:60]


def _text(concept: Any) -> str:
    if type(concept) is not dict:
        return ""
    for coding in concept.get("coding") or []:
        if type(coding) is dict and coding.get("code"):
            return str(coding["code"])
    return str(concept.get("text") or "")


def _locations(encounter: dict[str, Any]) -> list[tuple[datetime | None, str]]:
    """(since, where) for each location of the stay, in order (those planned left out)."""
    found = []
    for index, item in enumerate(encounter.get("location") or []):
        if type(item) is not dict or item.get("status") == "planned":
            continue
        target = item.get("location")
        where = str(target.get("display") or target.get("reference") or "") if type(target) is dict else ""
        since = instant((item.get("period") or {}).get("start")) if type(item.get("period")) is dict else None
        found.append((since, index, where[:200]))
    found.sort(key=lambda f: (f[0] is None, f[0] or datetime.min.replace(tzinfo=UTC), f[1]))
    return [(since, where) for since, _, where in found if where]


def _diagnoses(encounter: dict[str, Any]) -> tuple[DiagnosisNote, ...]:
    notes: dict[str, DiagnosisNote] = {}
    for concept in encounter.get("reasonCode") or []:
        for coding in (concept.get("coding") or []) if type(concept) is dict else []:
            if type(coding) is dict and coding.get("code"):
                system = _CODE_SYSTEMS.get(str(coding.get("system")), str(coding.get("system") or "")[:40])
                code = str(coding["code"]).upper()[:20]
                notes.setdefault(code, DiagnosisNote(code, str(coding.get("display") or "")[:200], system))
    return tuple(notes.values())


def happenings(encounter: dict[str, Any]) -> list[Happened]:
    """The feed events of an inpatient Encounter, in order; none for another class, or a stay that
    did not happen (cancelled, entered in error) or says no time."""
    klass = encounter.get("class")
    status = encounter.get("status")
    if type(klass) is not dict or klass.get("code") != INPATIENT or status not in _STARTED | {"planned"}:
        return []
    facility, visit = stay_identity(encounter)
    period: dict[str, Any] = encounter["period"] if type(encounter.get("period")) is dict else {}
    start, end = instant(period.get("start")), instant(period.get("end"))
    if start is None or not visit:
        return []
    name = f"Encounter/{encounter.get('id')}"
    places = _locations(encounter)
    first = places[0][1] if places else ""
    base = FeedEvent(Happening.ADMISSION, start, Person(""), facility, visit, INPATIENT, first, admitted_at=start)
    if status == "planned":
        expected = FeedEvent(Happening.PRE_ADMISSION, start, Person(""), facility, visit, INPATIENT, first,
                             expected_at=start)  # fmt: skip
        return [Happened(f"{name}|expected", expected)]
    found = [Happened(f"{name}|admission", base)]
    before = first
    for number, (since, where) in enumerate(places[1:], start=1):
        when = since or start
        move = FeedEvent(
            Happening.TRANSFER, when, Person(""), facility, visit, INPATIENT, where, before, admitted_at=start
        )
        found.append(Happened(f"{name}|move {number}", move))
        before = where
    if status == "finished" and end is not None:
        hospitalization = encounter.get("hospitalization")
        destination = _text(hospitalization.get("dischargeDisposition")) if type(hospitalization) is dict else ""
        discharge = FeedEvent(
            Happening.DISCHARGE, end, Person(""), facility, visit, INPATIENT, before, admitted_at=start,
            discharged_at=end, discharge_destination=destination[:60], diagnoses=_diagnoses(encounter),
        )  # fmt: skip
        found.append(Happened(f"{name}|discharge", discharge))
    return found
