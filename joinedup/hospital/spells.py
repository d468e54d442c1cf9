"""What each event does to a client's spells: a pure state machine over plain data.

A spell is a hospital stay from admission to discharge. Events arrive in the
order the hospital sent them, but hospitals send late, twice and out of order;
the answers below are deterministic (ADR 0016):

- a discharge with no open stay opens the stay from the discharge itself
  ("discharge before admission"), so the follow-up it calls for is not lost;
  the admission, when it comes, fills in the stay and triggers nothing again;
- a transfer with no open stay opens one the same way;
- an admission repeated for an open stay updates it (no second admission);
- cancels act on the stay they name (visit number) or the latest that fits,
  and are refused when there is nothing to cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from joinedup.hospital.events import DiagnosisNote, ExceptionReason, FeedEvent, Happening


class SpellStatus(StrEnum):
    EXPECTED = "expected"
    ADMITTED = "admitted"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"


class SpellKind(StrEnum):
    INPATIENT = "inpatient"
    ATTENDANCE = "attendance"


class Change(StrEnum):
    """What happened to a spell (the journey's words); each is a line on the timeline."""

    ADMITTED = "admitted"
    REGISTERED = "registered"
    EXPECTED = "expected"
    MOVED = "moved"
    DISCHARGED = "discharged"
    UPDATED = "updated"
    ADMISSION_CANCELLED = "admission_cancelled"
    MOVE_CANCELLED = "move_cancelled"
    DISCHARGE_CANCELLED = "discharge_cancelled"
    ADMISSION_AFTER_DISCHARGE = "admission_after_discharge"
    PERSON_UPDATED = "person_updated"


@dataclass
class SpellState:
    """A spell as the batch sees it; `key` is its id, or a negative number until it is stored."""

    key: int
    client_id: int
    facility: str
    visit_number: str
    kind: SpellKind
    status: SpellStatus
    opened_by: str
    admitted_at: datetime | None = None
    discharged_at: datetime | None = None
    expected_at: datetime | None = None
    location: str = ""
    patient_class: str = ""
    consultant: str = ""
    discharge_method: str = ""
    discharge_destination: str = ""
    discharge_pathway: int | None = None
    lives_alone: bool | None = None
    earlier_locations: list[str] = field(default_factory=list)  # undone by a cancelled transfer
    diagnosis_codes: set[str] = field(default_factory=set)
    changed: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in (SpellStatus.ADMITTED, SpellStatus.EXPECTED)


@dataclass
class Applied:
    """The effect of one event on one client's spells."""

    spell: SpellState | None
    change: Change
    summary: str
    diagnoses: list[tuple[DiagnosisNote, bool]] = field(default_factory=list)  # (diagnosis, new to the client)
    triggers: set[str] = field(default_factory=set)  # admission, discharge, diagnosis
    opened: bool = False  # a new spell was opened
    undone: Change | None = None  # an admission or discharge cancelled: its follow-ups go too


@dataclass
class Refused(Exception):
    reason: ExceptionReason
    text: str


class Counter:
    """Temporary keys for spells opened in this batch (negative, so never an id)."""

    def __init__(self) -> None:
        self.next_key = -1

    def take(self) -> int:
        key = self.next_key
        self.next_key -= 1
        return key


def _matching(spells: list[SpellState], event: FeedEvent, statuses: tuple[SpellStatus, ...]) -> SpellState | None:
    """The spell this event is about: by visit number when sent, else the latest in one of the statuses."""
    candidates = [s for s in spells if s.facility == event.facility and s.status in statuses]
    if event.visit_number:
        named = [s for s in candidates if s.visit_number == event.visit_number]
        if named or any(s.visit_number for s in candidates):
            candidates = named
    return candidates[-1] if candidates else None


def _place(event: FeedEvent) -> str:
    return f" ({event.location})" if event.location else ""


# Discharge destinations of the NHS Data Dictionary, in words for the timeline (the code is kept as sent).
DESTINATIONS = {
    "19": "usual place of residence",
    "29": "temporary place of residence",
    "30": "a high security psychiatric hospital",
    "37": "court",
    "38": "a penal establishment or police station",
    "49": "another NHS hospital (high security psychiatric)",
    "50": "another NHS hospital (medium secure unit)",
    "51": "another NHS hospital",
    "52": "another NHS hospital (maternity or neonatal ward)",
    "53": "another NHS hospital (mental health or learning disabilities ward)",
    "54": "a care home with nursing",
    "65": "a local authority residential care home",
    "66": "local authority foster care",
    "79": "not applicable: died",
    "84": "a non-NHS hospital (medium secure unit)",
    "85": "a non-NHS care home with nursing",
    "87": "a non-NHS hospital",
    "88": "a non-NHS residential care home",
    "98": "not applicable: still in hospital",
}


def destination_words(code: str) -> str:
    return DESTINATIONS.get(code.strip(), code.strip())


def _new_spell(event: FeedEvent, client_id: int, keys: Counter, kind: SpellKind, status: SpellStatus) -> SpellState:
    return SpellState(
        key=keys.take(),
        client_id=client_id,
        facility=event.facility,
        visit_number=event.visit_number,
        kind=kind,
        status=status,
        opened_by=event.happening.value,
        admitted_at=event.admitted_at,
        location=event.location,
        patient_class=event.patient_class,
        consultant=event.consultant,
        lives_alone=event.person.lives_alone,
        changed=True,
    )


def _refresh(spell: SpellState, event: FeedEvent) -> None:
    """Details every message may bring up to date."""
    for name in ("location", "patient_class", "consultant"):
        value = getattr(event, name)
        if value and value != getattr(spell, name):
            setattr(spell, name, value)
            spell.changed = True
    if event.person.lives_alone is not None and event.person.lives_alone != spell.lives_alone:
        spell.lives_alone = event.person.lives_alone
        spell.changed = True


def apply(
    event: FeedEvent,
    client_id: int,
    spells: list[SpellState],
    keys: Counter,
    pathways: dict[str, int],
) -> Applied:
    """Apply one event to a client's spells (changed in place; a new spell is appended).

    A diagnosis code recorded in none of the client's other spells is new in this one.
    Raises Refused when the event cannot apply.
    """
    handler = _HANDLERS[event.happening]
    applied = handler(event, client_id, spells, keys, pathways)
    if applied.opened and applied.spell is not None:
        spells.append(applied.spell)
    if applied.spell is not None and event.diagnoses:
        known = {code for spell in spells if spell is not applied.spell for code in spell.diagnosis_codes}
        _record_diagnoses(applied, event.diagnoses, known)
    return applied


def _record_diagnoses(applied: Applied, notes: tuple[DiagnosisNote, ...], known_codes: set[str]) -> None:
    spell = applied.spell
    assert spell is not None
    for note in notes:
        if note.code in spell.diagnosis_codes:
            continue
        spell.diagnosis_codes.add(note.code)
        new_to_client = note.code not in known_codes
        applied.diagnoses.append((note, new_to_client))
        if new_to_client:
            applied.triggers.add("diagnosis")


def _admission(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, _: dict) -> Applied:
    kind = SpellKind.ATTENDANCE if event.happening is Happening.ATTENDANCE else SpellKind.INPATIENT
    found = _matching(spells, event, (SpellStatus.ADMITTED,)) or _matching(
        spells, event, (SpellStatus.EXPECTED, SpellStatus.DISCHARGED)
    )
    when = event.admitted_at or event.occurred_at
    if found is not None and found.status is SpellStatus.DISCHARGED:
        if found.opened_by in (Happening.DISCHARGE.value, Happening.TRANSFER.value) and found.kind is kind:
            if found.admitted_at is None:
                found.admitted_at = when
                found.changed = True
            return Applied(found, Change.ADMISSION_AFTER_DISCHARGE, "Hospital admission received after its discharge")
        found = None
    if found is not None and found.status is SpellStatus.ADMITTED:
        _refresh(found, event)
        return Applied(found, Change.UPDATED, f"Hospital admission repeated: details updated{_place(event)}")
    if found is not None:  # expected: the planned admission happens
        found.status, found.admitted_at, found.kind = SpellStatus.ADMITTED, when, kind
        found.changed = True
        _refresh(found, event)
        spell, opened = found, False
    else:
        spell, opened = _new_spell(event, client_id, keys, kind, SpellStatus.ADMITTED), True
        spell.admitted_at = when
    if kind is SpellKind.ATTENDANCE:
        return Applied(spell, Change.REGISTERED, f"Hospital attendance registered{_place(event)}", opened=opened)
    return Applied(
        spell, Change.ADMITTED, f"Admitted to hospital{_place(event)}", triggers={"admission"}, opened=opened
    )


def _pre_admission(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, _: dict) -> Applied:
    admitted = _matching(spells, event, (SpellStatus.ADMITTED,)) if event.visit_number else None
    if admitted is not None and admitted.visit_number == event.visit_number:
        _refresh(admitted, event)  # the stay it announces has begun already
        return Applied(admitted, Change.UPDATED, "Hospital admission details updated (already in hospital)")
    found = _matching(spells, event, (SpellStatus.EXPECTED,))
    spell = found or _new_spell(event, client_id, keys, SpellKind.INPATIENT, SpellStatus.EXPECTED)
    spell.expected_at = event.expected_at
    spell.changed = True
    _refresh(spell, event)
    when = f" on {event.expected_at:%d %b %Y}" if event.expected_at else ""
    return Applied(spell, Change.EXPECTED, f"Hospital admission expected{when}{_place(event)}", opened=found is None)


def _transfer(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, _: dict) -> Applied:
    found = _matching(spells, event, (SpellStatus.ADMITTED,))
    opened = found is None
    spell = found or _new_spell(event, client_id, keys, SpellKind.INPATIENT, SpellStatus.ADMITTED)
    if opened:
        spell.location = event.previous_location or ""
        spell.admitted_at = event.admitted_at
    if event.location and event.location != spell.location:
        spell.earlier_locations.append(spell.location)
        spell.location = event.location
        spell.changed = True
    _refresh(spell, event)
    return Applied(spell, Change.MOVED, f"Moved in hospital to {event.location or 'another place'}", opened=opened)


def pathway_for(event: FeedEvent, pathways: dict[str, int]) -> int | None:
    """The Discharge to Assess pathway (0-3) for the destination, from the configured mapping."""
    for key in (event.discharge_destination.strip().lower(), event.discharge_method.strip().lower()):
        if key and key in pathways:
            return pathways[key]
    return None


def _discharge(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, pathways: dict) -> Applied:
    found = _matching(spells, event, (SpellStatus.ADMITTED, SpellStatus.EXPECTED))
    if found is None and event.visit_number:
        repeat = _matching(spells, event, (SpellStatus.DISCHARGED,))
        if repeat is not None and repeat.visit_number == event.visit_number:
            _refresh(repeat, event)
            return Applied(repeat, Change.UPDATED, "Hospital discharge repeated: details updated")
    opened = found is None
    spell = found or _new_spell(event, client_id, keys, SpellKind.INPATIENT, SpellStatus.DISCHARGED)
    _refresh(spell, event)
    spell.status = SpellStatus.DISCHARGED
    spell.discharged_at = event.discharged_at or event.occurred_at
    spell.discharge_method = event.discharge_method
    spell.discharge_destination = event.discharge_destination
    spell.discharge_pathway = pathway_for(event, pathways)
    spell.changed = True
    where = f" to {destination_words(event.discharge_destination)}" if event.discharge_destination else ""
    before = " (its admission has not been received)" if opened else ""
    return Applied(
        spell, Change.DISCHARGED, f"Discharged from hospital{where}{before}", triggers={"discharge"}, opened=opened
    )


def _update(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, _: dict) -> Applied:
    found = _matching(spells, event, (SpellStatus.ADMITTED, SpellStatus.EXPECTED))
    if found is None:
        return Applied(None, Change.PERSON_UPDATED, "Hospital details received (no stay open)")
    _refresh(found, event)
    return Applied(found, Change.UPDATED, "Hospital stay details updated")


def _cancel_admission(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, _: dict) -> Applied:
    found = _matching(spells, event, (SpellStatus.ADMITTED, SpellStatus.EXPECTED))
    if found is None:
        raise Refused(ExceptionReason.NOTHING_TO_CANCEL, "An admission was cancelled, but no stay is open")
    found.status = SpellStatus.CANCELLED
    found.changed = True
    return Applied(
        found, Change.ADMISSION_CANCELLED, "Hospital admission cancelled (entered in error)", undone=Change.ADMITTED
    )


def _cancel_transfer(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, _: dict) -> Applied:
    found = _matching(spells, event, (SpellStatus.ADMITTED,))
    if found is None or not found.earlier_locations:
        raise Refused(ExceptionReason.NOTHING_TO_CANCEL, "A transfer was cancelled, but the stay has no move to undo")
    undone = found.location
    found.location = found.earlier_locations.pop()
    found.changed = True
    return Applied(
        found,
        Change.MOVE_CANCELLED,
        f"Move to {undone or 'another place'} cancelled: back in {found.location or 'the previous place'}",
    )


def _cancel_discharge(event: FeedEvent, client_id: int, spells: list[SpellState], keys: Counter, _: dict) -> Applied:
    found = _matching(spells, event, (SpellStatus.DISCHARGED,))
    if found is None:
        raise Refused(ExceptionReason.NOTHING_TO_CANCEL, "A discharge was cancelled, but no stay was discharged")
    if found.visit_number and any(
        s is not found and s.is_open and (s.facility, s.visit_number) == (found.facility, found.visit_number)
        for s in spells
    ):
        raise Refused(
            ExceptionReason.NOTHING_TO_CANCEL,
            "A discharge was cancelled, but its visit is open again in another stay: a person must check",
        )
    found.status = SpellStatus.ADMITTED
    found.discharged_at = None
    found.discharge_method = found.discharge_destination = ""
    found.discharge_pathway = None
    found.changed = True
    return Applied(
        found, Change.DISCHARGE_CANCELLED, "Hospital discharge cancelled: still in hospital", undone=Change.DISCHARGED
    )


_HANDLERS = {
    Happening.ADMISSION: _admission,
    Happening.ATTENDANCE: _admission,
    Happening.PRE_ADMISSION: _pre_admission,
    Happening.TRANSFER: _transfer,
    Happening.DISCHARGE: _discharge,
    Happening.UPDATE: _update,
    Happening.CANCEL_ADMISSION: _cancel_admission,
    Happening.CANCEL_TRANSFER: _cancel_transfer,
    Happening.CANCEL_DISCHARGE: _cancel_discharge,
}
