"""Our HL7 v2 parser against python-hl7 over the whole corpus: the same fields out, or both refuse.

python-hl7 reads only CR between segments, so both are given the text with its
segments joined by CR (the parser's own handling of LF and CRLF is tested in
test_hl7_parser.py). Every leaf value (field, repetition, component,
subcomponent) is compared raw, and again unescaped.
"""

from __future__ import annotations

from typing import Any

import hl7
import pytest
from hl7.util import unescape as reference_unescape

from joinedup.hospital.adt import parser
from joinedup.hospital.adt.text import decode
from tests.hl7_corpus import corpus_files

# Our unescaping drops highlighting and turns formatting line breaks into newlines.
APP_MAP = {"H": "", "N": "", ".br": "\n", ".sp": "\n", ".ce": "\n"}


def _reference(text: str) -> list[Any] | Exception:
    segments = parser.split_segments(text)
    normalised = "\r".join(segments)
    try:
        if segments and parser._is_envelope(segments):
            parsed = hl7.parse_file(normalised)
            return [message for batch in parsed for message in batch]
        return [hl7.parse(normalised)]
    except Exception as error:  # python-hl7 refuses with several exception types
        return error


def _ours(text: str) -> list[parser.Message] | Exception:
    try:
        return parser.parse(text).messages
    except parser.ParseError as error:
        return error


def _their_leaf(field: Any, rep: int, comp: int, sub: int) -> str | None:
    """python-hl7's leaf at a path, following its container shapes; None when absent."""
    if rep >= len(field):
        return None
    repetition = field[rep]
    if isinstance(repetition, str):
        return repetition if comp == 0 and sub == 0 else None
    if comp >= len(repetition):
        return None
    component = repetition[comp]
    if isinstance(component, str):
        return component if sub == 0 else None
    return component[sub] if sub < len(component) else None


def _leaves(message: parser.Message, raw: str) -> list[tuple[int, int, int, str]]:
    d = message.delimiters
    return [
        (r, c, s, leaf)
        for r, repetition in enumerate(raw.split(d.repetition))
        for c, component in enumerate(repetition.split(d.component))
        for s, leaf in enumerate(component.split(d.subcomponent))
    ]


def _compare(ours: parser.Message, theirs: Any, where: str) -> None:
    d = ours.delimiters
    assert (d.field, d.repetition, d.component, d.subcomponent) == tuple(theirs.separators[1:5]), where
    assert d.escape == theirs.esc, where
    assert len(ours.segments) == len(theirs), where
    for number, (segment, their_segment) in enumerate(zip(ours.segments, theirs, strict=True)):
        assert [str(f) for f in their_segment] == segment, f"{where} segment {number}"
        header = segment[0] in parser.HEADER_SEGMENTS
        for index, raw in enumerate(segment):
            if index == 0 or (header and index in (1, 2)):
                continue
            for r, c, s, leaf in _leaves(ours, raw):
                assert _their_leaf(their_segment[index], r, c, s) == leaf, f"{where} {segment[0]}-{index}"
                try:
                    expected = reference_unescape(theirs, leaf, APP_MAP)
                except ValueError:
                    continue  # python-hl7 fails on some broken escapes; ours drops them
                assert parser.unescape(leaf, d) == expected, f"{where} {segment[0]}-{index} unescaped"


def _key(segments: list[list[str]]) -> list[list[str]]:
    return segments


@pytest.mark.parametrize("entry", corpus_files(), ids=lambda e: e.relative)
def test_same_fields_as_python_hl7_or_both_refuse(entry) -> None:
    text = decode(entry.path.read_bytes())
    ours, theirs = _ours(text), _reference(text)
    if isinstance(theirs, Exception) or isinstance(ours, Exception):
        assert isinstance(ours, Exception) and isinstance(theirs, Exception), (ours, theirs)
        return
    assert len(ours) == len(theirs)
    mine = sorted(ours, key=lambda m: m.segments)
    reference = sorted(theirs, key=lambda m: [[str(f) for f in seg] for seg in m])
    for number, (message, their_message) in enumerate(zip(mine, reference, strict=True)):
        _compare(message, their_message, f"{entry.relative} message {number}")
