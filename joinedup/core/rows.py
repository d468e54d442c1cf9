"""Model instances from a written-out SELECT, as the ORM would have built them.

For the few statements that every request makes (ADR 0032, ADR 0048): building them with the ORM
(select_related, only()) cost more CPU than running them. A `Columns` names the fields of one
model that a statement selects, writes their part of the select list, converts the database's
values with the same converters the ORM applies (dates on SQLite, booleans...), and makes the
instance with `Model.from_db`, the fields it did not select deferred as `only()` leaves them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

Converter = Callable[[Any, Any, Any], Any]


class Columns:
    """Some fields of one model, in its concrete-field order (which `Model.from_db` expects)."""

    def __init__(self, model: type[Model], names: Sequence[str]) -> None:
        concrete = model._meta.concrete_fields
        for name in names:
            if not any(name in (field.name, field.attname) for field in concrete):
                raise ValueError(f"{model.__name__} has no field named {name!r} among its columns")
        self.model = model
        self.fields = [field for field in concrete if field.name in names or field.attname in names]
        self.attnames = [field.attname for field in self.fields]
        pk = model._meta.pk.attname
        self._pk_index = self.attnames.index(pk) if pk in self.attnames else None
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def select(self, alias: str) -> str:
        """This model's part of a select list, from the table given this alias."""
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(str(field.column))}" for field in self.fields)

    def _converters_now(self) -> list[tuple[int, list[Converter], Any]]:
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if converters:
                    found.append((index, converters, column))
            self._converters[connection.vendor] = found
        return found

    def values(self, row: Sequence[Any]) -> list[Any]:
        """This model's values of `row` (exactly its columns), converted as the ORM converts them."""
        values = list(row)
        for index, converters, column in self._converters_now():
            value = values[index]
            for converter in converters:
                value = converter(value, column, connection)
            values[index] = value
        return values

    def named(self, row: Sequence[Any]) -> dict[str, Any]:
        """This model's values of `row` by attribute name."""
        return dict(zip(self.attnames, self.values(row), strict=True))

    def instance(self, row: Sequence[Any]) -> Any:
        """The instance of `row`; None when its primary key is NULL (no row on a LEFT JOIN)."""
        if self._pk_index is None:
            raise ValueError(f"{self.model.__name__}: an instance needs its primary key among the columns")
        values = self.values(row)
        if values[self._pk_index] is None:
            return None
        return self.model.from_db(connection.alias, self.attnames, values)


def split(row: Sequence[Any], *parts: Columns) -> list[Sequence[Any]]:
    """A flat row cut into the columns of each part, in order; what is left over comes last."""
    pieces, start = [], 0
    for part in parts:
        pieces.append(row[start : start + len(part)])
        start += len(part)
    pieces.append(row[start:])
    return pieces


def relate(instance: Model, name: str, related: Model | None) -> None:
    """Cache `related` as instance.<name>, as select_related does: reading it makes no query."""
    instance._meta.get_field(name).set_cached_value(instance, related)  # type: ignore[union-attr]
