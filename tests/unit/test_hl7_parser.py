"""The HL7 v2 parser: segment endings, delimiters, escapes, repetitions, batches; never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.hospital.adt import parser
from joinedup.hospital.adt.text import decode

A01 = (
    "MSH|^~\\&|PAS|RCB|JOINEDUP|THAMESIDE|20250106143000||ADT^A01^ADT_A01|MSG0001|P|2.4\r"
    "EVN|A01|20250106142500\r"
    "PID|1||12345^^^RCB^MR~9434765919^^^NHS^NH||SMITH^JOAN^M^^MRS||19400517|F|||1 Wharf Road^^London^^XT1 1AA\r"
    "PV1|1|I|WARD7^BAY2^BED3^RCB||||||||||||||||V100\r"
    "DG1|1||F03^Dementia\\S\\ unspecified^I10||20250106|W\r"
)


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
def test_segments_end_with_cr_lf_or_crlf(ending: str) -> None:
    message = parser.parse_message(A01.replace("\r", ending))
    assert message.segment_ids == ["MSH", "EVN", "PID", "PV1", "DG1"]
    assert message.value(message.first("PID"), 5, 1, 2) == "JOAN"


def test_fields_are_numbered_as_hl7_numbers_them() -> None:
    message = parser.parse_message(A01)
    msh = message.first("MSH")
    assert message.value(msh, 1) == "|"
    assert message.value(msh, 2) == "^~\\&"
    assert message.value(msh, 9, 1, 2) == "A01"
    assert message.value(msh, 10) == "MSG0001"


def test_repetitions_components_and_escapes() -> None:
    message = parser.parse_message(A01)
    pid = message.first("PID")
    assert message.value(pid, 3, 2, 1) == "9434765919"
    assert message.value(pid, 3, 2, 4) == "NHS"
    assert message.value(pid, 3, 3, 1) == ""  # no third repetition
    assert message.value(message.first("DG1"), 3, 1, 2) == "Dementia^ unspecified"
    assert message.repetitions(pid, 3) == ["12345^^^RCB^MR", "9434765919^^^NHS^NH"]


def test_delimiters_come_from_the_header() -> None:
    text = A01.replace("|", "#").replace("^", "!").replace("MSH#!~\\&", "MSH#!~\\&")
    message = parser.parse_message(text)
    assert message.delimiters.field == "#"
    assert message.value(message.first("PID"), 5, 1, 1) == "SMITH"


def test_repeated_delimiters_are_refused() -> None:
    with pytest.raises(parser.ParseError, match="must all differ"):
        parser.parse_message("MSH|^^\\&|A|B\rPID|1")


@pytest.mark.parametrize("text", ["", "   \r\n", "PID|1||x", "MSH", "hello world"])
def test_not_a_message(text: str) -> None:
    with pytest.raises(parser.ParseError):
        parser.parse(text)


def test_escapes() -> None:
    d = parser.STANDARD
    assert parser.unescape("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f", d) == "a|b^c&d~e\\f"
    assert parser.unescape("line\\.br\\two\\H\\bold\\N\\", d) == "line\ntwobold"
    assert parser.unescape("\\X414243\\", d) == "ABC"
    assert parser.unescape("unfinished\\F", d) == "unfinished"
    assert parser.unescape("\\C2842\\x\\Zlocal\\", d) == "x"


@given(st.text())
def test_escape_then_unescape_gives_the_text_back(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert parser.unescape(parser.escape(text)) == expected


BATCH = (
    "FHS|^~\\&|PAS|RCB|||20250106\r"
    "BHS|^~\\&|PAS|RCB|||20250106\r"
    + A01
    + A01.replace("MSG0001", "MSG0002").replace("ADT^A01", "ADT^A03")
    + "BTS|2\rFTS|1\r"
)


def test_a_file_of_a_batch() -> None:
    envelope = parser.parse(BATCH)
    assert envelope.kind == "file" and envelope.is_batch
    assert [m.value(m.first("MSH"), 10) for m in envelope.messages] == ["MSG0001", "MSG0002"]
    assert [h[0] for h in envelope.headers] == ["FHS", "BHS"]


def test_several_messages_without_envelope_are_a_batch() -> None:
    envelope = parser.parse(A01 + A01.replace("MSG0001", "MSG0002"))
    assert envelope.kind == "batch" and len(envelope.messages) == 2


@pytest.mark.parametrize(
    "text",
    [
        "BHS|^~\\&|A\rBHS|^~\\&|B\r" + A01,  # a batch inside a batch
        "FHS|^~\\&|A\rFHS|^~\\&|B\r" + A01,  # two file headers
        "FHS|^~\\&|A\rEVN|A01\r" + A01,  # a segment before any message header
    ],
)
def test_broken_envelopes_are_refused(text: str) -> None:
    with pytest.raises(parser.ParseError):
        parser.parse(text)


def test_round_trip_to_wire_form() -> None:
    message = parser.parse_message(A01.replace("\r", "\n"))
    assert message.to_er7() == A01


def test_decode_never_fails() -> None:
    assert decode("\ufeffMSH|é".encode()) == "MSH|é"
    assert decode(b"MSH|\xe9\x00") == "MSH|é"


@given(st.binary(max_size=400))
def test_random_bytes_parse_or_are_refused(data: bytes) -> None:
    try:
        envelope = parser.parse(decode(data))
    except parser.ParseError:
        return
    for message in envelope.messages:
        for segment in message.segments:
            for number in range(len(segment) + 2):
                message.value(segment, number, 2, 2, 2)


@given(st.text(alphabet="MSH|^~\\&\r\nPIDEVN0123AB ", max_size=300))
def test_hl7_looking_text_parses_or_is_refused(text: str) -> None:
    try:
        envelope = parser.parse(text)
    except parser.ParseError:
        return
    assert all(message.segments for message in envelope.messages)
