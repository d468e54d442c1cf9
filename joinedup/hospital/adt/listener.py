"""The MLLP listener: asyncio for the network, one committer thread for the database.

Connections only frame bytes (`mllp.FrameReader`) and queue each frame with a
future. The committer takes whatever is queued, in arrival order (up to the
batch size), reads the messages and applies them in one transaction
(`hospital.ingest.apply_batch`); after the commit it hands each connection its
acknowledgements, which are written back in the order the frames came. So an AA
is never sent before its message is stored, messages are applied in the order
they arrived, and under load the batches grow by themselves (group commit).

The listener never crashes on input: unreadable frames get an AR, a frame over
the size limit is cut off and rejected, and a connection that stalls in the
middle of a frame is closed after `stall_timeout` seconds. When the database
cannot be reached, nothing is acknowledged: the connections of that batch are
closed and their senders resend.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections, connection
from django.utils import timezone

from joinedup.hospital.adt import ack, mapping
from joinedup.hospital.adt.mllp import FrameReader, Oversized, frame
from joinedup.hospital.ingest import Outcome, apply_batch

logger = logging.getLogger("joinedup.hospital")
_STOP = object()


@dataclass
class Pending:
    data: bytes | Oversized
    future: asyncio.Future[bytes | None]
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class Stats:
    frames: int = 0
    messages: int = 0
    batches: int = 0
    repeats: int = 0
    codes: dict[str, int] = field(default_factory=dict)


class _Connection(asyncio.Protocol):
    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.reader = FrameReader(listener.frame_limit)
        self.waiting: deque[Pending] = deque()
        self.transport: asyncio.Transport | None = None
        self.last_data = time.monotonic()
        self.paused = False
        self.sender_done = False  # the sender closed its side: answer what it sent, then close

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.listener.connections.add(self)

    def eof_received(self) -> bool:
        """A sender that half-closes after its last frame still gets every acknowledgement it is owed."""
        self.sender_done = True
        return bool(self.waiting)  # True keeps the connection open for writing

    def connection_lost(self, exc: Exception | None) -> None:
        self.listener.connections.discard(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.last_data = time.monotonic()
        loop = self.listener.loop
        for item in self.reader.feed(data):
            pending = Pending(item, loop.create_future())
            pending.future.add_done_callback(self._answered)
            self.waiting.append(pending)
            self.listener.submit(pending)
        if len(self.waiting) >= self.listener.max_in_flight and self.transport and not self.paused:
            self.transport.pause_reading()  # backpressure: a sender may not run far ahead of the database
            self.paused = True

    def _answered(self, _: asyncio.Future) -> None:
        """Write acknowledgements in the order the frames came, as far as they are ready."""
        while self.waiting and self.waiting[0].future.done():
            pending = self.waiting.popleft()
            answer = None if pending.future.cancelled() else pending.future.result()
            if self.transport is None:
                continue
            if answer is None:  # not stored: no acknowledgement, the sender must resend
                self.transport.close()
                self.transport = None
                continue
            self.transport.write(frame(answer))
        if self.sender_done and not self.waiting and self.transport is not None:
            self.transport.close()
            self.transport = None
        if self.paused and self.transport and len(self.waiting) < self.listener.max_in_flight // 2:
            self.transport.resume_reading()
            self.paused = False

    def check_stall(self, now: float) -> None:
        if self.transport is not None and self.reader.pending and now - self.last_data > self.listener.stall_timeout:
            logger.warning("Closing a connection that stopped in the middle of a frame")
            self.transport.close()


class Listener:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2575,
        *,
        batch_size: int = 500,
        frame_limit: int = 1024 * 1024,
        stall_timeout: float = 30.0,
        max_in_flight: int = 1000,
        apply: Callable[[list[mapping.Received]], list[Outcome]] = apply_batch,
        sock: socket.socket | None = None,
        orphaned: Callable[[], bool] = lambda: False,
    ) -> None:
        self.host, self.port = host, port
        self.batch_size, self.frame_limit = batch_size, frame_limit
        self.stall_timeout, self.max_in_flight = stall_timeout, max_in_flight
        self.apply = apply
        self.sock, self.orphaned = sock, orphaned  # one of several processes: its socket, and whether it is alone
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.connections: set[_Connection] = set()
        self.stats = Stats()
        self.loop: asyncio.AbstractEventLoop = asyncio.get_event_loop_policy().get_event_loop()
        self._server: asyncio.Server | None = None
        self._committer: threading.Thread | None = None

    def submit(self, pending: Pending) -> None:
        self.queue.put(pending)

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        if self.sock is not None:
            self._server = await self.loop.create_server(lambda: _Connection(self), sock=self.sock)
        else:
            self._server = await self.loop.create_server(lambda: _Connection(self), self.host, self.port)
        self.host, self.port = self._server.sockets[0].getsockname()[:2]
        self._committer = threading.Thread(target=self._commit_forever, name="adt-committer", daemon=True)
        self._committer.start()

    async def serve(self, stop: asyncio.Event) -> None:
        """Start, serve until `stop` is set, then finish the queued work and close."""
        await self.start()
        await self.serve_started(stop)

    async def serve_started(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self.orphaned():
                logger.error("The feed's supervising process has gone: this listener stops")
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            now = time.monotonic()
            for conn in list(self.connections):
                conn.check_stall(now)
        await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.queue.put(_STOP)
        if self._committer is not None:
            await asyncio.to_thread(self._committer.join)
        await asyncio.sleep(0)  # let the last acknowledgements be written
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.close()
        if self._server is not None:
            await self._server.wait_closed()

    # --- the committer thread ---------------------------------------------------------------

    def _take(self) -> list[Pending] | None:
        first = self.queue.get()
        if first is _STOP:
            return None
        items = [first]
        while len(items) < self.batch_size:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                self.queue.put(_STOP)
                break
            items.append(item)
        return items

    def _commit_forever(self) -> None:
        try:
            while (items := self._take()) is not None:
                self._commit(items)
        finally:
            connection.close()

    def _commit(self, items: list[Pending]) -> None:
        readings: list[tuple[Pending, list[mapping.Received], bool]] = []
        for item in items:
            if isinstance(item.data, Oversized):
                readings.append((item, [mapping.oversized(item.data.head, self.frame_limit)], False))
            else:
                received, is_batch = mapping.read(item.data)
                readings.append((item, received, is_batch))
        flat = [received for _, batch, _ in readings for received in batch]
        try:
            outcomes = self.apply(flat)
        except Exception:
            logger.exception("A batch of %d messages could not be stored: nothing acknowledged", len(flat))
            close_old_connections()
            unanswered: list[tuple[asyncio.Future, bytes | None]] = [(item.future, None) for item in items]
            self.loop.call_soon_threadsafe(_deliver, unanswered)
            return
        answers: list[tuple[asyncio.Future, bytes | None]] = []
        position, now = 0, timezone.now()
        for item, batch, is_batch in readings:
            mine = outcomes[position : position + len(batch)]
            position += len(batch)
            text = ack.batch([o.ack for o in mine], now) if is_batch else mine[0].ack
            answers.append((item.future, text.encode()))
        self._count(len(items), outcomes)
        self.loop.call_soon_threadsafe(_deliver, answers)

    def _count(self, frames: int, outcomes: list[Outcome]) -> None:
        stats = self.stats
        stats.frames += frames
        stats.batches += 1
        stats.messages += len(outcomes)
        for outcome in outcomes:
            stats.codes[outcome.code] = stats.codes.get(outcome.code, 0) + 1
            stats.repeats += outcome.repeat


def _deliver(answers: list[tuple[asyncio.Future, bytes | None]]) -> None:
    for future, answer in answers:
        if not future.done():
            future.set_result(answer)
