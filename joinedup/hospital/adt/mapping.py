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
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.hospital.adt import ack
from joinedup.hospital.adt.ack import Problem
from joinedup.hospital.adt.parser import Message, ParseError, parse, parse_message, split_segments
from joinedup.hospital.adt.text import decode
from joinedup.hospital.events import (
    DiagnosisNote,
    ExceptionReason,
    FeedEvent,
    Happening,
    NhsNumberStatus,
    Person,
)

LONDON = ZoneInfo("Europe/London")

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
NHS_AUTHORITIES = frozenset({"NHS", "NHSNBR", "NHSNMBR", "NHSNO", "2.16.840.1.113883.2.1.4.1"})
NHS_TYPES = frozenset({"NH", "NHS", "NHSNBR", "NHSNMBR"})
_VERIFIED_STATUS = "NSTS01"
_SEX = {"F": "female", "2": "female", "M": "male", "1": "male", "O": "other", "A": "other"}


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


@functools.lru_cache(maxsize=20_000)
def timestamp(value: str) -> datetime | None:
    """An HL7 TS/DTM (YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]); London time when no offset is given."""
    value = value.strip()
    offset = None
    for sign in ("+", "-"):
        if sign in value[8:]:
            value, zone = value.rsplit(sign, 1)
            if len(zone) == 4 and zone.isdigit():
                minutes = int(zone[:2]) * 60 + int(zone[2:])
                offset = timezone(timedelta(minutes=minutes if sign == "+" else -minutes))
            break
    digits = value.split(".", 1)[0]
    if len(digits) < 8 or not digits.isdigit():
        return None
    digits = (digits + "000000")[:14]
    try:
        naive = datetime(
            int(digits[:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            int(digits[12:14]),
        )
    except ValueError:
        return None
    return naive.replace(tzinfo=offset or LONDON).astimezone(UTC)


def _nhs_identifier(message: Message, pid: list[str] | None) -> str:
    for field in (3, 2):
        for repetition in message.repetitions(pid, field):
            components = message.components(repetition)
            authority = (
                components[3].split(message.delimiters.subcomponent)[0].strip().upper() if len(components) > 3 else ""
            )
            kind = components[4].strip().upper() if len(components) > 4 else ""
            if authority in NHS_AUTHORITIES or kind in NHS_TYPES:
                return components[0].strip()
    return ""


def _nhs_status(message: Message, pid: list[str] | None) -> tuple[NhsNumberStatus, str]:
    for repetition in message.repetitions(pid, 32):
        code = message.components(repetition)[0].strip().upper()
        if code.startswith("NSTS"):
            status = NhsNumberStatus.VERIFIED if code == _VERIFIED_STATUS else NhsNumberStatus.UNVERIFIED
            return status, code
    return NhsNumberStatus.NOT_STATED, ""


def _name(message: Message, pid: list[str] | None) -> tuple[str, str]:
    names = message.repetitions(pid, 5)
    chosen = names[0] if names else ""
    for repetition in names:
        parts = message.components(repetition)
        if len(parts) > 6 and parts[6].upper() == "L":
            chosen = repetition
            break
    parts = [*message.components(chosen), "", ""]
    family = parts[0].split(message.delimiters.subcomponent)[0]
    return parts[1].strip(), family.strip()


def _person(message: Message) -> Person:
    pid, pd1 = message.first("PID"), message.first("PD1")
    status, status_code = _nhs_status(message, pid)
    given, family = _name(message, pid)
    born = timestamp(message.value(pid, 7))
    address = message.components(message.repetitions(pid, 11)[0]) if message.repetitions(pid, 11) else []
    practice = message.components(message.repetitions(pd1, 3)[0]) if message.repetitions(pd1, 3) else []
    practice_code = next((practice[i].strip() for i in (2, 9) if len(practice) > i and practice[i].strip()), "")
    arrangement = message.value(pd1, 2).upper()
    return Person(
        nhs_number=_nhs_identifier(message, pid),
        nhs_number_status=status,
        nhs_number_status_code=status_code,
        given_name=given[:100],
        family_name=family[:100],
        date_of_birth=born.astimezone(LONDON).date() if born else None,
        sex=_SEX.get(message.value(pid, 8).upper()[:1], "unknown"),
        address=", ".join(part.strip() for part in address[:3] if part.strip())[:300],
        postcode=(address[4].strip().upper() if len(address) > 4 else "")[:10],
        phone=message.value(pid, 13)[:40],
        gp_practice_code=practice_code.upper()[:12],
        lives_alone=None if not arrangement else arrangement == "A",
        hospital_number=message.value(pid, 3)[:60],
    )


def _location(message: Message, pv1: list[str] | None, field: int) -> str:
    raw = message.repetitions(pv1, field)
    if not raw:
        return ""
    parts = message.components(raw[0])
    named = [part.strip() for part in parts[:3] if part.strip()]
    described = parts[8].strip() if len(parts) > 8 else ""
    return (" / ".join(named) or described)[:200]


def _diagnoses(message: Message) -> tuple[DiagnosisNote, ...]:
    notes = []
    for dg1 in message.all("DG1"):
        code = message.value(dg1, 3, 1, 1).strip().upper()
        if not code:
            continue
        text = message.value(dg1, 3, 1, 2).strip() or message.value(dg1, 4).strip()
        notes.append(
            DiagnosisNote(
                code=code[:20],
                text=text[:200],
                coding_system=message.value(dg1, 3, 1, 3)[:40],
                kind=message.value(dg1, 6)[:20],
                recorded_at=timestamp(message.value(dg1, 5)),
            )
        )
    return tuple(notes)


def _when(message: Message, *candidates: tuple[list[str] | None, int]) -> datetime | None:
    for segment, field in candidates:
        found = timestamp(message.value(segment, field))
        if found is not None:
            return found
    return None


def _event(message: Message, happening: Happening, facility: str) -> FeedEvent:
    msh, evn, pv1, pv2 = message.first("MSH"), message.first("EVN"), message.first("PV1"), message.first("PV2")
    if message.first("PID") is None:
        raise _Unacceptable(
            Problem(ack.REQUIRED_FIELD_MISSING, "The message has no PID segment", "PID"), ExceptionReason.NO_NHS_NUMBER
        )
    person = _person(message)
    admitted = _when(message, (pv1, 44))
    discharged = _when(message, (pv1, 45))
    recorded = _when(message, (evn, 6), (evn, 2), (msh, 7)) or datetime.now(UTC)
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
        location=_location(message, pv1, 3),
        previous_location=_location(message, pv1, 6),
        admitted_at=admitted,
        discharged_at=discharged,
        expected_at=_when(message, (pv2, 8)),
        discharge_method=message.value(pv1, 36)[:40],
        discharge_destination=message.value(pv1, 37)[:60],
        consultant=" ".join(part for part in (doctor[5:6] + doctor[2:3] + doctor[1:2]) if part)[:120],
        diagnoses=_diagnoses(message),
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
