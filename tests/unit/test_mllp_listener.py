"""The MLLP listener's network side, with the database replaced by a plain function.

Frames in any chunking, ACKs in order on each connection, many connections at
once, garbage, oversized and stalled frames, batches, and a store that fails
(no ACK: the sender must resend). Never a crash, never a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime

import pytest

from joinedup.hospital.adt import ack
from joinedup.hospital.adt.listener import Listener
from joinedup.hospital.adt.mapping import Received
from joinedup.hospital.adt.mllp import FrameReader, frame
from joinedup.hospital.adt.parser import parse_message
from joinedup.hospital.ingest import Outcome
from tests.hl7_messages import Adt, Patient

NOW = datetime(2025, 1, 6, tzinfo=UTC)


def accept_all(batch: list[Received]) -> list[Outcome]:
    out = []
    for received in batch:
        code = received.refusal.ack_code if received.refusal else ack.ACCEPT
        problem = received.refusal.problem if received.refusal else None
        out.append(Outcome(received.ack(code, problem, NOW), code))
    return out


async def _serve(apply=accept_all, **options):
    listener = Listener("127.0.0.1", 0, apply=apply, **options)
    await listener.start()
    return listener


async def _exchange(port: int, payloads: list[bytes], expect: int, chunk: int = 0) -> list[bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = b"".join(payloads)
    if chunk:
        for start in range(0, len(data), chunk):
            writer.write(data[start : start + chunk])
            await writer.drain()
    else:
        writer.write(data)
    frames: list[bytes] = []
    framer = FrameReader()
    while len(frames) < expect:
        got = await asyncio.wait_for(reader.read(65536), timeout=10)
        if not got:
            break
        frames += [f for f in framer.feed(got) if isinstance(f, bytes)]
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    return frames


def _control_of(answer: bytes) -> tuple[str, str]:
    message = parse_message(answer.decode())
    msa = message.first("MSA")
    return message.value(msa, 1), message.value(msa, 2)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, timeout=60))


def test_acks_come_back_in_order_on_each_of_many_connections() -> None:
    async def scenario() -> None:
        listener = await _serve()
        messages = {
            n: [Adt("A01", Patient("9434765919"), control_id=f"C{n}-{i}").bytes() for i in range(30)] for n in range(20)
        }
        results = await asyncio.gather(
            *(_exchange(listener.port, [frame(m) for m in messages[n]], 30, chunk=7 + n) for n in range(20))
        )
        await listener.close()
        for n, answers in enumerate(results):
            assert [_control_of(a) for a in answers] == [("AA", f"C{n}-{i}") for i in range(30)]

    run(scenario())


def test_garbage_oversized_and_broken_frames_get_answers_and_the_listener_keeps_serving() -> None:
    async def scenario() -> None:
        listener = await _serve(frame_limit=2000)
        payloads = [
            b"random bytes outside any frame\r\n",
            frame(b"not hl7 at all"),
            frame(b"MSH|^~\\&|A|B|C|D|2025||ADT^A01|BIG|P|2.4\r" + b"X" * 5000),
            frame(b"MSH|^^\\&|bad delimiters"),
            frame(Adt("A01", Patient("9434765919"), control_id="GOOD").bytes()),
        ]
        answers = await _exchange(listener.port, payloads, 4)
        codes = [_control_of(a) for a in answers]
        assert codes == [("AR", ""), ("AR", "BIG"), ("AR", ""), ("AA", "GOOD")]
        again = await _exchange(listener.port, [frame(Adt("A03", Patient("9434765919")).bytes())], 1)
        assert _control_of(again[0])[0] == "AA"
        await listener.close()

    run(scenario())


def test_a_connection_stalled_inside_a_frame_is_closed() -> None:
    async def scenario() -> None:
        listener = await _serve(stall_timeout=0.3)
        stop = asyncio.Event()
        serving = asyncio.create_task(listener.serve_started(stop))
        reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        writer.write(b"\x0bMSH|^~\\&|half a message")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), timeout=5) == b""  # closed by the listener
        stop.set()
        await serving

    run(scenario())


def test_a_batch_in_one_frame_gets_a_batch_of_acks() -> None:
    async def scenario() -> None:
        listener = await _serve()
        batch = (
            b"BHS|^~\\&|PAS|RCB\r"
            + Adt("A01", Patient("9434765919"), control_id="B1").bytes()
            + Adt("A03", Patient("9434765919"), control_id="B2").bytes()
            + b"BTS|2\r"
        )
        answer = (await _exchange(listener.port, [frame(batch)], 1))[0].decode()
        assert answer.startswith("BHS") and answer.rstrip("\r").endswith("BTS|2")
        assert answer.count("MSA|AA|B1") == 1 and answer.count("MSA|AA|B2") == 1
        await listener.close()

    run(scenario())


def test_nothing_is_acknowledged_when_the_store_fails() -> None:
    def broken(batch):
        raise RuntimeError("database unreachable")

    async def scenario() -> None:
        listener = await _serve(apply=broken)
        answers = await _exchange(listener.port, [frame(Adt("A01", Patient("9434765919")).bytes())], 1)
        assert answers == []  # the connection was closed without an ACK
        await listener.close()

    run(scenario())


@pytest.mark.parametrize("size", [1, 3, 64])
def test_corpus_like_noise_never_stops_the_listener(size: int) -> None:
    async def scenario() -> None:
        listener = await _serve()
        noise = [frame(bytes((i * 37 + size) % 256 for i in range(n)).replace(b"\x1c", b"")) for n in range(1, 40)]
        answers = await _exchange(listener.port, noise, len(noise), chunk=size)
        assert len(answers) == len(noise)
        assert all(_control_of(a)[0] in ("AR", "AE") for a in answers)
        await listener.close()

    run(scenario())


def test_a_sender_that_half_closes_after_its_frames_still_gets_every_ack_then_the_connection_closes() -> None:
    slow_started = []

    def slow_store(batch: list[Received]) -> list[Outcome]:
        slow_started.append(len(batch))
        time.sleep(0.2)  # the sender's EOF arrives while the batch is still being stored
        return accept_all(batch)

    async def scenario() -> None:
        listener = await _serve(apply=slow_store)
        reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        sent = [Adt("A01", Patient("9434765919"), control_id=f"H{i}").bytes() for i in range(5)]
        writer.write(b"".join(frame(m) for m in sent))
        await writer.drain()
        writer.write_eof()
        framer, answers = FrameReader(), []
        while got := await asyncio.wait_for(reader.read(65536), timeout=10):
            answers += [f for f in framer.feed(got) if isinstance(f, bytes)]
        writer.close()
        await listener.close()
        assert [_control_of(a) for a in answers] == [("AA", f"H{i}") for i in range(5)]
        assert slow_started, "the store ran"

    run(scenario())
