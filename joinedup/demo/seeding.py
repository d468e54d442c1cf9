"""Seeding the demo borough: one transaction, one audit event for the whole run.

Seeding is a system job, not a practitioner's work: rows are written in bulk
(see loading.py) and a single `seed` audit event records the run, inside the
same transaction, so either the whole borough exists and is audited or none
of it does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from time import perf_counter

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from joinedup.core import audit
from joinedup.core.access import SYSTEM
from joinedup.demo import loading
from joinedup.demo.borough import BOROUGH, PEOPLE, BuiltBorough, build_borough
from joinedup.demo.crisis import seed_crisis_pathway
from joinedup.demo.hospital import seed_hospital
from joinedup.demo.mdt import seed_mdt
from joinedup.demo.plan import plan_from
from joinedup.demo.population import Population
from joinedup.demo.tables import TABLES
from joinedup.directory.models import Locality
from joinedup.tasks.models import Notification

DEFAULT_CLIENTS = 2_000
DEFAULT_SEED = 2026
BATCH_SIZE = 5_000


class NotEmpty(Exception):
    """The database already has a borough: the demo seeds only an empty one."""


@dataclass(frozen=True)
class SeedOptions:
    clients: int = DEFAULT_CLIENTS
    seed: int = DEFAULT_SEED
    as_of: date = field(default_factory=date.today)
    batch_size: int = BATCH_SIZE


@dataclass(frozen=True)
class SeedResult:
    clients: int
    rows: dict[str, int]
    practitioners: int
    teams: int
    seconds: float

    @property
    def clients_per_second(self) -> float:
        return self.clients / self.seconds if self.seconds else 0.0


def check_empty() -> None:
    if Locality.objects.exists():
        raise NotEmpty("The database already has localities (the demo borough or another): nothing was seeded")


def _notifications(built: BuiltBorough, population: Population) -> int:
    """A few notifications for each demo account: clients they now lead, or a welcome."""
    anchor = population.plan.anchor
    rows = []
    for spec in PEOPLE:
        person = built.people[spec.username]
        led = population.led.get(person.pk, [])
        for number, (client_id, name) in enumerate(led):
            at = anchor - timedelta(hours=3 + 7 * number)
            rows.append(
                Notification(
                    recipient=person,
                    message=f"You are now the lead professional for {name}",
                    link=f"/clients/{client_id}/",
                    client_id=client_id,
                    created_at=at,
                    read_at=at + timedelta(hours=1) if number == 2 else None,
                )
            )
        if not led:
            rows.append(
                Notification(
                    recipient=person,
                    message=f"Welcome to JoinedUp in {BOROUGH}, {spec.first_name}",
                    link="/",
                    created_at=anchor - timedelta(hours=2),
                )
            )
    Notification.objects.bulk_create(rows)
    return len(rows)


def seed(options: SeedOptions, progress: Callable[[int], None] | None = None) -> SeedResult:
    """Build the borough and its clients in one transaction; `progress` hears of each batch."""
    check_empty()
    started = perf_counter()
    totals: Counter[str] = Counter()
    with transaction.atomic():
        loading.prepare(connection)
        built = build_borough(make_password(settings.JOINEDUP_DEMO_PASSWORD), options.as_of)
        population = Population(
            plan_from(built, options.as_of),
            options.seed,
            options.clients,
            loading.first_ids(connection),
        )
        writer = loading.writer_for(connection)
        batches = population.batches(options.batch_size)
        for batch in loading.drawn_ahead(connection, batches):
            for table in TABLES:
                writer.write(table, batch.rows[table])
            totals.update(batch.count())
            if progress is not None:
                progress(len(batch.rows["client"]))
        totals["notification"] = _notifications(built, population)
        loading.reset_sequences(connection)
        totals.update(seed_hospital(built, population.plan.anchor))
        totals.update(seed_crisis_pathway(built, population))
        totals.update(seed_mdt(built, options.as_of))
        detail = {
            "seed": options.seed,
            "clients": options.clients,
            "as_of": options.as_of.isoformat(),
            "practitioners": len(built.people),
            "teams": len(built.teams),
            "rows": dict(totals),
        }
        audit.record(SYSTEM, "seed", object_type="Borough", object_id=BOROUGH, detail=detail)
    loading.analyse(connection)
    return SeedResult(
        clients=options.clients,
        rows=dict(totals),
        practitioners=len(built.people),
        teams=len(built.teams),
        seconds=perf_counter() - started,
    )
