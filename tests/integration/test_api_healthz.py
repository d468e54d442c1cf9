"""/healthz: database reachable and migrations applied: 200; otherwise 503. No sign-in, no data."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from joinedup.core import health


@pytest.mark.django_db
def test_healthz_ok_without_signing_in(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # SELECT 1; the migrations table; what is applied
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "unapplied_migrations": []}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_answers_head_and_refuses_writes():
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


# SQLite cannot change its schema inside the test's transaction, so there the test commits
# (and the database is emptied afterwards); PostgreSQL can, and rolls it all back.
SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.mark.django_db(transaction=SQLITE)
def test_healthz_reports_a_migration_not_yet_applied():
    # The real thing: take the database one migration back, then forward again.
    graph = MigrationExecutor(connection).loader.graph
    leaf = max(node for node in graph.leaf_nodes() if node[0] == "core")
    parent = next(p.key for p in graph.node_map[leaf].parents if p.key[0] == "core")
    call_command("migrate", "core", parent[1], verbosity=0)
    try:
        response = Client().get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "error" and body["database"] == "ok"
        assert f"core.{leaf[1]}" in body["unapplied_migrations"]
    finally:
        call_command("migrate", verbosity=0)
    assert Client().get("/healthz").status_code == 200


class _Unreachable:
    """A database connection that cannot connect: the boundary, faked with a plain object."""

    vendor = "postgresql"

    def cursor(self):
        raise OperationalError('connection to server at "db.internal" (10.0.0.5) failed: password for joinedup')


def test_healthz_when_the_database_is_unreachable_names_no_host(monkeypatch):
    monkeypatch.setattr(health, "connection", _Unreachable())
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "error",
        "database": "unreachable (OperationalError)",
        "unapplied_migrations": [],
    }
    assert "db.internal" not in response.content.decode()
