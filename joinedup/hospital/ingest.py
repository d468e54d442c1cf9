"""Applying the feed's messages: a batch at a time, in arrival order, in one transaction.

For a batch the listener hands over: its people and message identities are
locked for the transaction (batch_locks: another listener process, an import or
a replay may be applying the same people); resends are found (one query) and get
their original acknowledgement; clients are found by NHS number (one query) and
newcomers registered (in bulk); each message is applied in order to the
in-memory spells (messages for the same person take effect in order); then the
batch's rows are written in bulk, its audit events in one chained insert, and
the follow-up rules carried out. The listener sends the acknowledgements only
after the commit. A batch that fails is retried one message at a time, so one
bad message cannot sink the others; a message that still fails is held on feed
exceptions with an AE, and if even that cannot be stored, nothing is
acknowledged and the sender will resend.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from joinedup.hospital import batch_locks, batch_state, config, followup, persist
from joinedup.hospital.adt import ack
from joinedup.hospital.adt.ack import Problem
from joinedup.hospital.adt.mapping import Received
from joinedup.hospital.batch_state import BatchState, ClientFacts
from joinedup.hospital.events import CREATES_CLIENT, ExceptionReason, FeedEvent, Happening
from joinedup.hospital.models import FeedMessage, MessageOutcome
from joinedup.hospital.rules import Bounce, Discharge, bounce
from joinedup.hospital.spells import Applied, Change, Refused, SpellKind, SpellStatus, apply

logger = logging.getLogger("joinedup.hospital")
_REASON_CODES = {
    ExceptionReason.UNKNOWN_PERSON: ack.UNKNOWN_KEY,
    ExceptionReason.NOTHING_TO_CANCEL: ack.UNKNOWN_KEY,
    ExceptionReason.IDENTITY_CONFLICT: ack.UNKNOWN_KEY,
    ExceptionReason.INCOMPLETE_DETAILS: ack.REQUIRED_FIELD_MISSING,
    ExceptionReason.NO_ACCOUNTABLE_TEAM: ack.UNKNOWN_KEY,
}


class ReplayRefused(Exception):
    """A held message, matched to a client by a person, still cannot apply (the text says why)."""


def apply_replay(received: Received) -> Outcome:
    """Apply a held message again, in the caller's transaction, after a person matched it to a client."""
    assert received.replay_of is not None
    return _apply([received], timezone.now())[0]


@dataclass(frozen=True)
class Outcome:
    ack: str
    code: str
    repeat: bool = False  # a resend: the original acknowledgement, no second effect


@dataclass
class Taken:
    """One new message of the batch, as it will be stored."""

    received: Received
    outcome: str = MessageOutcome.APPLIED
    code: str = ack.ACCEPT
    problem: Problem | None = None
    client: ClientFacts | None = None
    spell_key: int | None = None
    note: str = ""
    exception: tuple[ExceptionReason, str] | None = None
    applied: Applied | None = None
    ack: str = ""


@dataclass
class Work:
    now: datetime
    taken: list[Taken] = field(default_factory=list)
    registration_refused: dict[str, str] = field(default_factory=dict)
    registered_by: dict[str, int] = field(default_factory=dict)  # NHS number -> the message that registered it
    bounces: list[tuple[Taken, Bounce]] = field(default_factory=list)


def apply_batch(batch: list[Received], *, now: datetime | None = None) -> list[Outcome]:
    """Apply a batch and return one outcome per message, in order (acknowledge only after this returns)."""
    try:
        with transaction.atomic():
            return _apply(batch, now or timezone.now())
    except (OperationalError, InterfaceError):
        raise  # the database is not there: acknowledge nothing, the sender will resend
    except Exception as error:
        if len(batch) == 1:
            logger.exception("Feed message %s could not be applied", batch[0].control_id)
            return [_hold_failure(batch[0], error, now or timezone.now())]
        logger.warning("A batch of %d failed (%s): applying its messages one at a time", len(batch), error)
        return [outcome for item in batch for outcome in apply_batch([item], now=now)]


