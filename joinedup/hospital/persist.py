"""Storing a batch: its messages, spells, journey, diagnoses, timeline lines, feed exceptions and
audit events, in bulk (see writes.py), inside the batch's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from joinedup.clients.models import TimelineEvent
from joinedup.core import audit
from joinedup.core import bulk as writes
from joinedup.core.audit import Entry
from joinedup.hospital import config
from joinedup.hospital.adt import ack
from joinedup.hospital.adt.mapping import Received
from joinedup.hospital.batch_state import BatchState
from joinedup.hospital.events import ExceptionReason
from joinedup.hospital.models import Diagnosis, FeedException, FeedMessage, MessageOutcome, Spell, SpellEvent
from joinedup.hospital.spells import SpellState

if TYPE_CHECKING:
    from joinedup.hospital.ingest import Taken, Work

SOURCE = "hospital"
_SPELL_COLUMNS = (
    "client_id",
    "facility",
    "visit_number",
    "kind",
    "status",
    "opened_by",
    "admitted_at",
    "discharged_at",
    "expected_at",
    "location",
    "patient_class",
    "consultant",
    "discharge_method",
    "discharge_destination",
    "discharge_pathway",
    "lives_alone",
    "earlier_locations",
    "updated_at",
)
_MESSAGE_COLUMNS = (
    "id",
    "facility",
    "control_id",
    "digest",
    "message_type",
    "received_at",
    "outcome",
    "ack_code",
    "ack",
    "raw",
    "client_id",
    "spell_id",
    "note",
)
_EVENT_COLUMNS = ("spell_id", "client_id", "change", "occurred_at", "summary", "location", "message_id", "recorded_at")
_DIAGNOSIS_COLUMNS = (
    "spell_id",
    "client_id",
    "code",
    "text",
    "coding_system",
    "kind",
    "recorded_at",
    "new_in_spell",
    "created_at",
)
_TIMELINE_COLUMNS = ("client_id", "occurred_at", "kind", "summary", "source", "actor_id", "object_type", "object_id")
_EXCEPTION_COLUMNS = ("message_id", "reason", "detail", "owner_team_id", "status", "created_at", "resolution_note")


@dataclass
class Written:
    spell_ids: dict[int, int] = field(default_factory=dict)  # spell key -> id
    message_ids: list[int] = field(default_factory=list)  # per taken message, in order

    def spell_id(self, key: int | None) -> int | None:
        if key is None:
            return None
        return self.spell_ids.get(key, key if key > 0 else None)


def _spell_values(spell: SpellState, now: datetime) -> tuple:
    return (
        spell.client_id,
        spell.facility,
        spell.visit_number,
        spell.kind.value,
        spell.status.value,
        spell.opened_by,
        spell.admitted_at,
        spell.discharged_at,
        spell.expected_at,
        spell.location,
        spell.patient_class,
        spell.consultant,
        spell.discharge_method,
        spell.discharge_destination,
        spell.discharge_pathway,
        spell.lives_alone,
        spell.earlier_locations,
        now,
    )


def _write_spells(state: BatchState, now: datetime, written: Written) -> None:
    new, changed = [], []
    for spells in state.spells.values():
        for spell in spells:
            if spell.key < 0:
                new.append(spell)
            elif spell.changed:
                changed.append(spell)
    ids = writes.allocate_ids(Spell, len(new))
    for spell, spell_id in zip(new, ids, strict=True):
        written.spell_ids[spell.key] = spell_id
    writes.insert(
        Spell,
        ("id", "created_at", *_SPELL_COLUMNS),
        [(i, now, *_spell_values(s, now)) for s, i in zip(new, ids, strict=True)],
    )
    writes.update(Spell, _SPELL_COLUMNS, [(s.key, *_spell_values(s, now)) for s in changed])


def _message_row(taken: Taken, message_id: int, written: Written, now: datetime) -> tuple:
    received = taken.received
    return (
        message_id,
        received.facility,
        received.control_id,
        received.digest,
        received.message_type,
        now,
        taken.outcome,
        taken.code,
        taken.ack,
        received.text,
        taken.client.id if taken.client else None,
        written.spell_id(taken.spell_key),
        taken.note[:300],
    )


def _audit_reason(received: Received) -> str:
    return f"hospital feed: {received.message_type or 'message'} {received.control_id} from {received.facility}"


def _write_messages(work: Work, written: Written, now: datetime) -> list[tuple[Taken, int]]:
    """One FeedMessage per message (a replayed one, matched by a person, is updated instead)."""
    fresh = [t for t in work.taken if t.received.replay_of is None]
    ids = iter(writes.allocate_ids(FeedMessage, len(fresh)))
    written.message_ids = [t.received.replay_of or next(ids) for t in work.taken]
    pairs = list(zip(work.taken, written.message_ids, strict=True))
    rows = [_message_row(t, i, written, now) for t, i in pairs if not t.received.replay_of]
    writes.insert(FeedMessage, _MESSAGE_COLUMNS, rows)
    for taken, message_id in pairs:
        if taken.received.replay_of:
            FeedMessage.objects.filter(pk=message_id).update(
                outcome=taken.outcome,
                client_id=taken.client.id if taken.client else None,
                spell_id=written.spell_id(taken.spell_key),
                note=taken.note[:300],
            )
    return pairs


@dataclass
class _Rows:
    """The batch's journey lines, diagnoses, timeline lines, feed exceptions and audit events."""

    now: datetime
    written: Written
    events: list[tuple] = field(default_factory=list)
    diagnoses: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    exceptions: list[tuple] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    def held(self, taken: Taken, message_id: int, owner: int | None) -> None:
        assert taken.exception is not None
        why, detail = taken.exception
        self.exceptions.append((message_id, why.value, detail[:500], owner, "open", self.now, ""))
        client_id = taken.client.id if taken.client else None
        detail_of = {"reason": why.value, "ack": taken.code}
        self.entries.append(
            Entry("create", "FeedException", message_id, client_id, _audit_reason(taken.received), detail=detail_of)
        )

    def applied(self, taken: Taken, message_id: int) -> None:
        applied, event = taken.applied, taken.received.event
        if applied is None or taken.client is None or event is None:
            return
        client_id, spell_id = taken.client.id, self.written.spell_id(taken.spell_key)
        change, at, summary = applied.change.value, event.occurred_at, applied.summary
        location = applied.spell.location if applied.spell else ""
        self.events.append((spell_id, client_id, change, at, summary[:300], location, message_id, self.now))
        self._line(client_id, at, f"hospital_{change}", summary, spell_id)
        for note, new in applied.diagnoses:
            self.diagnoses.append(
                (
                    spell_id,
                    client_id,
                    note.code,
                    note.text,
                    note.coding_system,
                    note.kind,
                    note.recorded_at,
                    new,
                    self.now,
                )
            )
            if new:
                self._line(
                    client_id,
                    at,
                    "hospital_diagnosis",
                    f"Diagnosis recorded in hospital: {note.code} {note.text}".strip(),
                    spell_id,
                )
        self.entries.append(
            Entry(
                "update",
                "Spell",
                spell_id or "",
                client_id,
                _audit_reason(taken.received),
                detail={"change": change, "message": message_id},
            )
        )

    def _line(self, client_id: int, at: datetime, kind: str, summary: str, spell_id: int | None) -> None:
        object_type = "Spell" if spell_id else ""
        self.lines.append((client_id, at, kind, summary[:500], SOURCE, None, object_type, str(spell_id or "")))

    def store(self) -> None:
        writes.insert(SpellEvent, _EVENT_COLUMNS, self.events)
        writes.insert(Diagnosis, _DIAGNOSIS_COLUMNS, self.diagnoses)
        writes.insert(TimelineEvent, _TIMELINE_COLUMNS, self.lines)
        writes.insert(FeedException, _EXCEPTION_COLUMNS, self.exceptions)
        audit.record_many(config.feed_actor(), self.entries)


