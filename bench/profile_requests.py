"""Where the time of one request goes: in-process, against the benchmark database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/joinedup_bench \\
        uv run python bench/profile_requests.py api_read [--requests 300] [--pyinstrument]

Runs the scenario's requests through Django's test client in this process (no
gunicorn, no network) and prints, per request: wall time, Python CPU time,
queries, time waiting for PostgreSQL, and the statements that took longest.
With --pyinstrument, also the call tree (`uv run pyinstrument` is in the dev group); with --cprofile,
cProfile's table timed by CPU time (process_time), so that a busy machine does not bend the shares.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from caseload_and_search import BENCH_SECRET_KEY

SCENARIOS = ("api_read", "api_search", "caseload")


class QueryClock:
    """Counts statements and the wall time spent in them (a Django execute wrapper)."""

    def __init__(self) -> None:
        self.count, self.seconds = 0, 0.0
        self.by_statement: dict[str, float] = defaultdict(float)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.count += 1
            self.seconds += spent
            self.by_statement[" ".join(sql.split())[:90]] += spent


def requests_for(scenario: str, username: str) -> tuple[Any, list[str], dict[str, str]]:
    from django.test import Client as Browser

    from joinedup.core.access import actor_for, visible_clients
    from joinedup.core.tokens import create_token
    from joinedup.directory.models import Practitioner

    user = Practitioner.objects.get(username=username)
    browser = Browser()
    if scenario == "caseload":
        browser.force_login(user)
        return browser, [f"/caseload/?page={page}" for page in range(1, 6)], {}
    token, _ = create_token(user, "profile", 1)
    rows = list(
        visible_clients(actor_for(user)).filter(nhs_number__isnull=False).values_list("id", "nhs_number")[:2000]
    )
    random.Random(1).shuffle(rows)
    if scenario == "api_read":
        paths = [f"/api/v1/clients/{client_id}" for client_id, _ in rows]
    else:
        paths = [f"/api/v1/clients?nhs_number={nhs_number}" for _, nhs_number in rows]
    return browser, paths, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def run(scenario: str, username: str, count: int, profiler: Any = None) -> None:
    """`profiler` (cProfile's), when given, is on for the measured requests only, not the warm-up."""
    from django.db import connection

    browser, paths, headers = requests_for(scenario, username)
    for path in paths[:5]:  # warm the process: imports, URL resolver, template cache
        assert browser.get(path, **headers).status_code == 200
    if profiler is not None:
        profiler.enable()
    clock = QueryClock()
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(clock):
        for number in range(count):
            response = browser.get(paths[(number + 5) % len(paths)], **headers)
            assert response.status_code == 200, response.status_code
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
    print(f"{scenario} as {username}: {count} requests")
    print(f"  wall {wall / count * 1000:.1f} ms, Python CPU {cpu / count * 1000:.1f} ms per request")
    print(f"  {clock.count / count:.1f} statements, {clock.seconds / count * 1000:.1f} ms waiting for the database")
    print("  longest statements (ms per request):")
    for statement, seconds in sorted(clock.by_statement.items(), key=lambda item: -item[1])[:12]:
        print(f"    {seconds / count * 1000:6.2f}  {statement}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--user", default="olivia.ot")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--cprofile", action="store_true", help="cProfile by CPU time, 40 costliest by cumulative")
    args = parser.parse_args()
    os.environ.update(JOINEDUP_ENV="test", JOINEDUP_DEBUG="0", JOINEDUP_ALLOWED_HOSTS="testserver")
    os.environ.setdefault("JOINEDUP_SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    import django

    django.setup()
    if args.cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        run(args.scenario, args.user, args.requests, profiler)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(25)
        return
    if not args.pyinstrument:
        run(args.scenario, args.user, args.requests)
        return
    from pyinstrument import Profiler

    with Profiler() as profiler:
        run(args.scenario, args.user, args.requests)
    print(profiler.output_text(color=False, show_all=False))


if __name__ == "__main__":
    main()