def _apply(batch: list[Received], now: datetime) -> list[Outcome]:
    work = Work(now)
    batch_locks.lock(batch)  # before anything is read: another process may be applying the same people
    stored = _stored_acks(batch)
    outcomes: list[Outcome | None] = [None] * len(batch)
    first_of: dict[tuple[str, str, str], Taken] = {}
    later: list[tuple[int, Taken]] = []
    fresh: list[tuple[int, Received]] = []
    for index, received in enumerate(batch):
        key = (received.facility, received.control_id, received.digest)
        if key in stored and received.replay_of is None:
            outcomes[index] = Outcome(stored[key], ack.code_of(stored[key]), repeat=True)
        elif key in first_of:
            later.append((index, first_of[key]))
        else:
            taken = Taken(received)
            first_of[key] = taken
            work.taken.append(taken)
            fresh.append((index, received))
    with_diagnoses = any(t.received.event is not None and t.received.event.diagnoses for t in work.taken)
    state = batch_state.load(_numbers(work.taken), diagnoses=with_diagnoses)
    _register_newcomers(state, work)
    for position, taken in enumerate(work.taken):
        _take(taken, state, work, position)
        if taken.received.replay_of is not None and taken.code != ack.ACCEPT:
            raise ReplayRefused(taken.exception[1] if taken.exception else "The message cannot be applied")
        taken.ack = taken.received.ack(taken.code, taken.problem, now)
    for (index, _), taken in zip(fresh, work.taken, strict=True):
        outcomes[index] = Outcome(taken.ack, taken.code)
    for index, taken in later:
        outcomes[index] = Outcome(taken.ack, taken.code, repeat=True)
    written = persist.write(work, state)
    followup.carry_out(work, state, written)
    return [outcome for outcome in outcomes if outcome is not None]


def _stored_acks(batch: list[Received]) -> dict[tuple[str, str, str], str]:
    """The acknowledgements already sent for messages of this batch (resends), in one query."""
    pairs = {(r.facility, r.control_id) for r in batch if r.replay_of is None}
    if not pairs:
        return {}
    rows: Iterable[tuple[str, str, str, str]]
    if connection.vendor == "postgresql":
        rows = _stored_by_pairs(sorted(pairs))
    else:
        facilities = {f for f, _ in pairs}
        control_ids = {c for _, c in pairs}
        rows = FeedMessage.objects.filter(facility__any_of=facilities, control_id__any_of=control_ids).values_list(
            "facility", "control_id", "digest", "ack"
        )
    return {(f, c, d): a for f, c, d, a in rows if (f, c) in pairs}


def _stored_by_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """PostgreSQL: one exact index lookup per (facility, MSH-10) pair. `facility = ANY(..) AND control_id =
    ANY(..)` read every message of the facility once its statistics were stale: 10-25 ms a batch of 100
    with 16,000 messages stored, growing with the table (bench/hospital_feed.py, statement statistics)."""
    table = FeedMessage._meta.db_table
    pairs_sql = "unnest(%s::text[], %s::text[]) AS k(facility, control_id)"
    on = "m.facility = k.facility AND m.control_id = k.control_id"
    sql = f"SELECT m.facility, m.control_id, m.digest, m.ack FROM {pairs_sql} JOIN {table} AS m ON {on}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [[f for f, _ in pairs], [c for _, c in pairs]])
        return cursor.fetchall()


def _number(taken: Taken) -> str | None:
    """Who a message that may take effect is about: the checked NHS number (mapping normalised it), or
    the client the sender already identified ("#<id>", see batch_state.client_key)."""
    event = taken.received.event
    if event is None or taken.received.refusal is not None or event.happening is Happening.MERGE:
        return None
    if taken.received.client_id is not None:
        return batch_state.client_key(taken.received.client_id)
    return event.person.nhs_number


def _numbers(taken: list[Taken]) -> set[str]:
    return {number for t in taken if (number := _number(t)) is not None}


def _register_newcomers(state: BatchState, work: Work) -> None:
    from joinedup.clients.registration import Newcomer, register_from_feed

    newcomers: dict[str, Newcomer] = {}
    for position, taken in enumerate(work.taken):
        number = _number(taken)
        event = taken.received.event
        if number is None or event is None or number in state.clients or number in newcomers:
            continue
        if taken.received.client_id is not None:
            continue  # about a client identified by the sender: never registers anyone
        if event.happening in CREATES_CLIENT:
            work.registered_by[number] = position
            person = event.person
            why = f"{event.happening.value.replace('_', ' ')} reported by {taken.received.facility or 'the hospital'}"
            newcomers[number] = Newcomer(
                number,
                person.given_name,
                person.family_name,
                person.date_of_birth,
                why,
                person.sex,
                person.address,
                person.postcode,
                person.phone,
                person.gp_practice_code,
            )
    if not newcomers:
        return
    registered = register_from_feed(config.feed_actor(), list(newcomers.values()), default_team=config.default_team())
    for client in registered.clients.values():
        state.add(client, new=True)
    work.registration_refused = registered.refused


