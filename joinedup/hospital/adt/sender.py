"""An MLLP client: frames each message, waits for its ACK, resends on timeout with the same MSH-10.

Files may hold one message or a batch (FHS/BHS envelopes, or several MSH), with
CR, LF or CRLF segment endings: each message is sent on its own, with CR
endings as the wire wants. A file that is not HL7 at all is sent as it is (the
receiver will reject it). A resend is byte for byte the first send, so the
receiver's idempotency knows it; an ACK whose MSA-2 names another message (a
late answer to an earlier try) is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from joinedup.hospital.adt.mllp import FrameReader, frame
from joinedup.hospital.adt.parser import ParseError, parse, parse_message
from joinedup.hospital.adt.text import decode


@dataclass(frozen=True)
class Outgoing:
    source: str  # file name, with the message's place in it for a batch
    control_id: str
    data: bytes


@dataclass(frozen=True)
class Result:
    outgoing: Outgoing
    code: str  # AA, AE, AR, or "" when no acknowledgement came
    text: str  # MSA-3 and the ERR text, or why nothing came
    tries: int


def messages_in(path: Path) -> list[Outgoing]:
    data = path.read_bytes()
    text = decode(data)
    try:
        envelope = parse(text)
    except ParseError:
        return [Outgoing(path.name, "", data)]
    many = len(envelope.messages) > 1
    out = []
    for number, message in enumerate(envelope.messages, start=1):
        control_id = message.value(message.first("MSH"), 10)
        source = f"{path.name}#{number}" if many else path.name
        out.append(Outgoing(source, control_id, message.to_er7().encode()))
    return out


def _read_ack(data: bytes) -> tuple[str, str, str]:
    """(MSA-1 code, MSA-2 control id, words from MSA-3 and ERR)."""
    try:
        message = parse_message(decode(data))
    except ParseError:
        return "", "", "the answer was not an HL7 message"
    msa = message.first("MSA")
    words = [message.value(msa, 3)] + [
        message.value(err, 8) or message.value(err, 3, 1, 2) for err in message.all("ERR")
    ]
    return message.value(msa, 1), message.value(msa, 2), "; ".join(dict.fromkeys(w for w in words if w))


class Sender:
    def __init__(self, host: str, port: int, *, timeout: float = 10.0, retries: int = 3) -> None:
        self.host, self.port, self.timeout, self.retries = host, port, timeout, retries
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.frames = FrameReader()
        self.ready: list[bytes] = []

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), timeout=self.timeout
        )
        self.frames, self.ready = FrameReader(), []

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def _next_frame(self, deadline: float) -> bytes:
        loop = asyncio.get_running_loop()
        while not self.ready:
            assert self.reader is not None
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError
            chunk = await asyncio.wait_for(self.reader.read(65536), timeout=left)
            if not chunk:
                raise ConnectionResetError("the receiver closed the connection")
            self.ready += [f for f in self.frames.feed(chunk) if isinstance(f, bytes)]
        return self.ready.pop(0)

    async def _try(self, outgoing: Outgoing) -> tuple[str, str]:
        if self.writer is None:
            await self._connect()
        assert self.writer is not None
        self.writer.write(frame(outgoing.data))
        await self.writer.drain()
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            code, control_id, words = _read_ack(await self._next_frame(deadline))
            if not outgoing.control_id or control_id == outgoing.control_id:
                return code, words

    async def send(self, outgoing: Outgoing) -> Result:
        why = ""
        for attempt in range(1, self.retries + 2):
            try:
                code, words = await self._try(outgoing)
                return Result(outgoing, code, words, attempt)
            except TimeoutError:
                why = f"no acknowledgement within {self.timeout:g} s"
            except OSError as error:
                why = f"connection failed: {error.strerror or error}"
                await self.close()
                await asyncio.sleep(min(0.5 * attempt, 5.0))
        return Result(outgoing, "", why, self.retries + 1)


async def send_all(
    host: str,
    port: int,
    outgoing: list[Outgoing],
    *,
    timeout: float = 10.0,
    retries: int = 3,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Send messages one after another on one connection, each waiting for its acknowledgement."""
    sender = Sender(host, port, timeout=timeout, retries=retries)
    results = []
    try:
        for item in outgoing:
            result = await sender.send(item)
            results.append(result)
            if on_result is not None:
                on_result(result)
    finally:
        await sender.close()
    return results
