"""Benchmark: the locality MDT's reads at borough scale, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdt_bench \\
        uv run python bench/mdt.py [--clients 100000] [--plans 20000] [--reads 300]

Migrates and seeds the demo borough with --clients clients if the database has none, then tops
up care plans (2 goals, 2 interventions each), frailty records, visits and members' requests
for the borough's clients (bulk rows: history, not behaviour under test), and measures:

  propose    the agenda rules for Northgate's next meeting (every registered source, the merge,
             the coordinator's scope), in a transaction rolled back, 5 times: each run's seconds;
  record     what the client record adds (careplans.queries.record.record_care) for --reads
             Northgate clients: p50/p95/p99 ms;
  caseload   an OT's caseload page query (clients.queries.caseload), with the care team
             relationship registered and without it: p50/p95 ms;
  duplicates the duplicate-assessment check before booking, for --reads clients: p50/p95 ms.

Prints the figures with the conditions (data size, database, load average before and after) and
saves them as JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_SECRET_KEY = "joinedup-benchmark-only-secret-key-never-use-in-production-000000"


def setup_django() -> None:
    os.environ.setdefault("JOINEDUP_ENV", "test")
    os.environ.setdefault("JOINEDUP_SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--plans", type=int, default=20_000)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args()


def prepare(clients: int) -> None:
    from django.core.management import call_command

    from joinedup.clients.models import Client

    call_command("migrate", verbosity=0)
    if not Client.objects.exists():
        call_command("seed_demo", clients=clients, seed=7, verbosity=1)


def top_up(plans: int, rng: random.Random) -> dict[str, int]:
    """Bulk rows for care plans, frailty, visits and requests, until there are `plans` active plans."""
    from django.db import transaction
    from django.utils import timezone
    from rich.progress import track

    from joinedup.careplans.models import (
        AgendaRequest,
        CarePlan,
        CarePlanVersion,
        FrailtyRecord,
        Goal,
        Intervention,
        Visit,
    )
    from joinedup.clients.models import Client
    from joinedup.directory.models import Practitioner, Team

    have = CarePlan.objects.count()
    today, now = timezone.localdate(), timezone.now()
    if have < plans:
        ids = list(
            Client.objects.exclude(care_plans__isnull=False).values_list("pk", "accountable_team_id")[: plans - have]
        )
        teams = list(Team.objects.values_list("pk", flat=True))
        olivia = Practitioner.objects.get(username="olivia.ot")
        people = list(
            Practitioner.objects.filter(memberships__isnull=False).values_list("pk", "organisation_id").distinct()
        )
        for start in track(range(0, len(ids), 2000), description="Topping up care plans"):
            with transaction.atomic():
                batch = ids[start : start + 2000]
                made = CarePlan.objects.bulk_create(
                    CarePlan(
                        client_id=cid,
                        coordinator=olivia,
                        review_due=today + timedelta(days=rng.randint(-30, 90)),
                        created_at=now,
                    )
                    for cid, _ in batch
                )
                CarePlanVersion.objects.bulk_create(
                    CarePlanVersion(
                        plan=p,
                        number=1,
                        created_at=now,
                        created_by=olivia,
                        review_due=p.review_due,
                        agreement="agreed",
                        agreement_by="the client",
                        agreement_at=now,
                    )
                    for p in made
                )
                Goal.objects.bulk_create(
                    Goal(
                        plan=p,
                        number=n,
                        client_words="Bench goal",
                        baseline=-1,
                        added_in=1,
                        level_minus_2="a",
                        level_minus_1="b",
                        level_0="c",
                        level_plus_1="d",
                        level_plus_2="e",
                    )
                    for p in made
                    for n in (1, 2)
                )
                Intervention.objects.bulk_create(
                    Intervention(plan=p, team_id=rng.choice(teams), description="Bench", added_in=1)
                    for p in made
                    for _ in (1, 2)
                )
                FrailtyRecord.objects.bulk_create(
                    FrailtyRecord(
                        client_id=cid,
                        band=rng.choice(["mild", "moderate", "severe"]),
                        recorded_at=now,
                        assessed_on=today - timedelta(days=rng.randint(0, 400)),
                    )
                    for cid, _ in batch
                )
                Visit.objects.bulk_create(
                    Visit(
                        client_id=cid,
                        practitioner_id=(who := rng.choice(people))[0],
                        team_id=team,
                        organisation_id=who[1] or 1,
                        kind="assessment",
                        assessment=rng.choice(["equipment", "falls", "package_of_care"]),
                        starts_at=now + timedelta(days=rng.randint(-40, 40)),
                        booked_by=olivia,
                        booked_at=now,
                    )
                    for cid, team in batch
                    for _ in range(2)
                )
                AgendaRequest.objects.bulk_create(
                    AgendaRequest(
                        locality_id=Client.objects.only("locality_id").get(pk=cid).locality_id,
                        client_id=cid,
                        reason="bench",
                        requested_by=olivia,
                        requested_at=now,
                    )
                    for cid, _ in batch[:20]
                )
    return {
        "care_plans": CarePlan.objects.count(),
        "visits": Visit.objects.count(),
        "frailty_records": FrailtyRecord.objects.count(),
        "open_requests": AgendaRequest.objects.filter(discussed_in__isnull=True).count(),
    }


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": round(statistics.median(ordered), 1), "p95": round(pick(0.95), 1), "p99": round(pick(0.99), 1)}


class Rollback(Exception):
    pass


def measure(reads: int, rng: random.Random) -> dict[str, object]:
    from django.db import transaction
    from django.utils import timezone

    from joinedup.careplans.models import Meeting, MeetingSeries
    from joinedup.careplans.queries.record import record_care
    from joinedup.careplans.rules.visits import AssessmentKind, Proposed, VisitKind
    from joinedup.careplans.services.meetings import apply_proposals
    from joinedup.careplans.services.visits import find_duplicates
    from joinedup.clients.models import Client
    from joinedup.clients.queries import caseload
    from joinedup.core import access
    from joinedup.core.access import actor_for
    from joinedup.directory.models import Locality, Practitioner

    northgate = Locality.objects.get(code="northgate")
    mia, olivia = (actor_for(Practitioner.objects.get(username=name)) for name in ("mia.mdt", "olivia.ot"))
    series = MeetingSeries.objects.filter(locality=northgate).first()
    assert series is not None, "the demo borough has a Northgate series"
    propose_seconds = []
    for _ in range(5):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                start = timezone.now() + timedelta(days=3)
                meeting = Meeting.objects.create(
                    series=series, locality=northgate, starts_at=start, ends_at=start + timedelta(hours=1)
                )
                items = len(apply_proposals(mia, meeting))
                raise Rollback
        except Rollback:
            propose_seconds.append(round(time.perf_counter() - started, 3))
    clients = list(Client.objects.filter(locality=northgate).values_list("pk", flat=True)[:50_000])
    sample = [
        Client.objects.select_related("accountable_team").get(pk=pk)
        for pk in rng.sample(clients, min(reads, len(clients)))
    ]
    record = timed(lambda: record_care(olivia, sample[rng.randrange(len(sample))], "member of the locality MDT"), reads)
    duplicates = timed(
        lambda: find_duplicates(
            rng.choice(sample).pk, Proposed(1, VisitKind.ASSESSMENT, AssessmentKind.EQUIPMENT, timezone.localdate())
        ),
        reads,
    )
    with_team = timed(lambda: caseload(olivia, page=1), 50)
    care_team = next(r for r in access._relationships if r.label == "care team")
    access._relationships.remove(care_team)
    try:
        without_team = timed(lambda: caseload(olivia, page=1), 50)
    finally:
        access._relationships.append(care_team)
    return {
        "propose_seconds": propose_seconds,
        "agenda_items": items,
        "record_care_ms": summary(record),
        "duplicate_check_ms": summary(duplicates),
        "caseload_with_care_team_ms": summary(with_team),
        "caseload_without_care_team_ms": summary(without_team),
    }


def main() -> None:
    args = arguments()
    setup_django()
    from django.db import connection

    from joinedup.clients.models import Client

    if connection.vendor != "postgresql":
        raise SystemExit("Run against PostgreSQL: DATABASE_URL=postgres://.../mdt_bench")
    load_before = os.getloadavg()
    rng = random.Random(args.seed)
    prepare(args.clients)
    data = top_up(args.plans, rng)
    figures = measure(args.reads, rng)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    result = {
        "clients": Client.objects.count(),
        **data,
        **figures,
        "database": f"PostgreSQL {server}",
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"mdt-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
