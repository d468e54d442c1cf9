"""Who a batch is about, locked for its transaction, so that batches applied side by side stay in order.

Several listener processes (`adt-listen --processes N`), a FHIR import and a
person replaying a held message may each apply messages at the same time. A
batch reads its people's spells into memory and writes them back, so two
batches about one person must not overlap, and a resend must not be applied by
one process while another is still committing its first copy. On PostgreSQL a
batch therefore takes, before it reads anything, a transaction-level advisory
lock for each person it names (NHS number, or client id) and for each message
identity (sending facility and MSH-10). The keys are taken in one statement,
in ascending order, so two batches never wait for each other in a circle; the
second batch about a person waits for the first to commit and then reads what
it wrote. SQLite needs none of this: its writing transactions run one at a
time (they begin IMMEDIATE).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection

from joinedup.hospital.adt.mapping import Received

# Bigint advisory locks live apart from the (int, int) locks of the audit chains.
_PREFIX = b"joinedup.hospital.batch|"


def keys(batch: Iterable[Received], nhs_number_of: dict[int, str | None]) -> list[int]:
    """The lock keys of a batch, ascending: each person once, each message identity once."""
    names: set[str] = set()
    for received in batch:
        if received.replay_of is None:
            names.add(f"message|{received.facility}|{received.control_id}")
        if received.client_id is not None:
            names.add(f"client|{received.client_id}")
            number = nhs_number_of.get(received.client_id)
            if number:
                names.add(f"person|{number}")
        elif received.event is not None and received.event.person.nhs_number:
            names.add(f"person|{received.event.person.nhs_number}")
    return sorted({_key(name) for name in names})


def _key(name: str) -> int:
    digest = hashlib.blake2b(_PREFIX + name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock(batch: list[Received]) -> None:
    """Take the batch's locks until its transaction ends (PostgreSQL; nothing to do on SQLite)."""
    if connection.vendor != "postgresql":
        return
    by_id = {r.client_id for r in batch if r.client_id is not None}
    nhs_number_of: dict[int, str | None] = {}
    if by_id:  # a client named by id is the same person as their NHS number in another process's batch
        from joinedup.clients.models import Client

        nhs_number_of = dict(Client.objects.filter(pk__in=by_id).values_list("id", "nhs_number"))
    ordered = keys(batch, nhs_number_of)
    if not ordered:
        return
    with connection.cursor() as cursor:
        # unnest keeps the array's order and the function scan takes the locks one after another.
        cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [ordered])
