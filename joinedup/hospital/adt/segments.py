"""Reading the segments of an ADT message: the person (PID, PD1), the place (PV1), diagnoses (DG1),
times. Pure.

Where UK feeds put things: the NHS number in PID-3 (or PID-2 in older feeds) with the NHS as
assigning authority or identifier type; its verification status in PID-32 (NSTS01-NSTS08, HSCIC
ITK table 0445); the GP practice in PD1-3; living arrangement in PD1-2 (A: alone).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from joinedup.hospital.adt.parser import Message
from joinedup.hospital.events import DiagnosisNote, NhsNumberStatus, Person

LONDON = ZoneInfo("Europe/London")

NHS_AUTHORITIES = frozenset({"NHS", "NHSNBR", "NHSNMBR", "NHSNO", "2.16.840.1.113883.2.1.4.1"})
NHS_TYPES = frozenset({"NH", "NHS", "NHSNBR", "NHSNMBR"})
_VERIFIED_STATUS = "NSTS01"
_SEX = {"F": "female", "2": "female", "M": "male", "1": "male", "O": "other", "A": "other"}


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


def nhs_identifier(message: Message, pid: list[str] | None) -> str:
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


def nhs_status(message: Message, pid: list[str] | None) -> tuple[NhsNumberStatus, str]:
    for repetition in message.repetitions(pid, 32):
        code = message.components(repetition)[0].strip().upper()
        if code.startswith("NSTS"):
            status = NhsNumberStatus.VERIFIED if code == _VERIFIED_STATUS else NhsNumberStatus.UNVERIFIED
            return status, code
    return NhsNumberStatus.NOT_STATED, ""


def name(message: Message, pid: list[str] | None) -> tuple[str, str]:
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


def person(message: Message) -> Person:
    pid, pd1 = message.first("PID"), message.first("PD1")
    status, status_code = nhs_status(message, pid)
    given, family = name(message, pid)
    born = timestamp(message.value(pid, 7))
    address = message.components(message.repetitions(pid, 11)[0]) if message.repetitions(pid, 11) else []
    practice = message.components(message.repetitions(pd1, 3)[0]) if message.repetitions(pd1, 3) else []
    practice_code = next((practice[i].strip() for i in (2, 9) if len(practice) > i and practice[i].strip()), "")
    arrangement = message.value(pd1, 2).upper()
    return Person(
        nhs_number=nhs_identifier(message, pid),
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


def location(message: Message, pv1: list[str] | None, field: int) -> str:
    raw = message.repetitions(pv1, field)
    if not raw:
        return ""
    parts = message.components(raw[0])
    named = [part.strip() for part in parts[:3] if part.strip()]
    described = parts[8].strip() if len(parts) > 8 else ""
    return (" / ".join(named) or described)[:200]


def diagnoses(message: Message) -> tuple[DiagnosisNote, ...]:
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


def when(message: Message, *candidates: tuple[list[str] | None, int]) -> datetime | None:
    for segment, field in candidates:
        found = timestamp(message.value(segment, field))
        if found is not None:
            return found
    return None
