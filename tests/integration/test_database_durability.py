"""SQLite runs with WAL, synchronous=FULL and foreign keys on, read back on every connection."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")


def wrapper(tmp_path, init_command: str) -> DatabaseWrapper:
    settings = dict(connection.settings_dict)
    settings.update(NAME=str(tmp_path / "x.sqlite3"), OPTIONS={"init_command": init_command})
    return DatabaseWrapper(settings, alias="durability-check")


def test_a_properly_configured_file_database_is_accepted(db, tmp_path):
    db = wrapper(tmp_path, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
    db.ensure_connection()
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    db.close()


@pytest.mark.parametrize(
    ("init", "problem"),
    [
        ("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "journal_mode"),
        ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", "synchronous"),
    ],
)
def test_a_database_without_durable_settings_is_refused(db, tmp_path, init, problem):
    db = wrapper(tmp_path, init)
    with pytest.raises(ImproperlyConfigured, match=problem):
        db.ensure_connection()
    db.close()


def test_the_running_database_has_foreign_keys_on(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
