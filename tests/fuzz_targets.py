"""Fuzz targets for what JoinedUp reads from other systems: HL7 v2 ADT messages and FHIR resources.

Each target takes raw bytes (the MLLP one: bytes sent on a connection) and asserts the property:
only the documented answers, never another exception. An HL7 frame is read into messages, each an
event or a refusal whose ACK code is AR or AE (the parser's own ParseError becomes such a refusal);
the ACK built for it parses back. FHIR JSON gets OperationOutcome issues (fatal, error, warning,
information); a file to import gets its problems listed. The strategies start from valid examples and break them.

Used by tests/unit/test_fuzz_readers.py (a bounded run in CI) and scripts/fuzz (a longer run).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import strategies as st

from joinedup.fhir.preparing import prepare_file
from joinedup.fhir.validation.outcome import operation_outcome
from joinedup.fhir.validation.validator import default_validator
from joinedup.hospital.adt import ack
from joinedup.hospital.adt.listener import Listener
from joinedup.hospital.adt.mapping import Received, read
from joinedup.hospital.adt.mllp import FrameReader, frame
from joinedup.hospital.adt.parser import parse_message
from joinedup.hospital.ingest import Outcome
from tests.hl7_messages import Adt, Patient

NOW = datetime(2025, 1, 6, tzinfo=UTC)
SEVERITIES = {"fatal", "error", "warning", "information"}

HL7_SEEDS = [
    Adt("A01", Patient("9434765919")).bytes(),
    Adt("A03", Patient("9434765919"), destination="19", diagnoses=(("F03", "Dementia"),)).bytes(),
    Adt("A08", Patient("", family="O'BRIEN\\T\\SON")).bytes(),
    b"FHS|^~\\&\rBHS|^~\\&\r" + Adt("A02", Patient("9990000018"), prior_ward="W1").bytes() + b"BTS|1\rFTS|1\r",
]
PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018"}],
    "name": [{"family": "Okafor", "given": ["Ada"]}],
    "gender": "female",
    "birthDate": "1940-05-17",
    "address": [{"postalCode": "XT1 1AA"}],
}
CONDITION = {
    "resourceType": "Condition",
    "id": "c1",
    "subject": {"reference": "Patient/p1"},
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "52448006"}]},
    "clinicalStatus": {
        "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]
    },
}
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a", "resource": PATIENT}],
}
FHIR_SEEDS = [json.dumps(r).encode() for r in (PATIENT, CONDITION, BUNDLE)]
NDJSON_SEED = b"\n".join(json.dumps(r).encode() for r in (PATIENT, CONDITION)) + b"\n"
# Pieces that matter to the readers: delimiters, escapes, segment names, JSON structure.
HL7_PIECES = [b"|", b"^", b"~", b"\\", b"&", b"\r", b"\n", b"MSH|^~\\&|", b"PID|", b"\\X0D\\", b"\\E\\", b"\x00"]
JSON_PIECES = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"null", b"1e999", b'"resourceType"', b'"Patient"', b"\\u0000"]


def _mutated(seeds: list[bytes], pieces: list[bytes]) -> st.SearchStrategy[bytes]:
    """A seed with bytes inserted, deleted or replaced at random places."""

    def apply(seed: bytes, edits: list[tuple[float, int, bytes]]) -> bytes:
        data = bytearray(seed)
        for where, cut, insert in edits:
            at = int(where * len(data))
            data[at : at + cut] = insert
        return bytes(data)

    edit = st.tuples(
        st.floats(0, 1, exclude_max=True), st.integers(0, 8), st.one_of(st.sampled_from(pieces), st.binary(max_size=6))
    )
    return st.builds(apply, st.sampled_from(seeds), st.lists(edit, min_size=1, max_size=6))


hl7_inputs = st.one_of(st.binary(max_size=600), _mutated(HL7_SEEDS, HL7_PIECES))
fhir_inputs = st.one_of(st.binary(max_size=400), _mutated(FHIR_SEEDS, JSON_PIECES))
ndjson_inputs = st.one_of(st.binary(max_size=400), _mutated([NDJSON_SEED, *FHIR_SEEDS], JSON_PIECES))


def hl7_frame(data: bytes) -> None:
    """An HL7 frame: each message an event or a refusal with AR/AE, and an ACK that parses."""
    received, _ = read(data)
    assert received, "a frame is always answered"
    for one in received:
        assert one.event is not None or one.refusal is not None, one  # an event may be held with a refusal
        code = one.refusal.ack_code if one.refusal else ack.ACCEPT
        assert code in (ack.ACCEPT, ack.ERROR, ack.REJECT), code
        answer = parse_message(one.ack(code, one.refusal.problem if one.refusal else None, NOW))
        assert answer.value(answer.first("MSA"), 1) == code


def fhir_json(data: bytes) -> None:
    """FHIR JSON: OperationOutcome issues, each with a known severity; never an exception."""
    _, issues = default_validator().validate_json(data)
    assert all(issue.severity in SEVERITIES and issue.code for issue in issues), issues
    assert operation_outcome(issues)["resourceType"] == "OperationOutcome"


def fhir_file(data: bytes, suffix: str = ".ndjson") -> None:
    """A file to import: what can be imported, and a line of problem for the rest."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        prepared = prepare_file(path)
    assert all(isinstance(problem, str) and problem for problem in prepared.problems)
    assert prepared.read >= len(prepared.resources)


