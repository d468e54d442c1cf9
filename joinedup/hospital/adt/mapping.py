"""From an HL7 v2 ADT message to a FeedEvent, or the reason it cannot be one. Pure.

Which triggers mean what (HL7 v2 chapter 3), where the NHS number is (PID-3,
or PID-2 in older feeds, with the NHS assigning authority) and how its
verification status is sent (PID-32, NSTS01-NSTS08, HSCIC ITK table 0445).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.hospital.adt import ack, segments
from joinedup.hospital.adt.ack import Problem
from joinedup.hospital.adt.parser import Message, ParseError, parse, parse_message, split_segments
from joinedup.hospital.adt.text import decode
from joinedup.hospital.events import (
    ExceptionReason,
    FeedEvent,
    Happening,
    NhsNumberStatus,
    Person,
)

TRIGGERS = {
    "A01": Happening.ADMISSION,
    "A02": Happening.TRANSFER,
    "A03": Happening.DISCHARGE,
    "A04": Happening.ATTENDANCE,
    "A05": Happening.PRE_ADMISSION,
    "A08": Happening.UPDATE,
    "A11": Happening.CANCEL_ADMISSION,
    "A12": Happening.CANCEL_TRANSFER,
    "A13": Happening.CANCEL_DISCHARGE,
    # Merges and identifier changes: a person decides (feed exceptions), never automatic.
    "A18": Happening.MERGE,
    "A30": Happening.MERGE,
    "A34": Happening.MERGE,
    "A35": Happening.MERGE,
    "A36": Happening.MERGE,
    "A39": Happening.MERGE,
    "A40": Happening.MERGE,
    "A41": Happening.MERGE,
    "A42": Happening.MERGE,
}


# Assigning authorities (CX-4) and identifier types (CX-5) that mark the NHS number in UK feeds.
@dataclass(frozen=True)
class Refusal:
    """A message that cannot take effect by itself: the ACK code, the HL7 problem and the domain reason."""

    ack_code: str
    problem: Problem
    reason: ExceptionReason


@dataclass(frozen=True)
class Received:
    """One message as read: its identity (for idempotency), and an event or a refusal."""

    text: str
    message: Message | None
    facility: str
    control_id: str
    digest: str
    message_type: str
    event: FeedEvent | None = None
    refusal: Refusal | None = None
    replay_of: int | None = None  # a held message applied again after a person matched it (its id)
    # The client, when the sender identified them otherwise than by NHS number (a FHIR import's Patient).
    client_id: int | None = None

    def ack(self, code: str, problem: Problem | None, now: datetime) -> str:
        return ack.build(self.message, code, problem, now)


def _reject(text: str, problem: Problem, reason: ExceptionReason, message: Message | None = None) -> Received:
    facility, control_id, message_type = "", "", ""
    if message is not None:
        msh = message.first("MSH")
        facility = message.raw(msh, 4) or message.raw(msh, 3)
        control_id = message.raw(msh, 10)
        message_type = message.raw(msh, 9)
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return Received(
        text,
        message,
        facility[:180],
        control_id[:199],
        digest,
        message_type[:40],
        refusal=Refusal(ack.REJECT, problem, reason),
    )


def read(data: bytes | str) -> tuple[list[Received], bool]:
    """Every message in a frame (one, or a batch), and whether it came as a batch."""
    text = decode(data) if isinstance(data, bytes) else data
    try:
        envelope = parse(text)
    except ParseError as error:
        return [
            _reject(text, Problem(ack.DATA_TYPE_ERROR, f"Not an HL7 v2 message: {error}"), ExceptionReason.UNREADABLE)
        ], False
    if not envelope.messages:
        problem = Problem(ack.REQUIRED_FIELD_MISSING, "The batch holds no message", "MSH")
        return [_reject(text, problem, ExceptionReason.UNREADABLE)], envelope.is_batch
    return [read_message(message) for message in envelope.messages], envelope.is_batch


def _digest(message: Message) -> str:
    """The message's content without MSH-7 (a sender may stamp a resend anew): what makes a resend a resend."""
    parts = []
    for segment in message.segments:
        if segment[0] == "MSH" and len(segment) > 7:
            segment = [*segment[:7], "", *segment[8:]]
        parts.append("|".join(segment))
    return hashlib.blake2b("\r".join(parts).encode(), digest_size=16).hexdigest()