def _hold(taken: Taken, code: str, problem: Problem, reason: ExceptionReason) -> None:
    taken.code, taken.problem = code, problem
    taken.outcome = MessageOutcome.REJECTED if code == ack.REJECT else MessageOutcome.HELD
    taken.exception = (reason, problem.text)
    taken.note = reason.label


def _take(taken: Taken, state: BatchState, work: Work, position: int) -> None:
    received, event = taken.received, taken.received.event
    if received.refusal is not None:
        refusal = received.refusal
        _hold(taken, refusal.ack_code, refusal.problem, refusal.reason)
        return
    assert event is not None
    if event.happening is Happening.MERGE:
        taken.outcome, taken.exception = MessageOutcome.HELD, (ExceptionReason.MERGE, _merge_text(event))
        taken.note = "Held for a person: records are never merged automatically"
        return
    number = _number(taken)
    client = state.clients.get(number or "")
    if client is not None and client.new and position < work.registered_by.get(client.nhs_number or "", 0):
        client = None  # registered by a later message of this batch: not known yet at this one
    if client is None:
        _unknown(taken, event, work.registration_refused.get(number or ""))
        return
    taken.client = client
    born = event.person.date_of_birth
    if born is not None and born != client.date_of_birth:
        text = "The date of birth in PID-7 is not the client's with this NHS number: a person must check"
        _hold(taken, ack.ERROR, Problem(ack.UNKNOWN_KEY, text, "PID", 7), ExceptionReason.IDENTITY_CONFLICT)
        return
    spells = state.spells.setdefault(client.id, [])
    try:
        applied = apply(event, client.id, spells, state.keys, config.rule_set().pathways)
    except Refused as refused:
        _hold(taken, ack.ERROR, Problem(ack.UNKNOWN_KEY, refused.text, "PV1", 19), refused.reason)
        return
    taken.applied = applied
    taken.spell_key = applied.spell.key if applied.spell is not None else None
    taken.note = applied.summary[:300]
    if applied.change is Change.ADMITTED and applied.spell is not None and applied.spell.kind is SpellKind.INPATIENT:
        _check_bounce(taken, spells, state, work)


def _unknown(taken: Taken, event: FeedEvent, refused: str | None) -> None:
    if refused:
        reason = ExceptionReason.NO_ACCOUNTABLE_TEAM if "team" in refused else ExceptionReason.INCOMPLETE_DETAILS
        text = f"The person could not be registered: {refused}"
    else:
        reason = ExceptionReason.UNKNOWN_PERSON
        text = f"No client has this NHS number, and a {event.happening.value.replace('_', ' ')} does not register one"
    _hold(taken, ack.ERROR, Problem(_REASON_CODES[reason], text, "PID", 3), reason)


def _merge_text(event: FeedEvent) -> str:
    merged = f" (record {event.merged_identifier} into this one)" if event.merged_identifier else ""
    return f"The hospital merged two of its records{merged}: a person checks whether JoinedUp's records agree"


def _check_bounce(taken: Taken, spells: list, state: BatchState, work: Work) -> None:
    spell = taken.applied.spell if taken.applied else None
    if spell is None or spell.admitted_at is None or taken.client is None:
        return
    discharges = [
        Discharge(s.key, s.discharged_at)
        for s in spells
        if s is not spell and s.status is SpellStatus.DISCHARGED and s.discharged_at is not None
    ]
    found = bounce(spell.admitted_at, discharges, state.open_follow_ups(taken.client.id), config.bounce_days())
    if found is not None:
        work.bounces.append((taken, found))


def _hold_failure(received: Received, error: Exception, now: datetime) -> Outcome:
    """A message that could not be applied even alone: held on feed exceptions with an AE (207)."""
    problem = Problem(ack.INTERNAL_ERROR, "JoinedUp could not apply this message; it is held for a person")
    text = received.ack(ack.ERROR, problem, now)
    with transaction.atomic():
        batch_locks.lock([received])
        stored = _stored_acks([received]).get((received.facility, received.control_id, received.digest))
        if stored is not None:
            return Outcome(stored, ack.code_of(stored), repeat=True)
        persist.store_failure(received, text, f"{type(error).__name__}: {error}"[:500], now)
    return Outcome(text, ack.ERROR)
