"""Crash test: 2,000 messages over MLLP while the listener is killed (SIGKILL) at random points.

The listener runs as `joinedup adt-listen` in a process of its own, on a
database of its own (a file on SQLite; a database made for the test on the
PostgreSQL server of the run). Sixteen senders, each waiting for every ACK as real
senders do, resend whatever was not acknowledged when the listener died, with
the same bytes (the same MSH-10); with two listener processes, a resend may
reach the other process while the first is still committing. After three kills
and restarts:
- every message was acknowledged AA (nothing lost);
- each is stored exactly once, and had its effect once (one journey line each);
- the audit chain is whole.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from joinedup.core.nhs_number import check_digit
from joinedup.hospital.adt.sender import Outgoing, Sender
from tests.hl7_messages import Adt, Patient

ROOT = Path(__file__).resolve().parents[2]
PATIENTS = 1000  # an admission and a discharge each: 2,000 messages
SENDERS = 16
KILLS = 3


def _numbers(count: int) -> list[str]:
    out, stem = [], 100000
    while len(out) < count:
        digit = check_digit(f"999{stem:06d}")
        if digit is not None:
            out.append(f"999{stem:06d}{digit}")
        stem += 7
    return out


def _messages() -> list[list[Outgoing]]:
    """Per sender, its patients' admissions and discharges, in order."""
    lanes: list[list[Outgoing]] = [[] for _ in range(SENDERS)]
    for n, number in enumerate(_numbers(PATIENTS)):
        patient = Patient(number, practice="X81001", family=f"CRASH{n}")
        for trigger, at in (("A01", "20250106100000"), ("A03", "20250110110000")):
            adt = Adt(trigger, patient, at=at, visit=f"V{n}", facility="CRASHTEST", control_id=f"{trigger}-{n}")
            lanes[n % SENDERS].append(Outgoing(f"{trigger}-{n}", adt.control_id, adt.bytes()))
    return lanes


@contextmanager
def _database(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    import psycopg

    name = f"hospital_crash_{os.getpid()}"
    server = urlsplit(url)
    admin = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database, "JOINEDUP_VAR_DIR": str(tmp_path), "JOINEDUP_LOG_LEVEL": "ERROR"}


def _joinedup(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "joinedup", *args], env=env, cwd=ROOT, check=True, timeout=300,
                   capture_output=True)  # fmt: skip


class Listener:
    def __init__(self, env: dict[str, str], port: int, processes: int = 1) -> None:
        self.env, self.port, self.processes = env, port, processes
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "joinedup", "adt-listen", "--port", str(self.port), "--batch-size", "200",
             "--processes", str(self.processes)],
            env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "Listening for HL7 v2 over MLLP on ..."
        assert b"Listening" in line, line

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _send(port: int, lanes: list[list[Outgoing]], listener: Listener, kill_after: list[int]) -> dict[str, Any]:
    codes: dict[str, str] = {}
    tries: dict[str, int] = {}

    async def lane(items: list[Outgoing]) -> None:
        sender = Sender("127.0.0.1", port, timeout=5.0, retries=200)
        for item in items:
            result = await sender.send(item)
            codes[item.control_id], tries[item.control_id] = result.code, result.tries
        await sender.close()

    async def killer() -> None:
        for threshold in kill_after:
            while len(codes) < threshold:
                await asyncio.sleep(0.01)
            listener.kill()
            await asyncio.sleep(random.uniform(0.0, 0.5))
            await asyncio.to_thread(listener.start)

    await asyncio.gather(killer(), *(lane(items) for items in lanes))
    return {"codes": codes, "resent": sum(1 for n in tries.values() if n > 1)}


def _rows(database: str, sql: str) -> list[tuple]:
    if database.startswith("sqlite"):
        with sqlite3.connect(database.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(database) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("processes", [1, 2], ids=["one listener", "two listener processes"])
def test_every_acknowledged_message_is_stored_exactly_once_through_kills(tmp_path: Path, processes: int) -> None:
    seed = int(os.environ.get("JOINEDUP_CRASH_SEED", str(random.randrange(1_000_000))))
    random.seed(seed)
    kill_after = sorted(random.sample(range(100, 2 * PATIENTS - 100), KILLS))
    with _database(tmp_path) as database:
        env = _env(database, tmp_path)
        _joinedup(env, "migrate", "-v", "0")
        _joinedup(env, "seed-demo", "--clients", "0", "-v", "0")
        listener = Listener(env, _free_port(), processes)
        listener.start()
        started = time.monotonic()
        try:
            result = asyncio.run(asyncio.wait_for(_send(listener.port, _messages(), listener, kill_after), 240))
        finally:
            listener.stop()
        elapsed = time.monotonic() - started
        codes = result["codes"]
        where = f"(seed {seed}, kills after {kill_after}, {result['resent']} resent, {elapsed:.1f} s)"
        assert len(codes) == 2 * PATIENTS and set(codes.values()) == {"AA"}, where
        stored = _rows(database, "SELECT control_id, outcome FROM hospital_feedmessage WHERE facility = 'CRASHTEST'")
        assert sorted(c for c, _ in stored) == sorted(codes), f"lost or duplicated {where}"
        assert {o for _, o in stored} == {"applied"}
        assert _rows(database, "SELECT count(*), count(DISTINCT message_id) FROM hospital_spellevent")[0] == (
            2 * PATIENTS,
            2 * PATIENTS,
        ), where
        assert _rows(database, "SELECT status, count(*) FROM hospital_spell GROUP BY status") == [
            ("discharged", PATIENTS)
        ], where
        assert _rows(database, "SELECT count(*) FROM clients_client WHERE family_name LIKE 'Crash%'")[0][0] == PATIENTS
        _joinedup(env, "audit-verify")
