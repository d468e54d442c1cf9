"""Querysets compiled once: the ORM writes the SQL the first time, later calls only run it.

A batch of the hospital feed makes the same few reads each time, with other keys. On the
benchmark machine the spells read cost 2.2-2.8 ms of CPU built by the ORM and 0.55-0.68 ms
compiled once (`bench/hospital_feed.py batch`), so at 500 messages a second, in batches of a few
messages, building SQL was a large share of a batch's cost (ADR 0050). A `Compiled` builds its
queryset once per database connection alias. It passes marker arguments, keeps the SQL, and
notes where each argument goes among the parameters. Later calls run that SQL with the real
arguments and convert the rows with the ORM's own converters for those columns.

It takes `values_list` querysets whose SQL does not depend on the arguments' values. An argument
is either a list used with `any_of` (one array parameter on PostgreSQL) or an aware datetime
compared with a column. On other databases an IN list changes with its length, so there the
queryset is built each time, as before. A differential test checks both paths against the ORM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable

Builder = Callable[..., QuerySet]


class _ListMarker:
    """Stands for a list argument while the SQL is built: found again among the parameters."""

    def __init__(self, position: int) -> None:
        self.position = position


def _datetime_marker(position: int) -> datetime:
    return datetime(1901, 2, 3, 4, 5, 6, position, tzinfo=UTC)  # a moment no argument is


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (parameter index, argument position)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression)


class Compiled:
    """`build(*args)` returns a values_list queryset; `rows(*args)` what it would return, in a list."""

    def __init__(self, build: Builder, *kinds: type) -> None:
        if any(kind not in (list, datetime) for kind in kinds):
            raise ValueError("Compiled queries take list (any_of) and datetime arguments only")
        self.build, self.kinds = build, kinds
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def rows(self, *args: Any) -> list[tuple[Any, ...]]:
        if len(args) != len(self.kinds):
            raise TypeError(f"expected {len(self.kinds)} arguments, got {len(args)}")
        if connection.vendor != "postgresql":
            return list(self.build(*args))
        plan = self._plans.get(connection.alias) or self._plan()
        params = list(plan.params)
        for index, position in plan.slots:
            argument = args[position]
            params[index] = list(argument) if self.kinds[position] is list else argument
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            found = cursor.fetchall()
        if not plan.converters:
            return [tuple(row) for row in found]
        return [self._convert(row, plan) for row in found]

    def _plan(self) -> _Plan:
        with self._lock:
            markers = [
                [_ListMarker(position)] if kind is list else _datetime_marker(position)
                for position, kind in enumerate(self.kinds)
            ]
            queryset = self.build(*markers)
            if queryset._iterable_class is not ValuesListIterable:
                raise ValueError("Compiled queries are values_list querysets (tuples, not flat)")
            compiler = queryset.query.get_compiler(using=connection.alias)
            sql, params = compiler.as_sql()
            slots = tuple(
                (index, position)
                for index, value in enumerate(params)
                for position, marker in enumerate(markers)
                if _is(value, marker)
            )
            if sorted(position for _, position in slots) != list(range(len(markers))):
                raise ValueError("Each argument of a compiled query must appear once among its parameters")
            columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
            converters = tuple(
                (column, tuple(functions), expression)
                for column, (functions, expression) in compiler.get_converters(columns).items()
            )
            plan = _Plan(sql, tuple(params), slots, converters)
            self._plans[connection.alias] = plan
            return plan

    @staticmethod
    def _convert(row: Sequence[Any], plan: _Plan) -> tuple[Any, ...]:
        values = list(row)
        for column, functions, expression in plan.converters:
            value = values[column]
            for function in functions:
                value = function(value, expression, connection)
            values[column] = value
        return tuple(values)


def _is(value: Any, marker: Any) -> bool:
    if isinstance(marker, list):
        return isinstance(value, list) and len(value) == 1 and value[0] is marker[0]
    return isinstance(value, datetime) and value == marker
