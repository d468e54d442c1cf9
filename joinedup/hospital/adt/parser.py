"""HL7 v2 messages in ER7 ("pipe and hat") encoding: a fast, lazy parser. Pure: no Django.

Why our own: python-hl7 builds a container object for every field, repetition
and component of a message (about 1,000 ADT messages a second here), and the
feed must take several thousand a second. This parser splits a message into
segments and fields with `str.split` (C speed) and leaves repetitions,
components and escapes until a value is asked for.

It reads what python-hl7 reads, the same way: delimiters from MSH-1 and MSH-2
(defaults for missing ones), the first segment MSH, FHS or BHS, file and batch
envelopes (FHS/BHS/BTS/FTS), escape sequences (\\F\\ \\S\\ \\T\\ \\R\\ \\E\\,
\\Xhh\\, formatting). `tests/unit/test_hl7_parser_differential.py` runs both
over the whole HL7 corpus and checks they agree field for field, or both
refuse. Segment endings may be CR, LF or CRLF (python-hl7 takes only CR).
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEADER_SEGMENTS = ("MSH", "FHS", "BHS")


class ParseError(ValueError):
    """The text is not an HL7 v2 message (or batch); the message says why."""


@dataclass(frozen=True, slots=True)
class Delimiters:
    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    @property
    def encoding_characters(self) -> str:
        return self.component + self.repetition + self.escape + self.subcomponent


STANDARD = Delimiters()


def delimiters_of(text: str) -> Delimiters:
    """The delimiters a message declares in MSH-1 and MSH-2 (python-hl7's reading, defaults included)."""
    if text[:3] not in HEADER_SEGMENTS:
        raise ParseError(f"The first segment is {text[:3]!r}: it must be MSH, FHS or BHS")
    if len(text) < 4:
        raise ParseError("The header segment ends before its field separator")
    first = text[3]
    if first.isspace():
        raise ParseError("The field separator cannot be a space or a line ending")
    declared = text[3 : text.find(first, 4)]
    delimiters = Delimiters(
        field=first,
        component=declared[1] if len(declared) > 1 else "^",
        repetition=declared[2] if len(declared) > 2 else "~",
        escape=declared[3] if len(declared) > 3 else "\\",
        subcomponent=declared[4] if len(declared) > 4 else "&",
    )
    separators = ("\r", delimiters.field, delimiters.repetition, delimiters.component, delimiters.subcomponent)
    if len(set(separators)) != len(separators):
        raise ParseError(f"The delimiters in MSH-1 and MSH-2 must all differ: {text[3:8]!r}")
    return delimiters


def split_segments(text: str) -> list[str]:
    """Segments on CR, LF or CRLF; blank lines and surrounding whitespace dropped."""
    text = text.strip()
    if "\n" in text:
        text = text.replace("\r\n", "\r").replace("\n", "\r")
    return [segment for segment in text.split("\r") if segment and not segment.isspace()]


def _fields(segment: str, separator: str) -> list[str]:
    """A segment's fields, numbered as HL7 numbers them: fields[n] is field n; for MSH, fields[1] is MSH-1."""
    if segment[:3] in HEADER_SEGMENTS and len(segment) > 3:
        first = segment[3]
        end = segment.find(first, 4)
        declared = segment[4:end]
        rest = segment[end + 1 :]
        head = [segment[:3], first, declared]
        return head + rest.split(separator) if rest else head
    return segment.split(separator)


class Message:
    """One message: its segments as lists of raw fields, and its delimiters."""

    __slots__ = ("_index", "delimiters", "segments")

    def __init__(self, segments: list[list[str]], delimiters: Delimiters) -> None:
        self.segments = segments
        self.delimiters = delimiters
        self._index: dict[str, list[list[str]]] | None = None

    def _segments_by_id(self) -> dict[str, list[list[str]]]:
        if self._index is None:
            index: dict[str, list[list[str]]] = {}
            for segment in self.segments:
                index.setdefault(segment[0], []).append(segment)
            self._index = index
        return self._index

    def first(self, segment_id: str) -> list[str] | None:
        found = self._segments_by_id().get(segment_id)
        return found[0] if found else None

    def all(self, segment_id: str) -> list[list[str]]:
        return self._segments_by_id().get(segment_id, [])

    @property
    def segment_ids(self) -> list[str]:
        return [segment[0] for segment in self.segments]

    def raw(self, segment: list[str] | None, number: int) -> str:
        """Field `number` of a segment as it was sent (escapes and all); '' when absent."""
        if segment is None or number >= len(segment):
            return ""
        return segment[number]

    def value(
        self, segment: list[str] | None, number: int, repetition: int = 1, component: int = 1, sub: int = 1
    ) -> str:
        """One value (1-based positions), unescaped; '' when absent."""
        raw = self.raw(segment, number)
        if not raw:
            return raw
        if segment is not None and segment[0] in HEADER_SEGMENTS and number in (1, 2):
            return raw
        d = self.delimiters
        if d.repetition in raw:
            parts = raw.split(d.repetition)
            raw = parts[repetition - 1] if repetition <= len(parts) else ""
        elif repetition != 1:
            return ""
        if d.component in raw:
            parts = raw.split(d.component)
            raw = parts[component - 1] if component <= len(parts) else ""
        elif component != 1:
            return ""
        if d.subcomponent in raw:
            parts = raw.split(d.subcomponent)
            raw = parts[sub - 1] if sub <= len(parts) else ""
        elif sub != 1:
            return ""
        return unescape(raw, d) if d.escape in raw else raw

    def repetitions(self, segment: list[str] | None, number: int) -> list[str]:
        raw = self.raw(segment, number)
        return raw.split(self.delimiters.repetition) if raw else []

    def components(self, raw: str) -> list[str]:
        """The components of one repetition, unescaped (subcomponents left joined)."""
        d = self.delimiters
        return [unescape(part, d) if d.escape in part else part for part in raw.split(d.component)]

    def to_er7(self) -> str:
        """The message again, segments ended by CR (as sent on the wire)."""
        lines = []
        for segment in self.segments:
            if segment[0] in HEADER_SEGMENTS and len(segment) > 2 and segment[1] == self.delimiters.field:
                lines.append(segment[0] + segment[1] + self.delimiters.field.join(segment[2:]))
            else:
                lines.append(self.delimiters.field.join(segment))
        return "\r".join(lines) + "\r"


def parse_message(text: str) -> Message:
    """One message (the text must begin with MSH, or a lone FHS/BHS header)."""
    segments = split_segments(text)
    if not segments:
        raise ParseError("The message is empty")
    delimiters = delimiters_of("\r".join(segments))
    separator = delimiters.field
    return Message([_fields(segment, separator) for segment in segments], delimiters)


_FORMATTING = {
    "H": "",
    "N": "",
    ".br": "\n",
    ".sp": "\n",
    ".fi": "",
    ".nf": "",
    ".in": "    ",
    ".ti": "    ",
    ".sk": " ",
    ".ce": "\n",
}


def _escape_meaning(sequence: str, d: Delimiters) -> str:
    simple = {"F": d.field, "S": d.component, "T": d.subcomponent, "R": d.repetition, "E": d.escape}
    if sequence in simple:
        return simple[sequence]
    if sequence in _FORMATTING:
        return _FORMATTING[sequence]
    if sequence.startswith(".") and sequence[:3] in _FORMATTING:
        try:
            return _FORMATTING[sequence[:3]] * int(sequence[3:])
        except ValueError:
            return ""
    if sequence[0] == "X":  # hexadecimal bytes, each taken as one character
        out = []
        digits = sequence[1:]
        for offset in range(0, len(digits), 2):
            try:
                out.append(chr(int(digits[offset : offset + 2], 16)))
            except ValueError:
                break
        return "".join(out)
    return ""  # character set switches (\C..\, \M..\) and local escapes (\Z..\) are dropped


def unescape(value: str, d: Delimiters = STANDARD) -> str:
    """Replace escape sequences; an unfinished sequence at the end is dropped."""
    escape = d.escape
    if escape not in value:
        return value
    out: list[str] = []
    pieces = value.split(escape)
    # pieces alternate: text, sequence, text, sequence, ... ; a trailing odd sequence is unfinished.
    for position, piece in enumerate(pieces):
        if position % 2 == 0:
            out.append(piece)
        elif position < len(pieces) - 1 and piece:
            out.append(_escape_meaning(piece, d))
    return "".join(out)


def escape(value: str, d: Delimiters = STANDARD) -> str:
    """Escape text to put it in a field (the reverse of unescape for the delimiters)."""
    out = value.replace(d.escape, f"{d.escape}E{d.escape}")
    for char, code in ((d.field, "F"), (d.component, "S"), (d.subcomponent, "T"), (d.repetition, "R")):
        out = out.replace(char, f"{d.escape}{code}{d.escape}")
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", f"{d.escape}.br{d.escape}")


@dataclass
class Envelope:
    """What one text holds: a single message, or a batch or file of them with their headers."""

    kind: str  # "message", "batch" or "file"
    messages: list[Message] = field(default_factory=list)
    headers: list[list[str]] = field(default_factory=list)  # FHS and BHS segments, as fields

    @property
    def is_batch(self) -> bool:
        return self.kind != "message"


def _is_envelope(segments: list[str]) -> bool:
    return segments[0][:3] in ("FHS", "BHS") or sum(1 for s in segments if s[:3] == "MSH") > 1


def parse(text: str) -> Envelope:
    """A message, or a batch or file of messages (BHS/FHS envelopes, or several MSH in a row)."""
    segments = split_segments(text)
    if not segments:
        raise ParseError("The message is empty")
    if not _is_envelope(segments):
        return Envelope("message", [parse_message("\r".join(segments))])
    return _parse_envelope(segments)


def _parse_envelope(segments: list[str]) -> Envelope:
    """Batch and file rules as python-hl7 applies them: one FHS, batches do not nest, and no
    segment may come before the message header it belongs to (in its batch, or outside any)."""
    kind = "file" if segments[0][:3] == "FHS" else "batch"
    headers: list[str] = []
    batches: list[list[list[str]]] = []  # each batch: its messages, each a list of segment texts
    loose: list[list[str]] = []  # messages outside any batch
    ordered: list[list[str]] = []  # every message, in the order it came
    seen_file = in_batch = False
    for segment in segments:
        tag = segment[:3]
        current = batches[-1] if in_batch else loose
        if tag == "FHS":
            if seen_file:
                raise ParseError("A file cannot have more than one FHS segment")
            seen_file = True
            headers.append(segment)
        elif tag == "BHS":
            if in_batch:
                raise ParseError("A batch cannot have more than one BHS segment")
            in_batch = True
            batches.append([])
            headers.append(segment)
        elif tag == "BTS":
            in_batch = False
        elif tag == "FTS":
            continue
        elif tag == "MSH":
            current.append([segment])
            ordered.append(current[-1])
        elif not current:
            raise ParseError(f"A {tag} segment came before the message header it belongs to")
        else:
            current[-1].append(segment)
    envelope = Envelope(kind, [parse_message("\r".join(lines)) for lines in ordered])
    for header in headers:
        envelope.headers.append(_fields(header, delimiters_of(header).field))
    return envelope
