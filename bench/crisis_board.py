"""Benchmark: the crisis board's refresh with a borough of clients and a year of crises, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisis_bench \\
        uv run python bench/crisis_board.py [--clients 200000] [--boards 50] [--interval 10] \\
        [--seconds 120] [--open 40] [--workers 2]

Seeds the demo borough with --clients clients if the database has none (the demo seeds a year
of crises with them, one for every ten clients: 20,000 for 200,000), tops the open crises up to
--open (raised through crisis.raising, routed and audited like any other), starts the real
service under gunicorn on 127.0.0.1 (JOINEDUP_ENV=test, DEBUG off) and signs --boards demo
practitioners in, each with a board of their own: the whole borough or one locality, in turn.

Then each board asks for its live part (GET /crisis/board/live/?locality=..., as htmx does)
every --interval seconds, from its own thread, starting at a random moment of the first
interval: an open-loop load of boards / interval requests a second, as the wall boards make it.
Prints p50/p95/p99 of the refresh, the audit rows each refresh wrote (one per client named),
and the conditions (data, database, server, load average before and after); saves them as
JSON under bench/results/. With --profile, also one board refresh in-process: statements and
time, and a pyinstrument call tree.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime

from caseload_and_search import RESULTS, ROOT, environment, prepare_data, sign_in, start_server, stop_server

TARGET_MS = 100.0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200_000)
    parser.add_argument("--boards", type=int, default=50, help="boards polling at once")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between a board's refreshes")
    parser.add_argument("--seconds", type=int, default=120, help="how long the boards poll")
    parser.add_argument("--open", type=int, default=40, help="open crises on the boards (topped up)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1 = sync)")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--profile", action="store_true", help="also profile one refresh in-process")
    return parser.parse_args()


def top_up_open(target: int) -> int:
    """Raise crises (as a GP of the borough, by NHS number) until `target` are open."""
    from joinedup.clients.models import Client
    from joinedup.core.access import actor_for
    from joinedup.crisis.models import OPEN_STATES, Crisis
    from joinedup.crisis.raising import NewCrisis, Person, raise_crisis
    from joinedup.crisis.rules import Situation
    from joinedup.directory.models import Practitioner

    open_now = Crisis.objects.filter(state__in=OPEN_STATES).count()
    if open_now >= target:
        return open_now
    gp = actor_for(Practitioner.objects.get(username="gita.gp"))
    rng = random.Random(open_now)
    numbers = list(
        Client.objects.filter(nhs_number__isnull=False)
        .order_by("?")
        .values_list("nhs_number", flat=True)[: target - open_now]
    )
    for number in numbers:
        situation = rng.choice(list(Situation)).value
        new = NewCrisis(situation, "Benchmark: needs help at home now", "Dr Gita Rao", "020 7946 0106",
                        person=Person(nhs_number=number))  # fmt: skip
        raise_crisis(gp, new)
    return Crisis.objects.filter(state__in=OPEN_STATES).count()


def boards(base: str, count: int) -> list[tuple[str, str, str]]:
    """(username, locality code or '', cookie) for `count` boards of practitioners who work with clients."""
    from django.conf import settings

    from joinedup.core.roles import CLIENT_CARE_ROLES
    from joinedup.demo.accounts import DEMO_USERNAMES
    from joinedup.directory.models import Locality, Practitioner

    people = list(
        Practitioner.objects.filter(username__in=DEMO_USERNAMES, groups__name__in=list(CLIENT_CARE_ROLES))
        .distinct()
        .order_by("username")
        .values_list("username", flat=True)
    )
    places = ["", *Locality.objects.order_by("name").values_list("code", flat=True)]
    found = []
    for number in range(count):
        username = people[number % len(people)]
        found.append((username, places[number % len(places)], sign_in(base, username, settings.JOINEDUP_DEMO_PASSWORD)))
    return found


def poll(
    base: str, board: tuple[str, str, str], args: argparse.Namespace, end: float, out: list, lock: threading.Lock
) -> None:
    _, code, cookie = board
    path = "/crisis/board/live/" + (f"?locality={code}" if code else "")
    request = urllib.request.Request(base + path, headers={"Cookie": cookie, "HX-Request": "true"})
    rng = random.Random(hash(board))
    due = time.monotonic() + rng.uniform(0, args.interval)
    while due < end:
        time.sleep(max(0.0, due - time.monotonic()))
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                ok = response.status == 200
        except OSError:
            ok = False
        with lock:
            out.append(((time.perf_counter() - started) * 1000, ok))
        due += args.interval


def centile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share) - 1] if len(values) > 1 else values[0]


def audit_rows() -> int:
    from joinedup.core.models import AuditEvent

    return AuditEvent.objects.count()


def conditions(args: argparse.Namespace) -> dict[str, object]:
    from django.db import connection

    from joinedup.clients.models import Client
    from joinedup.crisis.models import OPEN_STATES, Crisis, RotaShift

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    uname = platform.uname()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "clients": Client.objects.count(),
        "crises": Crisis.objects.count(),
        "open_crises": Crisis.objects.filter(state__in=OPEN_STATES).count(),
        "rota_shifts": RotaShift.objects.count(),
        "database": f"PostgreSQL {version} on 127.0.0.1 (same machine)",
        "server": f"gunicorn {args.workers} workers x {args.threads} thread(s), JOINEDUP_ENV=test, DEBUG off",
        "load": f"{args.boards} boards, each refreshing every {args.interval:g} s, for {args.seconds} s",
        "cores": os.cpu_count(),
        "machine": f"{uname.machine} {uname.system} {uname.release}",
        "python": platform.python_version(),
        "load_average_at_start": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


def profile_one() -> None:
    """One board refresh in-process (Django's test client): statements, time, and the call tree."""
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext

    from joinedup.directory.models import Practitioner

    browser = Browser(SERVER_NAME="127.0.0.1")  # an allowed host (the server's own name)
    browser.force_login(Practitioner.objects.get(username="owen.oncall"))
    timings: list[float] = []
    cpu: list[float] = []
    for _ in range(30):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = browser.get("/crisis/board/live/", headers={"HX-Request": "true"})
            assert response.status_code == 200, response.status_code
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"\nIn-process, whole borough as owen.oncall: {len(queries)} statements, median "
        f"{statistics.median(timings):.1f} ms wall, {statistics.median(cpu):.1f} ms Python CPU over {len(timings)}"
    )
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(20):
            browser.get("/crisis/board/live/", headers={"HX-Request": "true"})
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped"))  # so that gunicorn is stopped too
    args = arguments()
    env = environment()
    prepare_data(env, args.clients)
    print(f"Open crises: {top_up_open(args.open)}", flush=True)
    if args.profile:
        profile_one()
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(env, args)
    try:
        print(f"Signing in {args.boards} boards...", flush=True)
        plan = boards(base, args.boards)
        found = conditions(args)
        before = audit_rows()
        results: list[tuple[float, bool]] = []
        lock = threading.Lock()
        end = time.monotonic() + args.seconds
        print(f"Polling for {args.seconds} s...", flush=True)
        threads = [threading.Thread(target=poll, args=(base, b, args, end, results, lock)) for b in plan]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        added = audit_rows() - before
    finally:
        stop_server(server)
    found["load_average_at_end"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    times = sorted(ms for ms, ok in results if ok)
    failed = sum(1 for _, ok in results if not ok)
    figures = {
        "refreshes": len(results), "failed": failed, "per_second": len(results) / args.seconds,
        "p50_ms": centile(times, 50), "p95_ms": centile(times, 95), "p99_ms": centile(times, 99), "max_ms": times[-1],
        "audit_rows_added": added, "audit_rows_per_refresh": added / max(len(results), 1),
    }  # fmt: skip
    print("\nConditions:")
    for key, value in found.items():
        print(f"  {key:<22} {value:,}" if isinstance(value, int) else f"  {key:<22} {value}")
    print("\nBoard refresh:")
    for key, value in figures.items():
        print(f"  {key:<22} {value:,.1f}" if isinstance(value, float) else f"  {key:<22} {value:,}")
    met = figures["p95_ms"] < TARGET_MS and not failed
    print(f"\nTarget p95 < {TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"crisis_board-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"conditions": found, "figures": figures}, indent=2, default=str))
    print(f"Saved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
