"""The FHIR import: bundles and bulk ndjson into clients and kept source records, idempotently.

A worker process reads and validates each file and prepares its resources (fhir.preparing); this
process writes them in batches, one transaction each: Patients become clients (ADR 0026 says which
team answers for them), inpatient Encounters hospital spells (ADR 0042), CarePlans, Goals and
CareTeams about known clients care from elsewhere on their record (ADR 0046); every resource is kept
as source data linked to its client, and a resource whose content is unchanged since the last import
is left alone. A bad resource is reported with its
file and position and skipped; the rest go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import SYSTEM, Actor
from joinedup.core.audit import Entry
from joinedup.directory.models import Team
from joinedup.fhir import rules, store
from joinedup.fhir.care_import import MAPPED_TO, forget_care, record_care
from joinedup.fhir.models import SourceResource
from joinedup.fhir.patients import ClientMaker
from joinedup.fhir.preparing import Prepared, PreparedFile, prepare_file
from joinedup.fhir.spells import Stay, spells_from_encounters, stay_of

IMPORT_ACTOR = replace(SYSTEM, username="fhir-import", name="FHIR import", channel="cli")
BATCH = 2_000


@dataclass
class Summary:
    """What an import did, for the table at the end."""

    read: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    linked: Counter[str] = field(default_factory=Counter)  # kept, and linked to a client
    mapped: Counter[str] = field(default_factory=Counter)  # read, and made into JoinedUp records
    source_only: Counter[str] = field(default_factory=Counter)  # read, and kept as source data only
    # Another copy of a resource already kept, not newer (Synthea repeats Organizations in every bundle).
    other_copies: Counter[str] = field(default_factory=Counter)
    clients_created: int = 0
    clients_matched: int = 0  # an existing client with the same NHS number
    spells_created: int = 0  # hospital stays made from inpatient Encounters
    stay_events_held: int = 0  # their admissions, moves, discharges held on the feed exceptions worklist
    care_plans: int = 0  # care plans from elsewhere created or changed
    goals: int = 0  # goals from elsewhere created or changed
    care_team_members: int = 0  # members of care teams from elsewhere created or changed
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    default_team: Team | None = None
    synthetic_nhs_numbers: bool = False
    validate: bool = True
    workers: int = 1  # processes preparing files beside this one; 0: all in this process


@dataclass(frozen=True)
class Kept:
    """What the database holds of a resource already imported."""

    pk: int
    content_hash: str
    last_updated: str
    source_file: str
    client_id: int | None
    mapped_to: str


@dataclass
class _Work:
    """What one batch writes: source rows, and what JoinedUp makes of them."""

    new: list[tuple[Any, ...]] = field(default_factory=list)
    changed: list[SourceResource] = field(default_factory=list)
    clients: Counter[int] = field(default_factory=Counter)  # resources per client, for the audit
    stays: list[Stay] = field(default_factory=list)
    care: list[tuple[Prepared, int]] = field(default_factory=list)  # CarePlan, Goal, CareTeam and client
    forget: list[str] = field(default_factory=list)  # care from elsewhere no longer about a known client
    relabel: dict[int, str] = field(default_factory=dict)  # kept rows now mapped: pk -> mapped_to


class Importer:
    def __init__(self, options: Options, actor: Actor = IMPORT_ACTOR) -> None:
        self.options = options
        self.actor = actor
        self.summary = Summary()
        self.clients = ClientMaker(options.default_team, options.synthetic_nhs_numbers, actor)

    def import_paths(self, files: list[Path], progress: Callable[[Path, int], None] | None = None) -> Summary:
        """Import the files in order; small files share a batch (one transaction, one commit)."""
        pending: list[Prepared] = []
        for path, prepared in zip(files, self._prepared(files), strict=True):
            self.summary.read += prepared.read
            self.summary.problems += prepared.problems
            pending += prepared.resources
            while len(pending) >= BATCH:
                self._batch(pending[:BATCH])
                pending = pending[BATCH:]
            if progress is not None:
                progress(path, prepared.read)
        if pending:
            self._batch(pending)
        return self.summary

    def _prepared(self, files: list[Path]) -> Iterator[PreparedFile]:
        prepare = partial(prepare_file, validate=self.options.validate)
        if self.options.workers < 1 or len(files) < 2:
            yield from map(prepare, files)
            return
        with ProcessPoolExecutor(max_workers=self.options.workers) as pool:
            yield from pool.map(prepare, files, chunksize=4)

    def _batch(self, batch: list[Prepared]) -> None:
        with transaction.atomic():
            kept = _kept(batch)
            patients = self.clients.clients_for(batch, self.summary)
            work = self._rows(batch, kept, patients)
            now = timezone.now()
            store.insert(work.new, now)
            store.update(work.changed, now)
            self._audit(work.clients)
            self._stays(work.stays)
            self._care(work)

    def _care(self, work: _Work) -> None:
        """CarePlans, Goals and CareTeams about known clients become care from elsewhere (ADR 0046)."""
        forget_care(self.actor, work.forget)
        done = record_care(self.actor, work.care)
        self.summary.care_plans += done.plans
        self.summary.goals += done.goals
        self.summary.care_team_members += done.members
        if work.relabel:  # kept before care from elsewhere was recorded: recorded now, once
            for mapped_to in set(work.relabel.values()):
                pks = [pk for pk, to in work.relabel.items() if to == mapped_to]
                SourceResource.objects.filter(pk__in=pks).update(mapped_to=mapped_to)

    def _stays(self, stays: list[Stay]) -> None:
        """Inpatient Encounters become hospital spells through the hospital feed's pipeline (ADR 0042)."""
        made = spells_from_encounters(stays)
        self.summary.spells_created += made.spells
        self.summary.stay_events_held += made.held
        self.summary.problems += made.problems

    def _rows(self, batch: list[Prepared], kept: dict[tuple[str, str], Kept], patients: dict[str, int]) -> _Work:
        work = _Work()
        seen: set[tuple[str, str]] = set()
        for item in batch:
            key = (item.resource_type, item.resource_id)
            if key in seen:
                continue  # the same resource twice in one batch: the first stands
            seen.add(key)
            row = kept.get(key)
            if row is not None and not self._changes(item, row):
                self.summary.linked[key[0]] += row.client_id is not None and key[0] != "Patient"
                if row.mapped_to == "" and row.client_id is not None and key[0] in MAPPED_TO:
                    work.care.append((item, row.client_id))
                    work.relabel[row.pk] = MAPPED_TO[key[0]]
                self._count(key[0], row.mapped_to or work.relabel.get(row.pk, ""))
                continue
            client_id = patients.get(item.patient_reference or "")
            mapped_to = self._mapped_to(item, client_id, work)
            if row is not None and row.client_id is not None and not client_id and row.mapped_to in MAPPED_TO.values():
                work.forget.append(f"{key[0]}/{key[1]}")  # a newer copy about nobody JoinedUp knows
            values = (*key, item.data, item.digest, client_id, item.category, mapped_to, item.last_updated, item.file)
            if row is None:
                work.new.append(values)
                self.summary.created[key[0]] += 1
            else:
                work.changed.append(store.changed_row(row.pk, values))
                self.summary.updated[key[0]] += 1
            self._count(key[0], mapped_to)
            if client_id:
                work.clients[client_id] += 1
                self.summary.linked[key[0]] += key[0] != "Patient"
        return work

    @staticmethod
    def _mapped_to(item: Prepared, client_id: int | None, work: _Work) -> str:
        """What JoinedUp makes of a new or changed resource (queued on `work`); "" for source data only."""
        if not client_id:
            return ""
        if item.resource_type == "Patient":
            return "Client"
        happened = stay_of(item)
        if happened:
            work.stays.append((item, client_id, happened))
            return "Spell"
        if item.resource_type in MAPPED_TO:
            work.care.append((item, client_id))
            return MAPPED_TO[item.resource_type]
        return ""

    def _count(self, resource_type: str, mapped_to: str) -> None:
        if mapped_to:
            self.summary.mapped[resource_type] += 1
        else:
            self.summary.source_only[resource_type] += 1

    def _changes(self, item: Prepared, row: Kept) -> bool:
        if row.content_hash == item.digest:
            self.summary.unchanged[item.resource_type] += 1
            return False
        if not rules.replaces_kept(item.last_updated, item.file, row.last_updated, row.source_file):
            self.summary.other_copies[item.resource_type] += 1
            return False
        return True

    def _audit(self, clients: Counter[int]) -> None:
        entries = [
            Entry("import", "SourceResource", client_id=client_id, reason="FHIR import", detail={"resources": n})
            for client_id, n in sorted(clients.items())
        ]
        audit.record_many(self.actor, entries)


def _kept(batch: list[Prepared]) -> dict[tuple[str, str], Kept]:
    """The batch's resources already imported, by identity: one query per resource type."""
    by_type: dict[str, set[str]] = {}
    for item in batch:
        by_type.setdefault(item.resource_type, set()).add(item.resource_id)
    kept: dict[tuple[str, str], Kept] = {}
    for resource_type, ids in by_type.items():
        rows = SourceResource.objects.filter(resource_type=resource_type, resource_id__in=ids).values_list(
            "resource_id", "pk", "content_hash", "last_updated", "source_file", "client_id", "mapped_to"
        )
        for rid, pk, digest, updated, file, client_id, mapped_to in rows:
            kept[(resource_type, rid)] = Kept(pk, digest, updated, file, client_id, mapped_to)
    return kept


__all__ = ["Importer", "Options", "Summary"]
