"""GET /healthz: is the database reachable, and is every migration applied?

For load balancers and monitoring: no sign-in, no personal data, two small
queries. 200 with {"status": "ok"} when all is well; 503 with
{"status": "error"} when the database cannot be reached or migrations are
waiting to be applied (the code and the schema disagree).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_problem() -> str | None:
    """None when a query runs; otherwise a short description that names no host or user."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("healthz: database unreachable: %s", error)
        return f"unreachable ({type(error).__name__})"
    return None


def unapplied_migrations() -> list[str]:
    """Migrations in the code not yet applied to the database, as app.migration, in plan order."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


def health() -> tuple[dict[str, Any], int]:
    problem = database_problem()
    pending: list[str] = []
    if problem is None:
        try:
            pending = unapplied_migrations()
        except DatabaseError as error:
            logger.warning("healthz: migration check failed: %s", error)
            problem = f"migration check failed ({type(error).__name__})"
    ok = problem is None and not pending
    body = {
        "status": "ok" if ok else "error",
        "database": problem or "ok",
        "unapplied_migrations": pending,
    }
    return body, 200 if ok else 503


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    body, status = health()
    return JsonResponse(body, status=status)
