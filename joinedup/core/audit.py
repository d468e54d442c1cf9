"""The audit service: every view and change of client data writes one event here.

Called from services and scoped queries, inside the transaction of the work
it records, so that the event and the work commit together or not at all.
Each event carries the hash of the one before it in its chain; `verify_chain`
finds the first row that does not fit. On PostgreSQL the log keeps several
chains (JOINEDUP_AUDIT_CHAINS), each locked by one writing transaction at a
time, so concurrent reads do not queue on one lock (ADR 0030).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from joinedup.core.access import Actor
from joinedup.core.models import AuditEvent

GENESIS = "0" * 64
# Events written in this request, when core.middleware.AuditCountMiddleware counts them (the load test).
written_in_request: ContextVar[list[int] | None] = ContextVar("written_in_request", default=None)
# Any fixed number: with a chain's number, the key of the PostgreSQL advisory lock that orders that chain.
_CHAIN_LOCK = 7_241_150


class AuditOutsideTransaction(RuntimeError):
    """An audit event must be written in the transaction of the work it records."""


_HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_roles",
    "actor_organisation",
    "channel",
    "action",
    "object_type",
    "object_id",
    "client_id",
    "reason",
    "outcome",
    "detail",
)


def _canonical(values: dict[str, Any]) -> bytes:
    data = {name: values[name] for name in _HASHED_FIELDS}
    occurred = data["occurred_at"]
    data["occurred_at"] = occurred.astimezone(UTC).isoformat() if isinstance(occurred, datetime) else occurred
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()


def _key() -> bytes:
    # A keyed hash: someone who can write to the database but does not hold the
    # key cannot forge a consistent chain after an edit.
    return hashlib.sha256(b"joinedup-audit|" + settings.JOINEDUP_AUDIT_KEY.encode()).digest()


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hmac.new(_key(), prev_hash.encode() + b"|" + _canonical(values), hashlib.sha256).hexdigest()


def genesis(chain: int) -> str:
    """What the first row of a chain follows: a row moved to another chain no longer fits there."""
    if chain == 0:
        return GENESIS  # as before there were several chains, so older logs still verify
    return hmac.new(_key(), f"chain|{chain}".encode(), hashlib.sha256).hexdigest()


def _chains() -> int:
    # SQLite has one writer at a time (transactions begin IMMEDIATE): one chain is enough.
    return settings.JOINEDUP_AUDIT_CHAINS if connection.vendor == "postgresql" else 1


def _take_chain(cursor: Any) -> int:
    """Lock a chain for the rest of the transaction: a free one if any, else wait for this connection's own."""
    count = _chains()
    if count == 1:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_CHAIN_LOCK])
        return 0
    # Each connection starts from a chain of its own, so that steady writers rarely meet.
    own = connection.connection.info.backend_pid % count
    for step in range(count):
        chain = (own + step) % count
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK, chain])
        if cursor.fetchone()[0]:
            return chain
    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK, own])
    return own


def _lock_chain_and_read_head() -> tuple[int, str]:
    """The chain this transaction writes to, locked until it ends, and that chain's newest hash.

    The head is read after the lock is held, in a statement of its own, so that it sees
    the commit of whoever held the chain before.
    """
    with connection.cursor() as cursor:
        chain = _take_chain(cursor)
        cursor.execute(
            f"SELECT hash FROM {AuditEvent._meta.db_table} WHERE chain = %s ORDER BY id DESC LIMIT 1",  # noqa: S608
            [chain],
        )
        row = cursor.fetchone()
    return chain, (row[0] if row else genesis(chain))


@dataclass(frozen=True)
class Entry:
    """One event to record: what was seen or changed, about whom, and why."""

    action: str
    object_type: str = ""
    object_id: object = ""
    client_id: int | None = None
    reason: str = ""
    outcome: str = "success"
    detail: dict[str, Any] | None = None


def _values(actor: Actor, entry: Entry, when: datetime) -> dict[str, Any]:
    return {
        "occurred_at": when,
        "actor_id": actor.user_id,
        "actor_username": actor.username,
        "actor_roles": ",".join(sorted(actor.roles)),
        "actor_organisation": actor.ods_code,
        "channel": actor.channel,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": str(entry.object_id),
        "client_id": entry.client_id,
        "reason": entry.reason[:500],
        "outcome": entry.outcome,
        "detail": entry.detail or {},
    }