def read_message(message: Message) -> Received:
    msh = message.first("MSH")
    text = message.to_er7()
    if msh is None or message.segments[0][0] != "MSH":
        return _reject(
            text,
            Problem(ack.REQUIRED_FIELD_MISSING, "The message has no MSH segment", "MSH"),
            ExceptionReason.UNREADABLE,
            message,
        )
    facility = (message.raw(msh, 4) or message.raw(msh, 3))[:180]
    control_id = message.raw(msh, 10)[:199]
    base = Received(text, message, facility, control_id, _digest(message), message.raw(msh, 9)[:40])
    problem = _header_problem(message, msh)
    if problem is not None:
        return _refused(base, *problem)
    trigger = message.value(msh, 9, 1, 2) or message.value(message.first("EVN"), 1)
    happening = TRIGGERS.get(trigger.upper())
    if happening is None:
        return _refused(
            base,
            ack.REJECT,
            Problem(ack.UNSUPPORTED_EVENT_CODE, f"ADT^{trigger} is not taken by JoinedUp", "MSH", 9),
            ExceptionReason.NOT_SUPPORTED,
        )
    try:
        event = _event(message, happening, facility)
    except _Unacceptable as error:
        return _refused(base, ack.ERROR, error.problem, error.reason)
    if happening is Happening.MERGE:
        return Received(base.text, message, facility, control_id, base.digest, base.message_type, event)
    refusal = identity_refusal(event.person)
    if refusal is None:  # from here on the NHS number is its ten digits, checked once
        event = replace(event, person=replace(event.person, nhs_number=_checked(event.person.nhs_number)))
    return Received(base.text, message, facility, control_id, base.digest, base.message_type, event, refusal)


def _refused(
    base: Received, code: str, problem: Problem, reason: ExceptionReason, event: FeedEvent | None = None
) -> Received:
    return Received(
        base.text,
        base.message,
        base.facility,
        base.control_id,
        base.digest,
        base.message_type,
        event,
        Refusal(code, problem, reason),
    )


@functools.lru_cache(maxsize=100_000)
def _checked(number: str) -> str:
    """The NHS number's ten digits, or the reason it is not valid (a feed names the same people again and again)."""
    try:
        return normalise(number)
    except InvalidNhsNumber as error:
        return f"!{error}"


def identity_refusal(person: Person) -> Refusal | None:
    """Missing, invalid or unverified NHS number: understood, not acceptable by itself (AE)."""
    if not person.nhs_number:
        return Refusal(
            ack.ERROR,
            Problem(ack.REQUIRED_FIELD_MISSING, "No NHS number in PID-3", "PID", 3),
            ExceptionReason.NO_NHS_NUMBER,
        )
    checked = _checked(person.nhs_number)
    if checked.startswith("!"):
        error = checked[1:]
        return Refusal(
            ack.ERROR, Problem(ack.DATA_TYPE_ERROR, f"PID-3: {error}", "PID", 3), ExceptionReason.INVALID_NHS_NUMBER
        )
    if person.nhs_number_status is NhsNumberStatus.UNVERIFIED:
        text = f"The NHS number is not verified ({person.nhs_number_status_code}): a person must match it"
        return Refusal(
            ack.ERROR, Problem(ack.TABLE_VALUE_NOT_FOUND, text, "PID", 32), ExceptionReason.UNVERIFIED_NHS_NUMBER
        )
    return None


