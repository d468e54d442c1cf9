"""Acknowledgements (ACK) in HL7's original mode: AA, AE or AR, with an ERR segment when not AA. Pure."""

from __future__ import annotations

import functools
import itertools
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from joinedup.hospital.adt.parser import STANDARD, Delimiters, Message, escape

ACCEPT, ERROR, REJECT = "AA", "AE", "AR"

# HL7 table 0357, the error codes used here.
REQUIRED_FIELD_MISSING = 101
DATA_TYPE_ERROR = 102
TABLE_VALUE_NOT_FOUND = 103
VALUE_TOO_LONG = 104
UNSUPPORTED_MESSAGE_TYPE = 200
UNSUPPORTED_EVENT_CODE = 201
UNSUPPORTED_VERSION = 203
UNKNOWN_KEY = 204
INTERNAL_ERROR = 207
_CODE_TEXT = {
    100: "Segment sequence error",
    101: "Required field missing",
    102: "Data type error",
    103: "Table value not found",
    104: "Value too long",
    200: "Unsupported message type",
    201: "Unsupported event code",
    203: "Unsupported version id",
    204: "Unknown key identifier",
    207: "Application internal error",
}


@dataclass(frozen=True)
class Problem:
    """Why a message was not accepted: HL7 error code, where, and words for a person."""

    code: int
    text: str
    segment: str = ""
    field: int = 0


_ids = itertools.count(1)
_PREFIX = f"JU{os.getpid() % 100000:05d}"


def _new_process() -> None:
    """A forked listener process numbers its own ACKs: its parent's prefix would repeat them."""
    global _PREFIX, _ids
    _PREFIX, _ids = f"JU{os.getpid() % 100000:05d}", itertools.count(1)


os.register_at_fork(after_in_child=_new_process)


def next_control_id(now: datetime) -> str:
    """A control id for our own ACKs: unique per process run (time, pid, counter)."""
    return f"{_PREFIX}{_short(now)}{next(_ids):06d}"


@functools.lru_cache(maxsize=8)  # a batch's acknowledgements share one moment
def _short(now: datetime) -> str:
    return now.strftime("%y%m%d%H%M%S")


@functools.lru_cache(maxsize=8)
def _timestamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")


def _err(problem: Problem, d: Delimiters) -> str:
    c, s, f = d.component, d.subcomponent, d.field
    label = _CODE_TEXT.get(problem.code, "Error")
    location = c.join((problem.segment, "1" if problem.segment else "", str(problem.field or ""))).rstrip(c)
    legacy = c.join((problem.segment, "1" if problem.segment else "", str(problem.field or ""), ""))
    legacy += f"{problem.code}{s}{escape(label, d)}{s}HL70357"
    # ERR-1 for versions up to 2.4; ERR-2, -3, -4 and -8 for 2.5 and later. Receivers read the ones they know.
    fields = ["ERR", legacy, location, f"{problem.code}{c}{escape(label, d)}{c}HL70357", "E", "", "", ""]
    fields.append(escape(problem.text, d))
    return f.join(fields)


def _sane(d: Delimiters) -> bool:
    """Delimiters an ACK can be written in: five different punctuation characters."""
    chars = (d.field, d.component, d.repetition, d.escape, d.subcomponent)
    return len(set(chars)) == 5 and all(not c.isalnum() and not c.isspace() and c.isascii() for c in chars)


def build(message: Message | None, code: str, problem: Problem | None, now: datetime) -> str:
    """The ACK for a message (or for text that was not a message at all), segments ended by CR.

    Written in the message's own delimiters, unless they are unusable (fuzzed input): then in
    the standard ones, with the echoed fields escaped for them."""
    d = message.delimiters if message is not None and _sane(message.delimiters) else STANDARD
    msh = message.first("MSH") if message is not None else None
    if message is None:
        raw = lambda segment, number: ""  # noqa: E731
    elif d is message.delimiters:
        raw = message.raw
    else:
        raw = lambda segment, number: escape(message.raw(segment, number), d)  # noqa: E731
    trigger = escape(message.value(msh, 9, 1, 2), d) if message is not None else ""
    f, c = d.field, d.component
    header = [
        "MSH",
        d.encoding_characters,
        raw(msh, 5),
        raw(msh, 6),
        raw(msh, 3),
        raw(msh, 4),
        _timestamp(now),
        "",
        f"ACK{c}{trigger}{c}ACK" if trigger else "ACK",
        next_control_id(now),
        raw(msh, 11) or "P",
        raw(msh, 12) or "2.4",
    ]
    segments = [header[0] + f + f.join(header[1:])]
    text = escape(problem.text, d) if problem else ""
    segments.append(f.join(["MSA", code, raw(msh, 10), text]))
    if problem is not None:
        segments.append(_err(problem, d))
    return "\r".join(segments) + "\r"


def batch(acks: list[str], now: datetime) -> str:
    """A batch of acknowledgements, for a batch received in one frame."""
    return f"BHS|^~\\&||||||{_timestamp(now)}\r" + "".join(acks) + f"BTS|{len(acks)}\r"


def code_of(ack: str) -> str:
    """The acknowledgement code (MSA-1) of an ACK we built."""
    for segment in ack.split("\r"):
        if segment.startswith("MSA"):
            return segment[4:6]
    return ""
