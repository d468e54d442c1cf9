"""Writing many rows fast: ids taken up front, COPY on PostgreSQL (a multi-row INSERT for a few rows),
one prepared INSERT on SQLite.

For jobs that write hundreds of rows per transaction (the hospital feed's
batches, the clients it registers): Django's bulk_create costs more in Python
than the database spends storing the rows (profiled with bench/hospital_feed.py).
Rows here are tuples in a model's column order. Everything runs inside the
caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models

Row = Sequence[Any]
# Up to this many rows, one INSERT ... VALUES is one round trip where a COPY takes three: it saved up to a
# quarter of a call's time (`bench/hospital_feed.py batch`), and the feed's small batches write a few rows
# to many tables.
FEW_ROWS = 10


def _fields(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh ids for the model's table, in increasing order (the caller holds the write lock on SQLite)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: transactions begin IMMEDIATE, so no other writer can take these ids meanwhile.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        sequence = cursor.fetchone()
        start = max(highest, sequence[0] if sequence else 0) + 1
    return list(range(start, start + count))


def _adapted(fields: list[models.Field], rows: Sequence[Row]) -> list[Sequence[Any]]:
    """Values as the database driver takes them: JSON as text; on SQLite, dates as Django stores them."""
    ops = connection.ops
    sqlite = connection.vendor != "postgresql"
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    date_columns = [i for i, f in enumerate(fields) if isinstance(f, models.DateField)] if sqlite else []
    if not json_columns and not date_columns:
        return list(rows)
    out: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for index in json_columns:
            if values[index] is not None:
                values[index] = json.dumps(values[index])
        for index in date_columns:
            value = values[index]
            if isinstance(value, datetime):
                values[index] = ops.adapt_datetimefield_value(value)
            elif isinstance(value, date):
                values[index] = ops.adapt_datefield_value(value)
        out.append(values)
    return out


def insert(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Row]) -> None:
    """Insert rows (tuples in `attnames` order) into the model's table."""
    if not rows:
        return
    fields = _fields(model, attnames)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    values = _adapted(fields, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(values) > FEW_ROWS:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        if connection.vendor == "postgresql":
            # JSON goes as text: cast it. Others take the column's type by assignment, which refuses a value
            # too long for its column as COPY does (an explicit ::varchar(n) would cut it short instead).
            row_marks = "(" + ", ".join("%s::jsonb" if isinstance(f, models.JSONField) else "%s" for f in fields) + ")"
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(values))}"  # noqa: S608
            cursor.execute(sql, [value for row in values for value in row])
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608


def update(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Row]) -> None:
    """Update rows by id in one statement: rows are (id, *values in attnames order)."""
    if not rows:
        return
    fields = _fields(model, attnames)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    values = _adapted([model._meta.pk, *fields], rows)
    if connection.vendor == "postgresql" and len(rows) > 20:
        _update_by_copy(model, fields, values)
        return
    flat = [value for row in values for value in row]
    if connection.vendor == "postgresql":
        casts = ["bigint", *(f.db_type(connection) or "text" for f in fields)]
        row_marks = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
        names = ", ".join(["id", *(f"c{n}" for n in range(len(fields)))])
        sets = ", ".join(f"{quote(str(f.column))} = v.c{n}" for n, f in enumerate(fields))
        # Names come from the model, values go as parameters.
        sql = f"UPDATE {table} AS t SET {sets} FROM (VALUES {', '.join([row_marks] * len(rows))}) AS v({names}) "  # noqa: S608
        sql += "WHERE t.id = v.id"
    else:
        row_marks = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        sets = ", ".join(f"{quote(str(f.column))} = v.column{n + 2}" for n, f in enumerate(fields))
        sql = f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row_marks] * len(rows))}) AS v "  # noqa: S608
        sql += f"WHERE {table}.id = v.column1"
    with connection.cursor() as cursor:
        cursor.execute(sql, flat)


def _update_by_copy(model: type[models.Model], fields: list[models.Field], values: list[Sequence[Any]]) -> None:
    """PostgreSQL: COPY the new values into a temporary table, then one UPDATE ... FROM it (a VALUES list
    of thousands of parameters costs more to send than COPY)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    scratch = quote(f"_bulk_{model._meta.db_table}")
    columns = ", ".join(f"{quote(str(f.column))} {f.db_type(connection) or 'text'}" for f in fields)
    sets = ", ".join(f"{quote(str(f.column))} = s.{quote(str(f.column))}" for f in fields)
    names = ", ".join(["id", *(quote(str(f.column)) for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {scratch} (id bigint, {columns}) ON COMMIT DELETE ROWS")
        with cursor.cursor.copy(f"COPY {scratch} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {scratch} AS s WHERE t.id = s.id")  # noqa: S608
        cursor.execute(f"DELETE FROM {scratch}")  # noqa: S608


@models.Field.register_lookup
class AnyOf(models.Lookup):
    """`field__any_of=[...]`: one array parameter on PostgreSQL (= ANY(%s)), an IN list elsewhere.

    A batch looks up hundreds of keys at once; as an IN list each is a parameter
    the driver must bind one by one."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        return "%s", [list(value)]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", list(lhs_params)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


models.ForeignKey.register_lookup(AnyOf)
