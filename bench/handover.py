"""Benchmark: the team inbox and `joinedup tick` with a borough-sized handover history, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/joinedup_bench \\
        uv run python bench/handover.py [--referrals 200000] [--due 10000] [--reads 300]

Needs the demo borough already seeded (bench/caseload_and_search.py seeds 1,000,000
clients). Adds --referrals referrals between the borough's teams if the database has
fewer (a realistic mix: about 15 % open, the rest accepted, declined or withdrawn,
spread over a year), then measures:

  inbox   the receiving team's inbox (handover.queries.inbox: scoped, audited, 100 rows),
          read --reads times in one process by members of the busiest teams: p50/p95/p99;
  tick    --due open referrals made overdue now, then one `tick` run: seconds and
          escalations per second; then a second run, which must make none (idempotent).

Prints the figures with the conditions and saves them as JSON under bench/results/.
The overdue referrals it makes are fresh ones, closed again at the end (withdrawn);
open referrals are topped up to 15 % of --referrals before each run.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
OPEN_SHARE = 0.15  # of referrals open at any time
BENCH_SECRET_KEY = "joinedup-benchmark-only-secret-key-never-use-in-production-000000"


def setup_django() -> None:
    os.environ.setdefault("JOINEDUP_ENV", "test")
    os.environ.setdefault("JOINEDUP_SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args()


def add_referrals(target: int, rng: random.Random, *, open_only: bool = False, overdue: bool = False) -> int:
    """Bulk-load referrals (no services: this is history, not behaviour under test).

    Adds until there are `target` referrals (of the kind asked for, with `open_only`).
    """
    from django.db import transaction
    from rich.progress import Progress

    from joinedup.clients.models import Client
    from joinedup.directory.models import Team
    from joinedup.handover.information import DEFAULT_INFORMATION_ITEMS
    from joinedup.handover.models import Referral

    counted = Referral.objects.filter(state="sent") if open_only else Referral.objects.all()
    have = counted.count()
    if have >= target:
        return have
    teams = list(Team.objects.filter(duty_worker__isnull=False).values_list("pk", flat=True))
    members = {t.pk: list(t.memberships.values_list("practitioner_id", flat=True)) for t in Team.objects.all()}
    client_ids = list(Client.objects.order_by("?").values_list("pk", "accountable_team_id")[: min(target, 300_000)])
    info = {
        item.key: {"text": "Bench answer", "not_known": False, "not_known_reason": ""}
        for item in DEFAULT_INFORMATION_ITEMS
    }
    now = datetime.now(UTC)
    with Progress() as progress:
        bar = progress.add_task("Adding referrals", total=target - have)
        while have < target:
            batch = []
            for _ in range(min(5000, target - have)):
                client_id, sender = rng.choice(client_ids)
                receiver = rng.choice([t for t in teams if t != sender])
                sent = now - timedelta(days=rng.uniform(0, 365))
                roll = 0.0 if open_only else rng.random()
                state = (
                    "sent" if roll < 0.15 else "accepted" if roll < 0.75 else "declined" if roll < 0.92 else "withdrawn"
                )
                open_ = state == "sent"
                deadline = (now + timedelta(days=rng.uniform(0.1, 5))) if open_ else sent + timedelta(days=5)
                if overdue:
                    sent, deadline = now - timedelta(days=2), now - timedelta(minutes=1)
                batch.append(
                    Referral(
                        client_id=client_id,
                        kind=rng.choice(["transfer_of_care", "request_for_service"]),
                        urgency=rng.choice(["emergency", "urgent", "routine", "routine"]),
                        state=state,
                        sending_team_id=sender,
                        receiving_team_id=receiver,
                        referrer_id=rng.choice(members[sender] or members[receiver]),
                        information=info,
                        completeness_at_first_send=1.0,
                        created_at=sent,
                        sent_at=sent,
                        deadline_at=deadline,
                        next_escalation_at=deadline if open_ else None,
                        decided_at=None if open_ else sent + timedelta(hours=rng.uniform(1, 120)),
                    )
                )
            with transaction.atomic():
                Referral.objects.bulk_create(batch)
            have += len(batch)
            progress.update(bar, advance=len(batch))
    return have


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_inbox(reads: int, rng: random.Random) -> dict[str, object]:
    from django.db.models import Count

    from joinedup.core.access import actor_for
    from joinedup.directory.models import Practitioner, TeamMembership
    from joinedup.handover.models import Referral
    from joinedup.handover.queries import inbox

    busiest = [
        row["receiving_team_id"]
        for row in Referral.objects.filter(state__in=["sent", "information_requested"])
        .values("receiving_team_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:5]
    ]
    people = list(TeamMembership.objects.filter(team_id__in=busiest).values_list("practitioner_id", flat=True))
    actors = [actor_for(Practitioner.objects.get(pk=pk)) for pk in people]
    open_in_inbox = Referral.objects.filter(receiving_team_id__in=busiest, state="sent").count()
    for actor in actors[:3]:
        inbox(actor)  # warm-up
    timings = []
    for _ in range(reads):
        actor = rng.choice(actors)
        start = time.perf_counter()
        rows = inbox(actor)
        timings.append((time.perf_counter() - start) * 1000)
        assert rows is not None
    return {
        "reads": reads,
        "teams": len(busiest),
        "open_referrals_in_those_teams": open_in_inbox,
        "rows_per_read": 100,
        "p50_ms": round(percentile(timings, 0.5), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "mean_ms": round(statistics.mean(timings), 2),
    }


def measure_tick(due: int, rng: random.Random) -> dict[str, object]:
    from django.db import transaction

    from joinedup.handover.models import Escalation, Referral
    from joinedup.handover.tick import tick

    now = datetime.now(UTC)
    newest = Referral.objects.order_by("-id").values_list("id", flat=True).first() or 0
    open_before = Referral.objects.filter(state="sent").count()
    add_referrals(open_before + due, rng, open_only=True, overdue=True)  # `due` fresh, overdue now
    ids = list(Referral.objects.filter(pk__gt=newest, state="sent").values_list("pk", flat=True))
    before = Escalation.objects.count()
    start = time.perf_counter()
    first = tick(now)
    first_seconds = time.perf_counter() - start
    start = time.perf_counter()
    second = tick(now)
    second_seconds = time.perf_counter() - start
    made = Escalation.objects.count() - before
    with transaction.atomic():  # close them: the next run makes its own
        Referral.objects.filter(pk__in=ids).update(
            state="withdrawn", next_escalation_at=None, withdraw_reason="benchmark"
        )
    return {
        "due": len(ids),
        "escalations_made": made,
        "first_run_seconds": round(first_seconds, 2),
        "escalations_per_second": round(first.escalations / first_seconds, 1),
        "second_run_escalations": second.escalations,
        "second_run_seconds": round(second_seconds, 2),
    }


def main() -> None:
    args = arguments()
    setup_django()
    from django.db import connection

    from joinedup.clients.models import Client
    from joinedup.core.models import AuditEvent
    from joinedup.handover.models import Referral

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL=postgres://...")
    rng = random.Random(args.seed)
    clients = Client.objects.count()
    if not clients:
        sys.exit("Seed the borough first (bench/caseload_and_search.py or joinedup seed-demo --clients N)")
    referrals = add_referrals(args.referrals, rng)
    add_referrals(int(args.referrals * OPEN_SHARE), rng, open_only=True)  # earlier runs closed some
    referrals = Referral.objects.count()
    with connection.cursor() as cursor:  # fresh statistics after a bulk load, as autovacuum would give
        cursor.execute("ANALYZE handover_referral; ANALYZE tasks_task; ANALYZE clients_client")
    audit_before = AuditEvent.objects.count()
    inbox_figures = measure_inbox(args.reads, rng)
    tick_figures = measure_tick(args.due, rng)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    report = {
        "conditions": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "clients": clients,
            "referrals": referrals,
            "database": f"{version} on 127.0.0.1",
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "audit_rows_written": AuditEvent.objects.count() - audit_before,
        },
        "inbox": inbox_figures,
        "tick": tick_figures,
        "targets": {"inbox": "p95 < 50 ms", "tick": "10,000 due deadlines in < 10 s"},
    }
    print(json.dumps(report, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"handover-{stamp}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