def record_many(actor: Actor, entries: Sequence[Entry], *, need_ids: bool = False) -> list[AuditEvent]:
    """Write several events in the current transaction, chained in order, in one statement.

    A list of 25 clients is 25 events, one per client seen, for the cost of one insert.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit events must be written inside transaction.atomic")
    if not entries:
        return []
    when = timezone.now()
    chain, prev = _lock_chain_and_read_head()
    events = []
    for entry in entries:
        values = _values(actor, entry, when)
        digest = chain_hash(prev, values)
        events.append(AuditEvent(**values, chain=chain, prev_hash=prev, hash=digest))
        prev = digest
    if connection.vendor == "postgresql" and not need_ids:
        _copy(events)  # a caseload or inbox page: 100 rows by COPY cost a fifth of bulk_create's time
    else:
        _insert(events)
    counted = written_in_request.get()
    if counted is not None:
        counted[0] += len(events)
    return events


_COPY_FIELDS = (*_HASHED_FIELDS, "chain", "prev_hash", "hash")


def _insert(events: list[AuditEvent]) -> None:
    """One INSERT ... RETURNING id, written out rather than built by the ORM: every audited request
    makes one, and compiling it cost more than running it (bench/profile_requests.py). Ids follow the
    list order, so the chain reads back in order; each event gets its id."""
    table = AuditEvent._meta.db_table
    row = "(" + ", ".join(["%s"] * len(_COPY_FIELDS)) + ")"
    values = [_adapted(event) for event in events]
    sql = f"INSERT INTO {table} ({', '.join(_COPY_FIELDS)}) VALUES {', '.join([row] * len(events))} RETURNING id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row_values in values for value in row_values])
        ids = [found[0] for found in cursor.fetchall()]
    for event, pk in zip(events, sorted(ids), strict=True):
        event.pk = pk


def _adapted(event: AuditEvent) -> list[Any]:
    row: list[Any] = [getattr(event, name) for name in _COPY_FIELDS]
    row[_COPY_FIELDS.index("detail")] = json.dumps(event.detail)
    if connection.vendor != "postgresql":
        row[_COPY_FIELDS.index("occurred_at")] = connection.ops.adapt_datetimefield_value(event.occurred_at)
    return row


def _copy(events: list[AuditEvent]) -> None:
    """COPY the events in list order (ids come from the sequence in that order); pks stay unset."""
    columns = ", ".join(_COPY_FIELDS)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {AuditEvent._meta.db_table} ({columns}) FROM STDIN") as copy:
            for event in events:
                row = [getattr(event, name) for name in _COPY_FIELDS]
                row[_COPY_FIELDS.index("detail")] = json.dumps(event.detail)
                copy.write_row(row)


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    client_id: int | None = None,
    reason: str = "",
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event in the current transaction."""
    entry = Entry(action, object_type, object_id, client_id, reason, outcome, detail)
    return record_many(actor, [entry], need_ids=True)[0]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_id: int | None
    problem: str
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain -> (newest id, its hash)

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def _rows(batch: int = 5000) -> Iterator[dict[str, Any]]:
    fields = ("id", "chain", *_HASHED_FIELDS, "prev_hash", "hash")
    yield from AuditEvent.objects.order_by("chain", "id").values(*fields).iterator(chunk_size=batch)


def _problem(row: dict[str, Any], prev: str) -> str:
    if row["prev_hash"] != prev:
        return "does not follow the row before it (a row was removed, added or moved)"
    if chain_hash(prev, row) != row["hash"]:
        return "its contents were changed after it was written"
    return ""


def verify_chain(progress: Any = None) -> ChainReport:
    """Walk each chain in order; name the first bad row (the lowest id of any chain's first bad row)."""
    heads: dict[int, tuple[int, str]] = {}
    bad: dict[int, tuple[int, str]] = {}  # chain -> its first bad row and why
    prev, current, checked = GENESIS, -1, 0
    for row in _rows():
        chain: int = row["chain"]
        if chain != current:
            current, prev = chain, genesis(chain)
        checked += 1
        if progress is not None:
            progress(checked)
        if chain in bad:
            continue  # what follows a bad row in the same chain tells nothing more
        problem = _problem(row, prev)
        if problem:
            bad[chain] = (row["id"], problem)
            continue
        prev = row["hash"]
        heads[chain] = (row["id"], row["hash"])
    if not bad:
        return ChainReport(checked, None, "", heads)
    first_bad_id, problem = min(bad.values())
    intact = AuditEvent.objects.filter(id__lt=first_bad_id).count()
    return ChainReport(intact, first_bad_id, problem, heads)
