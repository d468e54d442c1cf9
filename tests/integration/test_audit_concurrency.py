"""Invariant 7 under load: N reads of client records make exactly N audit events, when readers come
at once through pages, the JSON API and FHIR, and the hash chain still verifies afterwards.

On PostgreSQL the readers are threads, each with its own database connection, so their audit
writes really contend for the chains (ADR 0030). SQLite has one writer at a time: there the same
reads run one after another (the count must hold all the same).
"""

from __future__ import annotations

import importlib
import random
import threading
from collections import Counter
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection
from django.test import Client as Browser

from joinedup.core.audit import verify_chain
from joinedup.core.models import AuditEvent
from joinedup.core.tokens import create_token
from joinedup.directory.models import Practitioner
from tests.factories import borough, client_in

append_only = importlib.import_module("joinedup.core.migrations.0003_audit_append_only")
READERS = ("ot.north", "coordinator.north", "ot.south")  # ot.south has no relationship: refused
READS_EACH = 24


@dataclass(frozen=True)
class Read:
    reader: str
    url: str
    client_id: int


def reads_for(reader: str, client_ids: list[int], seed: int) -> list[Read]:
    chooser = random.Random(seed)
    urls = ("/clients/{}/", "/api/v1/clients/{}", "/fhir/R4/Patient/{}")
    return [
        Read(reader, chooser.choice(urls).format(client_id), client_id)
        for client_id in (chooser.choice(client_ids) for _ in range(READS_EACH))
    ]


def run(reads: list[Read], tokens: dict[str, str], statuses: list[tuple[Read, int]]) -> None:
    """One reader's reads, with its own browser (and, in a thread, its own database connection)."""
    browser = Browser()
    browser.force_login(Practitioner.objects.get(username=reads[0].reader))
    try:
        for read in reads:
            headers = {"Authorization": f"Bearer {tokens[read.reader]}"} if not read.url.startswith("/clients") else {}
            statuses.append((read, browser.get(read.url, headers=headers).status_code))
    finally:
        connection.close()


def test_every_read_makes_exactly_one_audit_event_also_at_once(committed_db):
    b = borough()
    client_ids = [client_in(b, locality="north").pk for _ in range(5)]
    tokens = {name: create_token(b.people[name], "load", 1)[0] for name in READERS}
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    plan = [reads_for(reader, client_ids, seed) for seed, reader in enumerate(READERS * 2)]
    statuses: list[tuple[Read, int]] = []
    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=run, args=(reads, tokens, statuses)) for reads in plan]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
    else:
        for reads in plan:
            run(reads, tokens, statuses)
    assert len(statuses) == len(plan) * READS_EACH
    codes = Counter(code for _, code in statuses)
    assert set(codes) <= {200, 404}, codes  # no server error, no lock timeout shown as a 500
    events = AuditEvent.objects.filter(id__gt=start, actor_username__in=READERS, client_id__isnull=False)
    for outcome, code in (("success", 200), ("refused", 404)):
        expected = Counter((read.reader, read.client_id) for read, got in statuses if got == code)
        written = Counter(events.filter(outcome=outcome).values_list("actor_username", "client_id"))
        assert written == expected, (outcome, written - expected, expected - written)
    assert codes[200] > 0 and codes[404] > 0  # both kinds of read happened
    assert verify_chain().ok
    call_command("audit_verify", verbosity=0)
