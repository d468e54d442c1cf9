"""The feed in several processes: they share the port, stop together, and never apply one person's
messages side by side.

`adt-listen --processes N` runs as a process of its own on a database of its
own (as the crash test does); the lock tests run in this process, on the run's
database, with a second connection of their own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction

from joinedup.hospital.adt.mapping import Received, read
from joinedup.hospital.adt.sender import Outgoing, Sender
from joinedup.hospital.batch_locks import keys, lock
from joinedup.hospital.ingest import apply_batch
from joinedup.hospital.models import FeedMessage
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.hl7_messages import Adt, Patient
from tests.integration.test_hospital_crash import ROOT, _database, _env, _free_port, _joinedup, _numbers, _rows

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="advisory locks are PostgreSQL's; on SQLite writing transactions already take turns (BEGIN IMMEDIATE)",
)


def _received(trigger: str, number: str, control_id: str) -> Received:
    return read(Adt(trigger, Patient(number, practice="F84001"), control_id=control_id).bytes())[0][0]


def _second_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or None, port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


@postgres_only
@pytest.mark.usefixtures("committed_db")
def test_a_batch_holds_its_people_and_messages_until_it_commits() -> None:
    batch = [_received("A01", VALID_NHS_NUMBERS[0], "L1"), _received("A01", VALID_NHS_NUMBERS[1], "L2")]
    ordered = keys(batch, {})
    with _second_connection() as other:
        with transaction.atomic():
            lock(batch)
            for key in ordered:
                assert other.execute("SELECT pg_try_advisory_xact_lock(%s)", [key]).fetchone() == (False,)
        for key in ordered:  # committed: free again
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone() == (True,)
            other.execute("SELECT pg_advisory_unlock(%s)", [key])


@postgres_only
@pytest.mark.usefixtures("committed_db")
def test_a_second_batch_about_the_same_person_waits_for_the_first_to_commit(feed) -> None:
    number = client_in(feed.b, nhs_number=VALID_NHS_NUMBERS[2]).nhs_number
    admission, discharge = _received("A01", number, "W1"), _received("A03", number, "W2")
    done = threading.Event()

    def second() -> None:
        try:
            apply_batch([discharge])
        finally:
            connection.close()
            done.set()

    with transaction.atomic():
        apply_batch([admission])  # its locks are held until this block commits
        other = threading.Thread(target=second)
        other.start()
        assert not done.wait(1.0), "the discharge was applied while the admission was not yet committed"
    other.join(30)
    assert done.is_set()
    codes = dict(FeedMessage.objects.filter(control_id__in=["W1", "W2"]).values_list("control_id", "ack_code"))
    assert codes == {"W1": "AA", "W2": "AA"}  # the discharge saw the admission it follows


# --- several listener processes ---------------------------------------------------------------------


def _start(env: dict[str, str], port: int, processes: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "joinedup", "adt-listen", "--port", str(port), "--processes", str(processes)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    assert f"127.0.0.1:{port} in {processes} processes".encode() in line, line
    return process


def _children(pid: int) -> list[int]:
    return [int(p) for f in Path(f"/proc/{pid}/task").glob("*/children") for p in f.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie waits only to be counted: it serves nothing


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def _until(check, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


async def _send(port: int, lanes: list[list[Outgoing]]) -> dict[str, str]:
    codes: dict[str, str] = {}

    async def lane(items: list[Outgoing]) -> None:
        sender = Sender("127.0.0.1", port, timeout=10.0, retries=3)
        for item in items:
            codes[item.control_id] = (await sender.send(item)).code
        await sender.close()

    await asyncio.gather(*(lane(items) for items in lanes))
    return codes


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc")


@linux_only
def test_listener_processes_share_the_port_and_apply_each_message_once(tmp_path: Path) -> None:
    lanes: list[list[Outgoing]] = [[] for _ in range(8)]
    for n, number in enumerate(_numbers(40)):
        for trigger in ("A01", "A03"):
            adt = Adt(trigger, Patient(number, practice="X81001"), visit=f"V{n}", facility="SHARED",
                      control_id=f"{trigger}-{n}")  # fmt: skip
            lanes[n % 8].append(Outgoing(adt.control_id, adt.control_id, adt.bytes()))
    with _database(tmp_path) as database:
        env = _env(database, tmp_path)
        _joinedup(env, "migrate", "-v", "0")
        _joinedup(env, "seed-demo", "--clients", "0", "-v", "0")
        port = _free_port()
        feed = _start(env, port, 2)
        try:
            assert len([pid for pid in _children(feed.pid) if _alive(pid)]) == 2
            codes = asyncio.run(asyncio.wait_for(_send(port, lanes), 120))
        finally:
            feed.send_signal(signal.SIGTERM)
            out, _ = feed.communicate(timeout=60)
        assert feed.returncode == 0
        assert set(codes.values()) == {"AA"} and len(codes) == 80
        assert b"Stopped: 80 messages" in out  # both processes' counts, added up
        stored = _rows(database, "SELECT control_id FROM hospital_feedmessage WHERE facility = 'SHARED'")
        assert sorted(c for (c,) in stored) == sorted(codes)
        assert _rows(database, "SELECT status, count(*) FROM hospital_spell GROUP BY status") == [("discharged", 40)]


@linux_only
def test_a_killed_feed_leaves_no_listener_behind_and_a_dead_listener_stops_the_feed(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'feed.sqlite3'}"
    env = _env(database, tmp_path)
    _joinedup(env, "migrate", "-v", "0")
    _joinedup(env, "seed-demo", "--clients", "0", "-v", "0")

    port = _free_port()
    feed = _start(env, port, 2)
    children = _children(feed.pid)
    feed.kill()  # SIGKILL: the supervisor cannot tell anyone
    feed.wait(30)
    assert _until(lambda: not any(_alive(pid) for pid in children)), "a listener outlived the feed"
    assert _until(lambda: _refused(port)), "something still accepts connections"

    port = _free_port()
    feed = _start(env, port, 2)
    first, second = _children(feed.pid)
    os.kill(first, signal.SIGKILL)
    _, err = feed.communicate(timeout=30)
    assert feed.returncode != 0
    assert b"ended by itself" in err
    assert _until(lambda: not _alive(second)), "the other listener kept serving"
    assert _until(lambda: _refused(port))
