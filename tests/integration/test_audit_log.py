"""Invariant 7: the audit log is append-only and tamper-evident."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from hypothesis import given, settings
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


class ChainTampering(TestCase):
    """Random edits, deletions, insertions and reorderings are found, at the first bad row."""

    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(3, 12),
        how=st.sampled_from(["edit", "delete", "insert", "swap"]),
        data=st.data(),
    )
    def test_verifier_names_the_first_bad_row(self, n, how, data):
        write_events(n)
        assert verify_chain().ok
        allow_tampering()
        rows = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
        i = data.draw(st.integers(0, n - 2), label="position")
        with connection.cursor() as cursor:
            # Make room between ids without changing anything that is hashed or the order.
            cursor.execute(f"UPDATE {TABLE} SET id = id + 1000000")
            cursor.execute(f"UPDATE {TABLE} SET id = (id - 1000000) * 10")
        rows = [r * 10 for r in rows]
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


def test_a_listing_writes_one_event_per_client_chained_in_order(b):
    from joinedup.clients.queries import caseload

    clients = [client_in(b, family_name=name) for name in ("Able", "Baker", "Carter")]
    before = AuditEvent.objects.count()
    listed = caseload(b.actor("ot.north")).clients
    events = list(AuditEvent.objects.filter(action="list").order_by("id"))
    assert AuditEvent.objects.count() == before + len(clients)
    assert [e.client_id for e in events] == [c.pk for c in listed]
    assert verify_chain().ok
