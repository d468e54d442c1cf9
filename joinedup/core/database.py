"""SQLite must run with WAL, synchronous=FULL and foreign keys on: read back on every connection."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created
from django.dispatch import receiver

# synchronous: 2 = FULL
_EXPECTED = {"synchronous": 2, "foreign_keys": 1}


def _is_in_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


@receiver(connection_created)
def check_sqlite_durability(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for pragma, expected in _EXPECTED.items():
            cursor.execute(f"PRAGMA {pragma}")
            value = cursor.fetchone()[0]
            if value != expected:
                raise ImproperlyConfigured(f"SQLite PRAGMA {pragma} is {value}, expected {expected}")
        cursor.execute("PRAGMA journal_mode")
        mode = str(cursor.fetchone()[0]).lower()
    if mode != "wal" and not _is_in_memory(str(connection.settings_dict["NAME"])):
        raise ImproperlyConfigured(f"SQLite journal_mode is {mode}, expected wal")
