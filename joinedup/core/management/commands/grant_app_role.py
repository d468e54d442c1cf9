"""`joinedup grant-app-role ROLE`: what the application's own PostgreSQL role may do.

Run it as the owner of the tables (the role that runs `joinedup migrate`), after every
migration. The application role gets SELECT, INSERT, UPDATE and DELETE on JoinedUp's
tables, except the audit log, which it may only read and append to: it cannot UPDATE,
DELETE or TRUNCATE audit rows even with the triggers dropped. On SQLite there are no
roles: the triggers of core/0003 and core/0005 refuse UPDATE and DELETE.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from joinedup.core.models import AuditEvent

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str, tables: list[str]) -> list[str]:
    audit_table = AuditEvent._meta.db_table
    quoted = connection.ops.quote_name(role)
    statements = [f"GRANT USAGE ON SCHEMA public TO {quoted}"]
    for table in tables:
        name = connection.ops.quote_name(table)
        if table == audit_table:
            statements += [
                f"REVOKE ALL ON {name} FROM {quoted}",
                f"GRANT SELECT, INSERT ON {name} TO {quoted}",
            ]
        else:
            statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {quoted}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    return statements


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role what it needs, and no more: the audit log is append-only."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="The PostgreSQL role the service connects as (it must exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if not _ROLE_NAME.match(role):
            raise CommandError("Give a plain role name: lower-case letters, digits and underscores")
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite has no roles: its triggers refuse UPDATE and DELETE of audit rows.")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No PostgreSQL role {role}: create it first (CREATE ROLE {role} LOGIN ...)")
            tables = sorted(connection.introspection.table_names(cursor))
            with transaction.atomic():
                for statement in grant_statements(role, tables):
                    cursor.execute(statement)
        self.stdout.write(
            f"{role} may read and write {len(tables) - 1} tables, and only read and append to the audit log."
        )
