"""Invariant 7: the audit log is append-only and tamper-evident."""

import threading
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.clients.queries import client_record
from joinedup.core import audit
from joinedup.core.access import SYSTEM
from joinedup.core.audit import AuditOutsideTransaction, verify_chain
from joinedup.core.models import AuditEvent
from tests.factories import client_in

TABLE = AuditEvent._meta.db_table


def allow_tampering() -> None:
    """Drop the guards inside the test's transaction (rolled back with it) to play the attacker."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
        else:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")


def write_events(n: int) -> list[int]:
    with transaction.atomic():
        return [audit.record(SYSTEM, "view", object_type="Client", object_id=i, client_id=i).pk for i in range(n)]


def test_rows_cannot_be_updated_or_deleted(db):
    [event_id] = write_events(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event_id).update(reason="nothing to see")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event_id).delete()
    assert AuditEvent.objects.get(pk=event_id).reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL")
def test_the_table_cannot_be_truncated_on_postgresql(db):
    write_events(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")


def test_an_event_must_be_written_inside_the_transaction_of_its_work(db, monkeypatch):
    # The test itself runs in a transaction: pretend it does not, as outside a test.
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with pytest.raises(AuditOutsideTransaction):
        audit.record(SYSTEM, "view")
    monkeypatch.undo()
    assert not AuditEvent.objects.exists()


def test_reading_a_record_writes_one_event_naming_the_relationship(b):
    client = client_in(b)
    before = AuditEvent.objects.count()
    client_record(b.actor("ot.north"), client.pk)
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.client_id, event.actor_username) == ("view", client.pk, "ot.north")
    assert "accountable team" in event.reason
    assert event.actor_organisation == "RYX"


def test_audit_verify_command_names_the_first_bad_row(db, capsys):
    ids = write_events(5)
    call_command("audit_verify", verbosity=0)
    assert "intact: 5 rows" in capsys.readouterr().out
    allow_tampering()
    AuditEvent.objects.filter(pk=ids[2]).update(actor_username="someone-else")
    with pytest.raises(CommandError, match=f"row {ids[2]} its contents were changed"):
        call_command("audit_verify", verbosity=0)


def test_audit_verify_detects_removal_of_the_newest_rows_against_a_recorded_head(db):
    ids = write_events(4)
    head = AuditEvent.objects.get(pk=ids[-1]).hash
    allow_tampering()
    AuditEvent.objects.filter(pk=ids[-1]).delete()
    assert verify_chain().ok  # a chain alone cannot see its tail cut off...
    with pytest.raises(CommandError, match="expected head"):
        call_command("audit_verify", expect_head=head, verbosity=0)  # ...an anchored head can


def write_events_in_chains(chains: list[int]) -> list[int]:
    """One event per item, each in its own transaction, in the chain named (as concurrent writers would)."""
    ids = []
    for chain in chains:
        with transaction.atomic(), patch.object(audit, "_take_chain", lambda cursor, chain=chain: chain):
            ids.append(audit.record(SYSTEM, "view", object_type="Client", object_id=chain, client_id=chain).pk)
    return ids


class ChainTampering(TestCase):
    """Random edits, deletions, insertions and reorderings in any chain are found, at the first bad row."""

    @settings(max_examples=80, deadline=None)
    @given(
        chains=st.lists(st.integers(0, 2), min_size=3, max_size=14),
        how=st.sampled_from(["edit", "delete", "insert", "swap"]),
        data=st.data(),
    )
    def test_verifier_names_the_first_bad_row(self, chains, how, data):
        tamperable = sorted({c for c in chains if chains.count(c) >= 2})
        assume(tamperable)
        ids = write_events_in_chains(chains)
        assert verify_chain().ok
        target = data.draw(st.sampled_from(tamperable), label="chain")
        allow_tampering()
        with connection.cursor() as cursor:
            # Make room between ids without changing anything that is hashed or the order.
            cursor.execute(f"UPDATE {TABLE} SET id = id + 1000000")
            cursor.execute(f"UPDATE {TABLE} SET id = (id - 1000000) * 10")
        rows = [pk * 10 for pk, chain in zip(ids, chains, strict=True) if chain == target]
        n = len(rows)
        i = data.draw(st.integers(0, n - 2), label="position")
        if how == "edit":
            field = data.draw(st.sampled_from(["reason", "actor_username", "object_id", "outcome", "hash"]))
            AuditEvent.objects.filter(pk=rows[i]).update(**{field: "tampered"})
            expected = rows[i]
        elif how == "delete":
            AuditEvent.objects.filter(pk=rows[i]).delete()
            expected = rows[i + 1]
        elif how == "insert":
            template = AuditEvent.objects.get(pk=rows[i + 1])
            template.pk = rows[i] + 5
            template.hash = "f" * 64
            template.save(force_insert=True)
            expected = rows[i] + 5
        else:
            j = data.draw(st.integers(i + 1, n - 1), label="other")
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {TABLE} SET id = -1 WHERE id = %s", [rows[i]])
                cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [rows[i], rows[j]])
                cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = -1", [rows[j]])
            expected = rows[i]
        report = verify_chain()
        assert not report.ok
        assert report.first_bad_id == expected, (how, report)


def test_a_row_moved_to_another_chain_is_found(db):
    first, _, third = write_events_in_chains([0, 1, 2])
    allow_tampering()
    AuditEvent.objects.filter(pk=third).update(chain=3)  # alone in its chain, but it follows chain 2's start
    report = verify_chain()
    assert report.first_bad_id == third
    assert "does not follow" in report.problem
    assert audit.genesis(0) == audit.GENESIS != audit.genesis(1) != audit.genesis(2)
    del first


def test_audit_verify_prints_each_chains_head_and_checks_every_expected_head(db, capsys):
    ids = write_events_in_chains([0, 2, 2, 0, 5])
    call_command("audit_verify", verbosity=0)
    out = capsys.readouterr().out
    assert "intact: 5 rows in 3 chain(s)" in out
    heads = {chain: AuditEvent.objects.filter(chain=chain).latest("id").hash for chain in (0, 2, 5)}
    for chain, digest in heads.items():
        assert f"chain {chain}: newest row" in out and digest in out
    allow_tampering()
    AuditEvent.objects.filter(pk=ids[2]).delete()  # the newest row of chain 2
    call_command("audit_verify", expect_head=[heads[0]], verbosity=0)
    with pytest.raises(CommandError, match="expected head"):
        call_command("audit_verify", expect_head=[f"{heads[0]},{heads[2]}", heads[5]], verbosity=0)


def _write_in_another_connection(outcome: dict, lock_timeout_ms: int) -> None:
    """In a thread of its own (so a connection of its own): write one event and roll it back."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {lock_timeout_ms}")
            outcome["chain"] = audit.record(SYSTEM, "view").chain
            raise RuntimeError("roll back")
    except RuntimeError as error:
        outcome.setdefault("error", str(error))
    except DatabaseError as error:
        outcome["error"] = str(error)
    finally:
        connection.close()


