"""The application's database role cannot change or remove audit rows (PostgreSQL GRANTs; SQLite triggers)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from joinedup.core import audit
from joinedup.core.access import SYSTEM
from joinedup.core.models import AuditEvent

ROLE = "joinedup_app_test"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and GRANTs are PostgreSQL's")


def as_app_role(statement: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        cursor.execute(statement, params or [])


def drop_triggers() -> None:
    """Even with the append-only triggers gone (as their owner could), the role is refused."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")


@postgres_only
def test_the_app_role_reads_and_appends_audit_rows_but_cannot_change_or_remove_them(b):
    with transaction.atomic():
        event = audit.record(SYSTEM, "view", object_type="Client", object_id=1)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")  # rolled back with the test
    call_command("grant_app_role", ROLE)
    drop_triggers()
    as_app_role("SELECT count(*) FROM core_auditevent")
    as_app_role("UPDATE clients_client SET phone = phone")  # its ordinary work goes on
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        audit.record(SYSTEM, "view", object_type="Client", object_id=2)  # appending works
    for statement in (
        "UPDATE core_auditevent SET reason = 'nothing to see' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="permission denied"):
            as_app_role(statement, [event.pk])
    with pytest.raises(DatabaseError, match="permission denied"):
        as_app_role("TRUNCATE core_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@postgres_only
def test_an_unknown_or_odd_role_is_refused(db):
    with pytest.raises(CommandError, match="No PostgreSQL role"):
        call_command("grant_app_role", "nobody_like_this")
    with pytest.raises(CommandError, match="plain role name"):
        call_command("grant_app_role", "x; DROP TABLE core_auditevent")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's answer")
def test_on_sqlite_the_triggers_are_the_guard(db, capsys):
    call_command("grant_app_role", "anything")
    assert "triggers refuse UPDATE and DELETE" in capsys.readouterr().out
