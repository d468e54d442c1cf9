"""Crash tests: kill the service (SIGKILL) or PostgreSQL (immediate stop) under a stream of API writes.

Every write acknowledged with a 2xx must survive, whole: the need, its timeline line and its
audit event, or none of them; the database's own integrity check passes and the audit chain
verifies. After PostgreSQL comes back, the service serves again by itself within 10 seconds.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.service import Service, ThrowawayPostgres, run

pytestmark = pytest.mark.durability

WRITES = int(os.environ.get("JOINEDUP_CRASH_WRITES", "10000"))
WRITERS = 4
SECONDS_LIMIT = float(os.environ.get("JOINEDUP_CRASH_SECONDS", "300"))


@dataclass
class Ledger:
    """What the writers were told: acknowledged writes, and writes whose fate they could not know."""

    acknowledged: dict[str, int] = field(default_factory=dict)  # description -> need id
    unknown: set[str] = field(default_factory=set)
    refused: int = 0  # answered, but not 2xx (the database was down)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def answered(self) -> int:
        return len(self.acknowledged) + self.refused


def post_need(service: Service, token: str, client_id: int, description: str) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    try:
        body = json.dumps({"category": "housing", "description": description})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request("POST", f"/api/v1/clients/{client_id}/needs", body, headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if response.status == 201 else {}
    finally:
        connection.close()


def writer(service: Service, token: str, clients: list[int], ledger: Ledger, number: int, stop: threading.Event):
    sequence = 0
    while not stop.is_set():
        sequence += 1
        description = f"crash-{number}-{sequence}"
        try:
            status, body = post_need(service, token, clients[sequence % len(clients)], description)
        except (OSError, http.client.HTTPException):
            with ledger.lock:
                ledger.unknown.add(description)  # may or may not have been committed
            time.sleep(0.02)
            continue
        with ledger.lock:
            if status == 201:
                ledger.acknowledged[description] = body["id"]
            else:
                ledger.refused += 1
                ledger.unknown.add(description)  # a 5xx may come after a commit it could not report


def run_writers(service: Service, token: str, clients: list[int], until: Callable[[Ledger], bool]) -> Ledger:
    ledger, stop = Ledger(), threading.Event()
    threads = [
        threading.Thread(target=writer, args=(service, token, clients, ledger, n, stop), daemon=True)
        for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + SECONDS_LIMIT
    while not until(ledger) and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return ledger


class Database:
    """Plain DB-API reads of what the service wrote, outside Django."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite:")

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.sqlite:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as db:
                # The tables' CHECK constraints use REGEXP, which Django provides to its own connections.
                db.create_function(
                    "REGEXP", 2, lambda pattern, value: value is not None and bool(re.search(pattern, value))
                )
                return db.execute(sql, params).fetchall()
        with psycopg.connect(self.url) as db:
            return db.execute(sql.replace("?", "%s"), params or None).fetchall()

    def clients_of(self, username: str) -> list[int]:
        return [
            row[0]
            for row in self.rows(
                "SELECT c.id FROM clients_client c "
                "JOIN directory_teammembership m ON m.team_id = c.accountable_team_id "
                "JOIN directory_practitioner p ON p.id = m.practitioner_id "
                "WHERE p.username = ? AND c.consent_to_share <> 'refused' AND c.status = 'active' ORDER BY c.id",
                (username,),
            )
        ][:10]

    def needs_written(self) -> dict[str, int]:
        return dict(self.rows("SELECT description, id FROM clients_need WHERE description LIKE 'crash-%'"))

    def whole(self, need_ids: list[int]) -> list[int]:
        """The needs among these that have their timeline line and their audit event."""
        timeline = {
            int(r[0]) for r in self.rows("SELECT object_id FROM clients_timelineevent WHERE object_type='Need'")
        }
        audited = {
            int(r[0])
            for r in self.rows("SELECT object_id FROM core_auditevent WHERE object_type='Need' AND action='create'")
        }
        return [pk for pk in need_ids if pk in timeline and pk in audited]


