"""Load test: staff browsing JoinedUp while the hospital feed sends ADT messages, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/joinedup_load \\
        uv run python bench/load_test.py [--clients 200000] [--users 300] [--minutes 10] [--adt-rate 20]
    uv run python bench/load_test.py --ci     # 60 s, a smaller borough, a database of its own; exits 1 on a miss

1. Migrates the database and, when it has no clients, seeds the demo borough (--clients).
2. Starts the service (gunicorn, --workers) and the hospital feed's listener (`joinedup adt-listen`).
3. Plans the browsing: for each demo practitioner with a caseload, caseload pages, client records
   they may see and their referral inbox; API tokens and clients for the API users. The service
   says in each answer how many audit events it wrote (JOINEDUP_AUDIT_COUNT_HEADER=1).
4. Runs locust (bench/locustfile.py) with --users sessions for --minutes, while sending --adt-rate
   ADT messages a second to the listener over MLLP (new people: admissions, moves, updates and
   discharges), then waits for every message's ACK (the backlog drains).
5. Checks: no server error; page p95 under 500 ms; API p99 under 1 s; every client record and
   API read wrote an audit event, and the audit log grew by exactly the events the answered
   requests wrote (and, at most, what the few requests cut off when the load stopped would have
   written); every ADT message acknowledged AA. Prints the
   figures and the conditions, saves them as JSON in bench/results/, and exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hospital_feed  # the feed's messages, listener and senders
from caseload_and_search import BENCH_SECRET_KEY, RESULTS, ROOT, start_server, stop_server

TARGETS = {"page_p95_ms": 500, "api_p99_ms": 1000}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=300, help="concurrent staff sessions (and API users)")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--adt-rate", type=float, default=20, help="ADT messages a second")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=18761)
    parser.add_argument("--think", default="20,40", help="seconds between a user's clicks, min,max")
    parser.add_argument("--ci", action="store_true", help="60 s on a fresh database of 5,000 clients")
    args = parser.parse_args()
    if args.ci:
        args.clients, args.minutes, args.workers = 5_000, 1.0, 3
    return args


def database(args: argparse.Namespace) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or "127.0.0.1" not in url:
        sys.exit("Set DATABASE_URL to a PostgreSQL database on 127.0.0.1")
    if not args.ci:
        return url
    # CI: a database of the run's own on the same server, made afresh.
    import psycopg

    base, _, _ = url.rpartition("/")
    name = "joinedup_load_ci"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url, JOINEDUP_ENV="test", JOINEDUP_DEBUG="0", JOINEDUP_LOG_LEVEL="ERROR",
        JOINEDUP_SECRET_KEY=os.environ.get("JOINEDUP_SECRET_KEY", BENCH_SECRET_KEY),
        DJANGO_SETTINGS_MODULE="joinedup.config.settings", JOINEDUP_FAST_HASHER="0",
        JOINEDUP_AUDIT_COUNT_HEADER="1",
    )  # fmt: skip
    return env


def prepare(env: dict[str, str], clients: int) -> None:
    joinedup = [sys.executable, "-m", "joinedup"]
    subprocess.run([*joinedup, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from joinedup.clients.models import Client

    if not Client.objects.exists():
        print(f"Seeding {clients:,} clients...", flush=True)
        subprocess.run([*joinedup, "seed-demo", "--clients", str(clients)], env=env, cwd=ROOT, check=True)


def plan(env: dict[str, str], base: str) -> dict[str, Any]:
    """Who browses what: practitioners with a caseload, the paths they open, and API users."""
    from django.conf import settings

    from joinedup.clients.models import Client
    from joinedup.core.access import actor_for, visible_clients
    from joinedup.core.tokens import create_token
    from joinedup.directory.models import Practitioner

    pages, apis = [], []
    for person in Practitioner.objects.filter(is_active=True, groups__name="practitioner").order_by("username"):
        actor = actor_for(person)
        mine = visible_clients(actor).filter(accountable_team_id__in=actor.team_ids, status="active")
        ids = list(mine.order_by("id").values_list("id", flat=True)[:400])
        if len(ids) < 10:
            continue
        chosen = random.Random(person.username).sample(ids, 10)
        pages.append(
            {
                "username": person.username,
                "caseload": [f"/caseload/?page={n}" for n in (1, 2, 3)],
                "records": [f"/clients/{pk}/" for pk in chosen],
                "inbox": "/referrals/",
            }
        )
        token, _ = create_token(person, "load test", 1)
        apis.append({"token": token, "reads": [f"/api/v1/clients/{pk}" for pk in chosen]})
    if not pages:
        sys.exit("No practitioner has a caseload: seed the demo borough")
    del Client
    return {"pages": pages, "apis": apis, "password": settings.JOINEDUP_DEMO_PASSWORD, "base": base}


def audit_count() -> int:
    from joinedup.core.models import AuditEvent

    return AuditEvent.objects.filter(channel__in=("page", "api")).exclude(action__in=("sign_in", "sign_out")).count()


def feed(port: int, rate: float, seconds: float, result: dict[str, Any]) -> None:
    """ADT messages at `rate` a second for `seconds`, each waiting for its ACK; then the backlog drains."""
    rng = random.Random(20)
    count = int(rate * seconds)
    persons = hospital_feed.people(max(count // 4 * 2, 2), rng)
    newcomers = [p for p in persons if p.family.startswith("NEWCOMER")][: max(count // 4, 1)]
    stories = hospital_feed.stories(newcomers, rng, f"L{int(time.time())}")
    messages = [message for story in stories for message in story]
    lanes = hospital_feed._lanes(stories, 10)  # each person's messages on one connection, in order
    started = time.perf_counter()
    seconds_taken, tally = asyncio.run(hospital_feed._fixed_rate(port, lanes, rate))
    result.update(
        sent=len(messages), codes=tally.codes, drained_after_s=seconds_taken - len(messages) / rate,
        ack_p99_ms=sorted(tally.latencies)[int(len(tally.latencies) * 0.99) - 1] * 1000 if tally.latencies else 0,
        took_s=time.perf_counter() - started,
    )  # fmt: skip


def run_locust(the_plan: dict[str, Any], args: argparse.Namespace, base: str) -> list[list[Any]]:
    think_min, think_max = (float(x) for x in args.think.split(","))
    with tempfile.TemporaryDirectory(prefix="joinedup-load-") as scratch:
        plan_file, samples_file = Path(scratch) / "plan.json", Path(scratch) / "samples.json"
        plan_file.write_text(json.dumps({**the_plan, "think_min": think_min, "think_max": think_max}))
        env = {**os.environ, "JOINEDUP_LOAD_PLAN": str(plan_file), "JOINEDUP_LOAD_SAMPLES": str(samples_file)}
        command = [
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
            "--users", str(args.users), "--spawn-rate", str(max(args.users // 20, 1)), "--host", base,
            "--run-time", f"{int(args.minutes * 60)}s", "--only-summary", "--loglevel", "WARNING",
            "--stop-timeout", "30",
        ]  # fmt: skip
        subprocess.run(command, env=env, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
        return json.loads(samples_file.read_text())


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[max(int(len(values) * share) - 1, 0)] if values else 0.0


def verdict(samples: list[list[Any]], audit_added: int, adt: dict[str, Any]) -> dict:
    browsing = [s for s in samples if s[1] != "sign-in"]
    pages = [s[2] for s in browsing if s[0] == "page" and s[3] == 200]
    apis = [s[2] for s in browsing if s[0] == "api" and s[3] == 200]
    # Each answer says how many audit events it wrote (X-Audit-Events): the log must hold them all.
    expected = sum(s[4] for s in browsing if s[3] == 200)
    # A request cut off when the load stopped may still have been served, and audited, after its client
    # left: at most as many events as that path ever wrote.
    most = {}
    for s in browsing:
        most[s[1]] = max(most.get(s[1], 0), s[4])
    cut = sum(most.get(s[1], 0) for s in browsing if s[3] == 0)
    # A client's record, or a client read over the API, that wrote no audit event is a read unaccounted for.
    unaudited = sum(1 for s in browsing if s[3] == 200 and "/clients/" in s[1] and s[4] < 1)
    return {
        "requests": len(samples),
        "server_errors": sum(1 for s in samples if s[3] >= 500 or s[3] == 0),
        "other_failures": sum(1 for s in browsing if 0 < s[3] < 500 and s[3] != 200),
        "pages": len(pages), "page_p50_ms": percentile(pages, 0.5), "page_p95_ms": percentile(pages, 0.95),
        "apis": len(apis), "api_p50_ms": percentile(apis, 0.5), "api_p99_ms": percentile(apis, 0.99),
        "audit_expected": expected, "audit_cut_off": cut, "audit_added": audit_added,
        "reads_without_audit": unaudited, "adt": adt,
    }  # fmt: skip


def misses(figures: dict[str, Any]) -> list[str]:
    found = []
    if figures["reads_without_audit"]:
        found.append(f"{figures['reads_without_audit']} client reads wrote no audit event")
    if figures["server_errors"]:
        found.append(f"{figures['server_errors']} server errors or dropped connections")
    if figures["page_p95_ms"] >= TARGETS["page_p95_ms"]:
        found.append(f"page p95 {figures['page_p95_ms']:.0f} ms >= {TARGETS['page_p95_ms']} ms")
    if figures["api_p99_ms"] >= TARGETS["api_p99_ms"]:
        found.append(f"API p99 {figures['api_p99_ms']:.0f} ms >= {TARGETS['api_p99_ms']} ms")
    low, high = figures["audit_expected"], figures["audit_expected"] + figures["audit_cut_off"]
    if not low <= figures["audit_added"] <= high:
        found.append(f"audit events {figures['audit_added']:,}, expected {low:,} (to {high:,} with cut-off requests)")
    adt = figures["adt"]
    if adt.get("codes", {}).get("AA", 0) != adt.get("sent"):
        found.append(f"ADT: {adt.get('codes')} for {adt.get('sent')} messages")
    return found


def main() -> None:
    args = arguments()
    env = environment(database(args))
    prepare(env, args.clients)
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(env, argparse.Namespace(port=args.port, workers=args.workers, threads=1))
    listener = hospital_feed.Listener(port=hospital_feed._free_port(), batch_size=500)
    try:
        listener.start(profile=False)
        the_plan = plan(env, base)
        load_before = os.getloadavg()
        audit_before, adt = audit_count(), {}
        sender = threading.Thread(target=feed, args=(listener.port, args.adt_rate, args.minutes * 60, adt))
        sender.start()
        samples = run_locust(the_plan, args, base)
        sender.join(timeout=600)
        figures = verdict(samples, audit_count() - audit_before, adt)
    finally:
        listener.stop()
        stop_server(server)
    figures.update(
        conditions={
            "database": env["DATABASE_URL"].split("@")[-1], "clients": args.clients, "users": args.users,
            "minutes": args.minutes, "adt_rate": args.adt_rate, "workers": args.workers, "cores": os.cpu_count(),
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
        }
    )  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load_test-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    problems = misses(figures)
    for problem in problems:
        print(f"MISSED: {problem}")
    print(f"Saved {out}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
