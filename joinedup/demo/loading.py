"""Writing generated rows fast: COPY on PostgreSQL, multi-row inserts elsewhere.

Rows come with their ids (see population.py), so nothing is read back; the
tables' id sequences are moved past the new rows at the end. Used only by the
demo seed, a system job that writes its one audit event for the whole run.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from joinedup.demo.tables import TABLES, Row

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def drawn_ahead(connection: BaseDatabaseWrapper, items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """On PostgreSQL, draw the next items in a thread while the caller writes this one.

    psycopg waits for the server outside the GIL, so drawing rows in Python and
    indexing them in PostgreSQL overlap on two cores (100,000 clients: 53 s -> 29 s).
    SQLite does its work in this process, row by row: a second thread only
    fights it for the GIL (33 s -> 45 s), so there the items are drawn in turn.
    Items come in order either way, drawn by one thread.
    """
    if connection.vendor != "postgresql":
        yield from items
        return
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def draw() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as error:  # handed to the caller, raised there
            ready.put(_Failed(error))

    thread = threading.Thread(target=draw, name="seed-draw", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


class RowWriter(Protocol):
    def write(self, table: str, rows: Sequence[Row]) -> None: ...


def _columns(model: type[models.Model], attnames: tuple[str, ...]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


class CopyWriter:
    """PostgreSQL: COPY ... FROM STDIN through psycopg, row by row in text format."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        quote = connection.ops.quote_name
        self.statements = {
            name: "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table),
                ", ".join(quote(str(f.column)) for f in _columns(model, attnames)),
            )
            for name, (model, attnames) in TABLES.items()
        }

    def write(self, table: str, rows: Sequence[Row]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor, cursor.cursor.copy(self.statements[table]) as copy:
            for row in rows:
                copy.write_row(row)


class InsertWriter:
    """Any database (SQLite): one prepared INSERT over the batch, dates adapted as Django does."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        quote = connection.ops.quote_name
        self.statements: dict[str, str] = {}
        self.adapters: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {}
        for name, (model, attnames) in TABLES.items():
            fields = _columns(model, attnames)
            # Table and column names come from the models, values go as parameters.
            self.statements[name] = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
                quote(model._meta.db_table),
                ", ".join(quote(str(f.column)) for f in fields),
                ", ".join(["%s"] * len(fields)),
            )
            self.adapters[name] = [
                (index, self._adapter(field))
                for index, field in enumerate(fields)
                if isinstance(field, models.DateField)
            ]

    def _adapter(self, field: models.Field) -> Callable[[Any], Any]:
        if isinstance(field, models.DateTimeField):
            return self.connection.ops.adapt_datetimefield_value
        return self.connection.ops.adapt_datefield_value

    def write(self, table: str, rows: Sequence[Row]) -> None:
        if not rows:
            return
        adapters = self.adapters[table]
        adapted = []
        for row in rows:
            values = list(row)
            for index, adapt in adapters:
                values[index] = adapt(values[index])
            adapted.append(values)
        with self.connection.cursor() as cursor:
            cursor.executemany(self.statements[table], adapted)


def writer_for(connection: BaseDatabaseWrapper) -> RowWriter:
    return CopyWriter(connection) if connection.vendor == "postgresql" else InsertWriter(connection)


def first_ids(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """The first free id of each table the population writes."""
    ids = {}
    with connection.cursor() as cursor:
        for name, (model, _) in TABLES.items():
            table = connection.ops.quote_name(model._meta.db_table)
            # The table name comes from the model, not from input.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            ids[name] = int(cursor.fetchone()[0]) + 1
    return ids


def prepare(connection: BaseDatabaseWrapper) -> None:
    """PostgreSQL: check foreign keys at each COPY, not millions of them queued for the commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def reset_sequences(connection: BaseDatabaseWrapper) -> None:
    """Move the id sequences past the rows written with explicit ids (nothing to do on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in TABLES.values()])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def analyse(connection: BaseDatabaseWrapper) -> None:
    """PostgreSQL after a bulk load: statistics for the planner, and VACUUM to set the hint bits and
    visibility map once, rather than in the first reads (1,000,000 clients: about 5 s).

    VACUUM cannot run inside a transaction (a test's, say): there, statistics only.
    """
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model, _ in TABLES.values():
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
