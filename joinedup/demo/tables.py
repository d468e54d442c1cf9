"""The tables the synthetic population fills, their columns, and batches of rows.

Rows carry their own ids, counted on from each table's highest id, so that a
batch can be written with COPY (PostgreSQL) or one prepared insert (SQLite)
without reading anything back (see loading.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from joinedup.clients.models import Accountability, Client, ConsentDecision, Need, TimelineEvent
from joinedup.tasks.models import Task

Row = tuple[Any, ...]

# fmt: off
# Columns of each table (field attnames), in the order the population gives them.
TABLES: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "client": (Client, (
        "id", "nhs_number", "given_name", "family_name", "date_of_birth", "sex", "address",
        "postcode", "phone", "gp_practice_id", "locality_id", "holding_organisation_id", "status",
        "consent_to_share", "accountable_team_id", "lead_professional_id", "created_at",
        "updated_at")),
    "accountability": (Accountability, (
        "id", "client_id", "team_id", "lead_professional_id", "since", "until", "reason",
        "recorded_by_id")),
    "need": (Need, (
        "id", "client_id", "category", "description", "status", "recorded_by_id", "recorded_at",
        "updated_at")),
    "consent": (ConsentDecision, (
        "id", "client_id", "decision", "note", "recorded_by_id", "recorded_at")),
    "timeline": (TimelineEvent, (
        "id", "client_id", "occurred_at", "kind", "summary", "source", "actor_id", "object_type",
        "object_id")),
    "task": (Task, (
        "id", "title", "details", "client_id", "owner_practitioner_id", "owner_team_id", "due_at",
        "status", "source", "source_ref", "created_by_id", "created_at", "completed_at",
        "completed_by_id")),
}
# fmt: on


@dataclass
class Batch:
    """Rows for some clients, table by table, in TABLES order (parents before children)."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TABLES})

    def count(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


class Ids:
    """The next id of each table."""

    def __init__(self, first: dict[str, int]) -> None:
        self._next = dict(first)

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value