def _concurrent_writer(lock_timeout_ms: int = 5000) -> dict:
    outcome: dict = {}
    thread = threading.Thread(target=_write_in_another_connection, args=(outcome, lock_timeout_ms))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return outcome


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several chains are taken only on PostgreSQL")
def test_concurrent_writers_take_different_chains_instead_of_queueing(db):
    with transaction.atomic():
        held = audit.record(SYSTEM, "view").chain  # this transaction holds its chain until the test ends
    outcome = _concurrent_writer()
    assert outcome["error"] == "roll back"  # it wrote without waiting for the held chain...
    assert outcome["chain"] != held  # ...to another chain


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several chains are taken only on PostgreSQL")
def test_with_one_chain_a_second_writer_waits_for_the_first(db, settings):
    settings.JOINEDUP_AUDIT_CHAINS = 1
    with transaction.atomic():
        audit.record(SYSTEM, "view")
    outcome = _concurrent_writer(lock_timeout_ms=300)
    assert "lock timeout" in outcome["error"]
    assert "chain" not in outcome


def test_a_listing_writes_one_event_per_client_chained_in_order(b):
    from joinedup.clients.queries import caseload

    clients = [client_in(b, family_name=name) for name in ("Able", "Baker", "Carter")]
    before = AuditEvent.objects.count()
    listed = caseload(b.actor("ot.north")).clients
    events = list(AuditEvent.objects.filter(action="list").order_by("id"))
    assert AuditEvent.objects.count() == before + len(clients)
    assert [e.client_id for e in events] == [c.pk for c in listed]
    assert verify_chain().ok