def check_survivors(database: Database, ledger: Ledger, service: Service) -> None:
    written = database.needs_written()
    lost = {d: pk for d, pk in ledger.acknowledged.items() if written.get(d) != pk}
    assert not lost, f"{len(lost)} acknowledged writes were lost, e.g. {list(lost.items())[:5]}"
    invented = set(written) - set(ledger.acknowledged) - ledger.unknown
    assert not invented, f"writes nobody sent: {sorted(invented)[:5]}"
    assert len(written) == len(set(written.values())), "a write was stored twice"
    halves = set(written.values()) - set(database.whole(list(written.values())))
    assert not halves, f"needs without their timeline line or audit event: {sorted(halves)[:5]}"
    run(service.env, "audit-verify", "--verbosity", "0")  # raises if the chain is broken


@pytest.fixture
def sqlite_service(tmp_path: Path) -> Iterator[Service]:
    service = Service(database_url=f"sqlite:///{tmp_path}/crash.sqlite3", var_dir=tmp_path)
    service.prepare()
    yield service
    service.stop()


def test_sigkill_under_writes_loses_no_acknowledged_change_on_sqlite(sqlite_service: Service):
    service = sqlite_service
    database = Database(service.database_url)
    token = service.token("olivia.ot")
    clients = database.clients_of("olivia.ot")
    assert clients
    service.start()
    rng = random.Random(7)
    kills = 0

    def killer(ledger: Ledger) -> bool:
        nonlocal kills
        if ledger.answered >= WRITES:
            return True
        if rng.random() < 0.04:  # about every 5 s at 5 looks a second
            service.kill()
            kills += 1
            service.start()
        return False

    started = time.monotonic()
    ledger = run_writers(service, token, clients, killer)
    service.kill()
    print(f"{ledger.answered} writes answered in {time.monotonic() - started:.0f} s, {kills} kills")
    assert kills >= 3, "the test must have killed the service several times"
    assert ledger.answered >= WRITES, f"only {ledger.answered} writes answered in {SECONDS_LIMIT:.0f} s"
    assert database.rows("PRAGMA integrity_check") == [("ok",)]
    check_survivors(database, ledger, service)


@pytest.fixture
def postgres_service(tmp_path: Path) -> Iterator[tuple[Service, ThrowawayPostgres]]:
    why = ThrowawayPostgres.available()
    if why:
        if os.environ.get("JOINEDUP_REQUIRE_ALL") == "1":
            pytest.fail(f"cannot make a throwaway PostgreSQL cluster: {why}")
        pytest.skip(f"cannot make a throwaway PostgreSQL cluster: {why}")
    # Not under pytest's own temporary directory, which only root may enter.
    cluster = ThrowawayPostgres(directory=Path(tempfile.mkdtemp(prefix="joinedup-crash-pg-")))
    try:
        service = Service(database_url=cluster.create(), var_dir=tmp_path)
        service.prepare()
        yield service, cluster
        service.stop()
    finally:
        cluster.destroy()


def wait_for_a_write(service: Service, token: str, client_id: int, seconds: float) -> float:
    """Seconds until the service acknowledges a write again."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if post_need(service, token, client_id, f"recovery-{time.monotonic()}")[0] == 201:
                return time.monotonic() - started
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    raise AssertionError(f"the service did not recover within {seconds} s of PostgreSQL's return")


def test_postgresql_stopped_abruptly_under_writes(postgres_service: tuple[Service, ThrowawayPostgres]):
    service, cluster = postgres_service
    database = Database(service.database_url)
    token = service.token("olivia.ot")
    clients = database.clients_of("olivia.ot")
    service.start()
    outages = []
    rng = random.Random(11)

    def outage(ledger: Ledger) -> bool:
        if len(outages) == 3 or ledger.answered >= WRITES:
            return True
        if ledger.answered > (len(outages) + 1) * 300:
            cluster.stop_immediately()
            time.sleep(rng.uniform(0.5, 2.0))
            cluster.start()
            outages.append(wait_for_a_write(service, token, clients[0], seconds=10))
        return False

    ledger = run_writers(service, token, clients, outage)
    print(f"{ledger.answered} writes answered, {ledger.refused} refused; back in {[round(s, 1) for s in outages]} s")
    assert len(outages) == 3, f"only {len(outages)} outages in {SECONDS_LIMIT:.0f} s"
    assert max(outages) <= 10
    assert ledger.refused > 0 or ledger.unknown, "the outages must have been felt by the writers"
    check_survivors(database, ledger, service)
