"""The audit log's append-only triggers on SQLite, for migrations after which Django has rebuilt the
table (SQLite alters a column by copying the table, and the old table's triggers go with it)."""

TABLE = "core_auditevent"
MESSAGE = "audit events are append-only"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]


def restore_sqlite_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
