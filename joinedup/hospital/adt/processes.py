"""Several listener processes on one port: the hospital feed on more than one core.

One listener process is bound by Python's global lock to one core, however
many cores the database has (bench/hospital_feed.py measured one core busy and
the other half idle). `adt-listen --processes N` forks N listeners, each with
a socket of its own bound to the same port with SO_REUSEPORT, so that the
kernel shares out the senders' connections. Each connection stays with one
process for its life, so a sender's messages still take effect in the order it
sent them; batches in different processes that name the same person or resend
the same message wait for one another (hospital.batch_locks).

The parent only supervises: it forwards SIGTERM and SIGINT to the listeners,
and if one of them dies it stops the others and fails, so that a service
manager restarts the whole feed rather than run it on fewer ports than it
believes. A listener dies with its parent (PR_SET_PDEATHSIG on Linux; every
second's check of its parent elsewhere), so a killed feed leaves nothing behind
that still accepts messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import asdict

from django.db import connections

from joinedup.hospital.adt.listener import Listener, Stats

logger = logging.getLogger("joinedup.hospital")
_PR_SET_PDEATHSIG = 1


class ListenerDied(Exception):
    """A listener process ended by itself: the feed stopped all of them."""


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on one address; with port 0, the port the first was given."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            address = sock.getsockname()  # the same port for the others, when 0 asked for any
            sock.listen(128)
            sock.setblocking(False)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def serve(
    host: str,
    port: int,
    count: int,
    *,
    batch_size: int,
    on_listening: Callable[[int], None],
) -> Stats:
    """Run `count` listener processes until SIGTERM or SIGINT; their statistics, added up."""
    sockets = listening_sockets(host, port, count)
    bound_port = int(sockets[0].getsockname()[1])
    connections.close_all()  # a connection must not be shared by forked processes
    sys.stdout.flush()  # nor a buffer of output
    sys.stderr.flush()
    children: dict[int, int] = {}  # pid -> the read end of the pipe its statistics come back on
    parent = os.getpid()
    for mine in sockets:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            for sock in sockets:
                if sock is not mine:
                    sock.close()
            _child(mine, batch_size, parent, write_end)  # never returns
        os.close(write_end)
        children[pid] = read_end
    for sock in sockets:
        sock.close()  # only the listeners hold them now: if one dies, its queued connections are refused
    return _supervise(children, lambda: on_listening(bound_port))


def _supervise(children: dict[int, int], started: Callable[[], None]) -> Stats:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    died: list[str] = []
    total = Stats()
    try:
        started()
        running = set(children)
        while running:
            pid, status = os.waitpid(-1, 0)
            if pid not in running:
                continue
            running.discard(pid)
            _add(total, _read_stats(children[pid]))
            if not stopping:
                died.append(f"process {pid} ended ({_how(status)})")
                stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if died:
        raise ListenerDied("A listener process ended by itself, so the feed stopped: " + "; ".join(died))
    return total


def _child(sock: socket.socket, batch_size: int, parent: int, stats_out: int) -> None:
    code = 1
    try:
        _die_with(parent)
        stats = asyncio.run(_serve_one(sock, batch_size, parent))
        os.write(stats_out, json.dumps(asdict(stats)).encode())
        code = 0
    except BaseException:
        logger.exception("A listener process failed")
    finally:
        sys.stderr.flush()
        os._exit(code)


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


async def _serve_one(sock: socket.socket, batch_size: int, parent: int) -> Stats:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    listener = Listener(batch_size=batch_size, sock=sock, orphaned=lambda: os.getppid() != parent)
    await listener.start()
    await listener.serve_started(stop)
    return listener.stats


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _read_stats(read_end: int) -> dict:
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    try:
        return dict(json.loads(b"".join(chunks))) if chunks else {}
    except ValueError:
        return {}


def _add(total: Stats, stats: dict) -> None:
    total.frames += stats.get("frames", 0)
    total.messages += stats.get("messages", 0)
    total.batches += stats.get("batches", 0)
    total.repeats += stats.get("repeats", 0)
    for code, count in stats.get("codes", {}).items():
        total.codes[code] = total.codes.get(code, 0) + count


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