def _header_problem(message: Message, msh: list[str]) -> tuple[str, Problem, ExceptionReason] | None:
    d = message.delimiters
    if len(msh) < 3 or msh[1] != d.field or len(msh[2]) < 2 or d.escape in (d.field, d.component):
        return (
            ack.REJECT,
            Problem(ack.DATA_TYPE_ERROR, "MSH-2 does not hold the encoding characters", "MSH", 2),
            ExceptionReason.UNREADABLE,
        )
    if not message.raw(msh, 10).strip():
        return (
            ack.REJECT,
            Problem(ack.REQUIRED_FIELD_MISSING, "MSH-10 (message control id) is empty", "MSH", 10),
            ExceptionReason.UNREADABLE,
        )
    version = message.value(msh, 12)
    if not version.startswith("2."):
        return (
            ack.REJECT,
            Problem(ack.UNSUPPORTED_VERSION, f"HL7 version {version or '(none)'} is not taken", "MSH", 12),
            ExceptionReason.NOT_SUPPORTED,
        )
    if message.value(msh, 9).upper() != "ADT":
        kind = message.value(msh, 9) or "(none)"
        return (
            ack.REJECT,
            Problem(ack.UNSUPPORTED_MESSAGE_TYPE, f"{kind} messages are not taken: only ADT", "MSH", 9),
            ExceptionReason.NOT_SUPPORTED,
        )
    return None


class _Unacceptable(Exception):
    def __init__(self, problem: Problem, reason: ExceptionReason) -> None:
        super().__init__(problem.text)
        self.problem, self.reason = problem, reason


def _event(message: Message, happening: Happening, facility: str) -> FeedEvent:
    msh, evn, pv1, pv2 = message.first("MSH"), message.first("EVN"), message.first("PV1"), message.first("PV2")
    if message.first("PID") is None:
        raise _Unacceptable(
            Problem(ack.REQUIRED_FIELD_MISSING, "The message has no PID segment", "PID"), ExceptionReason.NO_NHS_NUMBER
        )
    person = segments.person(message)
    admitted = segments.when(message, (pv1, 44))
    discharged = segments.when(message, (pv1, 45))
    recorded = segments.when(message, (evn, 6), (evn, 2), (msh, 7)) or datetime.now(UTC)
    occurred = {Happening.ADMISSION: admitted, Happening.DISCHARGE: discharged}.get(happening) or recorded
    mrg = message.first("MRG")
    doctor = message.components(message.repetitions(pv1, 7)[0]) if message.repetitions(pv1, 7) else []
    return FeedEvent(
        happening=happening,
        occurred_at=occurred,
        person=person,
        facility=facility,
        visit_number=message.value(pv1, 19)[:60],
        patient_class=message.value(pv1, 2)[:20],
        location=segments.location(message, pv1, 3),
        previous_location=segments.location(message, pv1, 6),
        admitted_at=admitted,
        discharged_at=discharged,
        expected_at=segments.when(message, (pv2, 8)),
        discharge_method=message.value(pv1, 36)[:40],
        discharge_destination=message.value(pv1, 37)[:60],
        consultant=" ".join(part for part in (doctor[5:6] + doctor[2:3] + doctor[1:2]) if part)[:120],
        diagnoses=segments.diagnoses(message),
        merged_identifier=message.value(mrg, 1)[:60] if mrg else "",
    )


def oversized(head: bytes, limit: int) -> Received:
    """A frame over the size limit: rejected (AR), with its first bytes kept for the feed exception."""
    text = decode(head)
    message = None
    with contextlib.suppress(ParseError, IndexError):
        message = parse_message(split_segments(text)[0])
    problem = Problem(ack.VALUE_TOO_LONG, f"The message is longer than {limit} bytes: it was not read")
    return _reject(text + "\n[cut off]", problem, ExceptionReason.UNREADABLE, message)


def read_message_text(text: str) -> Received:
    """One message's text, read (for benchmarks and tools; the listener reads frames with `read`)."""
    return read_message(parse_message(text))