def accept_all(batch: list[Received]) -> list[Outcome]:
    """The listener's store replaced by a plain function: refusals as read, the rest accepted."""
    return [
        Outcome(one.ack(one.refusal.ack_code if one.refusal else ack.ACCEPT, one.refusal and one.refusal.problem, NOW),
                one.refusal.ack_code if one.refusal else ack.ACCEPT)
        for one in batch
    ]  # fmt: skip


mllp_inputs = st.tuples(
    st.lists(st.one_of(st.binary(max_size=80), _mutated(HL7_SEEDS, HL7_PIECES).map(frame)), max_size=5).map(b"".join),
    st.integers(1, 64),
)


async def _talk(port: int, data: bytes, chunk: int, expect: int = 0) -> list[bytes]:
    """Send the bytes and read what comes back: `expect` answers, or (0) say nothing more and read
    until the listener closes (on the end of input it closes; a sender that stops early resends)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for start in range(0, len(data), chunk):
        writer.write(data[start : start + chunk])
        await writer.drain()
    if not expect and writer.can_write_eof():
        writer.write_eof()
    answers: list[bytes] = []
    framer = FrameReader()
    while not expect or len(answers) < expect:
        got = await asyncio.wait_for(reader.read(65536), timeout=10)  # TimeoutError: neither answer nor close
        if not got:
            break
        answers += [f for f in framer.feed(got) if isinstance(f, bytes)]
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    return answers


async def _mllp(data: bytes, chunk: int) -> None:
    listener = Listener("127.0.0.1", 0, apply=accept_all, frame_limit=2000, stall_timeout=2)
    await listener.start()
    try:
        for answer in await _talk(listener.port, data, chunk):
            message = parse_message(answer.decode())
            assert message.value(message.first("MSA"), 1) in (ack.ACCEPT, ack.ERROR, ack.REJECT)
        # The listener keeps serving: the next connection's message is accepted.
        [answer] = await _talk(listener.port, frame(HL7_SEEDS[0]), 4096, expect=1)
        message = parse_message(answer.decode())
        assert message.value(message.first("MSA"), 1) == ack.ACCEPT
    finally:
        await listener.close()


def mllp_connection(data: bytes, chunk: int = 64) -> None:
    """Random bytes on a connection get ACKs (AA, AE or AR) or a close; the next connection is served."""
    asyncio.run(asyncio.wait_for(_mllp(data, chunk), timeout=30))