def write(work: Work, state: BatchState) -> Written:
    """Store the batch: spells, messages, journey, diagnoses, timeline, feed exceptions, audit events."""
    written = Written()
    _write_spells(state, work.now, written)
    pairs = _write_messages(work, written, work.now)
    owner = config.integration_team().pk if any(t.exception for t in work.taken) else None
    rows = _Rows(work.now, written)
    for taken, message_id in pairs:
        if taken.exception is not None:
            rows.held(taken, message_id, owner)
        else:
            rows.applied(taken, message_id)
    rows.store()
    return written


def store_failure(received: Received, ack_text: str, detail: str, now: datetime) -> None:
    """A message that could not be applied: stored, acknowledged AE, and held for a person."""
    message = FeedMessage.objects.create(
        facility=received.facility,
        control_id=received.control_id,
        digest=received.digest,
        message_type=received.message_type,
        received_at=now,
        outcome=MessageOutcome.HELD,
        ack_code=ack.ERROR,
        ack=ack_text,
        raw=received.text,
        note="Could not be applied",
    )
    FeedException.objects.create(
        message=message,
        reason=ExceptionReason.FAILED,
        detail=detail,
        owner_team=config.integration_team(),
        created_at=now,
    )
    audit.record(
        config.feed_actor(),
        "create",
        object_type="FeedException",
        object_id=message.pk,
        reason=_audit_reason(received),
        detail={"reason": ExceptionReason.FAILED.value},
    )
