"""The ceiling of the audit log alone: how many audited transactions per second its chains take.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/joinedup_bench \\
        uv run python bench/audit_chain.py [--processes 4] [--seconds 10] [--chains 8] [--asynchronous-commit]

Each process writes one audit event per transaction with joinedup.core.audit.record,
as a client read does, and nothing else: no HTTP, no client query. Every
event takes a chain's advisory lock, reads that chain's head and inserts, and the
lock is held until the commit is flushed to disk; so each chain admits one commit
at a time. With --chains 1 (the log before ADR 0030) the ceiling is about
1 / (lock-to-commit time); with several, writers on different chains commit
side by side. --asynchronous-commit
runs the same with `SET LOCAL synchronous_commit TO OFF`, to show what the
disk flush costs (not what JoinedUp does: see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time

from caseload_and_search import BENCH_SECRET_KEY


def _setup() -> None:
    os.environ.update(JOINEDUP_ENV="test", JOINEDUP_DEBUG="0")
    os.environ.setdefault("JOINEDUP_SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    import django

    django.setup()


def writer(seconds: float, asynchronous: bool, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    _setup()
    from django.db import connection, transaction

    from joinedup.core import audit
    from joinedup.core.access import SYSTEM

    actor = SYSTEM.__class__(**{**SYSTEM.__dict__, "username": "audit-benchmark", "channel": "cli"})
    latencies = []
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        with transaction.atomic():
            if asynchronous:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            audit.record(actor, "view", object_type="Client", object_id=1, client_id=1, reason="benchmark")
        latencies.append(time.perf_counter() - started)
    results.put(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--chains", type=int, default=8, help="JOINEDUP_AUDIT_CHAINS for the writers")
    parser.add_argument("--asynchronous-commit", action="store_true")
    args = parser.parse_args()
    os.environ["JOINEDUP_AUDIT_CHAINS"] = str(args.chains)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=writer, args=(args.seconds, args.asynchronous_commit, results))
        for _ in range(args.processes)
    ]
    for worker in workers:
        worker.start()
    latencies = [value for _ in workers for value in results.get(timeout=args.seconds + 120)]
    for worker in workers:
        worker.join()
    latencies.sort()
    commit = "asynchronous" if args.asynchronous_commit else "synchronous (the default)"
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(
        f"{args.processes} processes, {args.chains} chain(s), {args.seconds:.0f} s, {commit} commit, "
        f"load average {load}"
    )
    print(f"  {len(latencies) / args.seconds:,.0f} audited transactions/s")
    print(
        f"  latency p50 {statistics.median(latencies) * 1000:.2f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.2f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
