"""Benchmark: the caseload page and the audited client read/search API, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/joinedup_bench \\
        uv run python bench/caseload_and_search.py [--clients 1000000] [--workers 2] \\
        [--connections 4] [--seconds 20]

Seeds the demo borough with --clients clients if the database has none, starts
the real service under gunicorn on 127.0.0.1 (JOINEDUP_ENV=test, DEBUG off),
signs demo practitioners in (session cookies) and makes them API tokens
(`joinedup token create`), then drives each scenario with wrk on loopback:

  caseload      GET /caseload/?page=1..5   (25 clients listed, 25 audit events)
  api_read      GET /api/v1/clients/{id}   (one client's record, 1 audit event)
  api_search    GET /api/v1/clients?nhs_number=...  (search + result, 2 audit events)

Audit stays on: each scenario checks that the audit log grew by what its reads
must have written. Prints p50/p95/p99 latency, requests/s and the conditions,
and saves them as JSON under bench/results/. Every run is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from loadgen import Figures, Scenario, run_wrk

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# A fixed key for the benchmark database only: its audit chain must verify across runs.
BENCH_SECRET_KEY = "joinedup-benchmark-only-secret-key-never-use-in-production-000000"
DEFAULT_USERS = "olivia.ot,omar.ot,sam.ot,paul.physio"
TARGETS = {"caseload": "p95 < 150 ms", "api_read": ">= 1,000 audited reads/s"}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1 = sync)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent wrk connections")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each scenario")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per scenario")
    parser.add_argument("--port", type=int, default=18741, help="a free port on 127.0.0.1")
    parser.add_argument("--users", default=DEFAULT_USERS, help="demo practitioners, comma-separated")
    parser.add_argument("--scenarios", default="caseload,api_read,api_search")
    return parser.parse_args()


def environment() -> dict[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/joinedup_bench")
    if "127.0.0.1" not in url and "localhost" not in url:
        sys.exit("The benchmark runs against a local database only (127.0.0.1)")
    env = dict(os.environ)
    env.update(
        JOINEDUP_ENV="test", JOINEDUP_DEBUG="0", JOINEDUP_LOG_LEVEL="WARNING",
        JOINEDUP_SECRET_KEY=os.environ.get("JOINEDUP_SECRET_KEY", BENCH_SECRET_KEY),
        DJANGO_SETTINGS_MODULE="joinedup.config.settings",
    )  # fmt: skip
    env.pop("JOINEDUP_FAST_HASHER", None)
    return env


def joinedup(env: dict[str, str], *args: str, capture: bool = False, timeout: int = 300) -> str:
    done = subprocess.run(
        ["uv", "run", "joinedup", *args], cwd=ROOT, env=env, check=True, text=True,
        stdout=subprocess.PIPE if capture else None, timeout=timeout,
    )  # fmt: skip
    return done.stdout or ""


def prepare_data(env: dict[str, str], clients: int) -> None:
    joinedup(env, "migrate", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from joinedup.clients.models import Client

    if not Client.objects.exists():
        print(f"Seeding {clients:,} clients (once; later runs reuse them)...", flush=True)
        joinedup(env, "seed-demo", "--clients", str(clients), "--if-empty", timeout=3600)


def sample_clients(username: str, size: int = 500) -> list[tuple[int, str]]:
    """Clients this practitioner may see (id, NHS number), a fixed sample."""
    from joinedup.core.access import actor_for, visible_clients
    from joinedup.directory.models import Practitioner

    actor = actor_for(Practitioner.objects.get(username=username), channel="api")
    rows = list(
        visible_clients(actor).filter(status="active", nhs_number__isnull=False)
        .order_by("id").values_list("id", "nhs_number")
    )  # fmt: skip
    return random.Random(username).sample(rows, min(size, len(rows)))


def audit_rows() -> int:
    from joinedup.core.models import AuditEvent

    return AuditEvent.objects.count()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_server(env: dict[str, str], args: argparse.Namespace) -> subprocess.Popen[bytes]:
    if not port_is_free(args.port):  # never load someone else's server by mistake
        sys.exit(f"Port {args.port} is in use: choose another with --port")
    command = [
        "uv", "run", "gunicorn", "joinedup.config.wsgi", "-w", str(args.workers),
        "--threads", str(args.threads), "-b", f"127.0.0.1:{args.port}", "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = (RESULTS / "gunicorn.log").open("ab")  # the server's output, apart from the figures
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=10):
                if server.poll() is None:
                    return server
                break
        except OSError:  # not listening yet, or still starting (URLError and timeouts are OSErrors)
            time.sleep(0.5)
    stop_server(server)
    sys.exit(f"gunicorn did not start and answer /healthz within 60 s: see {RESULTS / 'gunicorn.log'}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn this script started: its own process group (uv, master, workers)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the sign-in page like a browser; returns the Cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/sign-in/", timeout=10).read().decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    opener.open(f"{base}/sign-in/", urllib.parse.urlencode(form).encode(), timeout=30).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        sys.exit(f"Could not sign in as {username}")
    check = urllib.request.Request(f"{base}/caseload/", headers={"Cookie": _cookie(cookies)})
    with urllib.request.urlopen(check, timeout=30) as response:
        if response.status != 200 or not response.geturl().endswith("/caseload/"):
            sys.exit(f"{username} cannot open the caseload page ({response.status})")
    return _cookie(cookies)


def _cookie(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def scenarios(env: dict[str, str], base: str, users: list[str]) -> dict[str, Scenario]:
    from django.conf import settings

    caseload, reads, searches = [], [], []
    for username in users:
        for _ in range(2):  # two sessions each: concurrent requests rarely share a session row
            cookie = sign_in(base, username, settings.JOINEDUP_DEMO_PASSWORD)
            caseload += [(f"/caseload/?page={page}", {"Cookie": cookie}) for page in range(1, 6)]
        token = joinedup(env, "token", "create", username, "--name", "benchmark", "--days", "1", capture=True)
        bearer = {"Authorization": f"Bearer {token.strip()}"}
        for client_id, nhs_number in sample_clients(username):
            reads.append((f"/api/v1/clients/{client_id}", bearer))
            searches.append((f"/api/v1/clients?nhs_number={nhs_number}", bearer))
    random.Random(7).shuffle(reads)
    random.Random(8).shuffle(searches)
    return {
        "caseload": Scenario("caseload", caseload, audit_events_per_request=25),
        "api_read": Scenario("api_read", reads, audit_events_per_request=1),
        "api_search": Scenario("api_search", searches, audit_events_per_request=2),
    }


@dataclass(frozen=True)
class Result:
    figures: Figures
    audit_rows_added: int
    audit_rows_expected: int
    audit_ok: bool


def measure(scenario: Scenario, base: str, args: argparse.Namespace, work: Path) -> Result:
    wrk = {"connections": args.connections, "directory": work}
    if args.warmup:
        run_wrk(scenario, base, seconds=args.warmup, **wrk)
    before = audit_rows()
    figures = run_wrk(scenario, base, seconds=args.seconds, **wrk)
    time.sleep(1)  # requests in flight when wrk stopped finish and commit
    grown = audit_rows() - before
    per_request = scenario.audit_events_per_request
    expected = figures.requests * per_request
    # wrk does not count the responses still in flight when it stops; the server completes them.
    ceiling = (figures.requests + 2 * args.connections) * per_request
    ok = figures.failed == 0 and expected <= grown <= ceiling
    return Result(figures, grown, expected, ok)


def conditions(args: argparse.Namespace) -> dict[str, object]:
    from django.db import connection

    from joinedup.clients.models import Client

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    uname = platform.uname()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "clients": Client.objects.count(),
        "audit_rows_at_start": audit_rows(),
        "database": f"PostgreSQL {version} on 127.0.0.1 (same machine)",
        "server": f"gunicorn {args.workers} workers x {args.threads} thread(s), JOINEDUP_ENV=test, DEBUG off",
        "load": f"wrk {args.connections} connections, {args.seconds} s per scenario after {args.warmup} s warm-up",
        "users": args.users,
        "cores": os.cpu_count(),
        "machine": f"{uname.machine} {uname.system} {uname.release}",
        "python": platform.python_version(),
        "load_average_at_start": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


HEADER = (
    f"{'scenario':<11} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>9} "
    f"{'failed':>6} {'audit rows added/expected':>26}  target"
)


def report(found: dict[str, object], results: dict[str, Result]) -> None:
    print("\nConditions:")
    for key, value in found.items():
        print(f"  {key:<20} {value:,}" if isinstance(value, int) else f"  {key:<20} {value}")
    print("\n" + HEADER)
    for name, result in results.items():
        f = result.figures
        audit = f"{result.audit_rows_added:,}/{result.audit_rows_expected:,}"
        audit += " ok" if result.audit_ok else " MISMATCH"
        latency = f"{f.p50_ms:>8.1f} {f.p95_ms:>8.1f} {f.p99_ms:>8.1f}"
        print(f"{name:<11} {f.per_second:>8,.0f} {latency} {f.requests:>9,} {f.failed:>6} "
              f"{audit:>26}  {TARGETS.get(name, '')}")  # fmt: skip


def save(found: dict[str, object], results: dict[str, Result]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"caseload_and_search-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    rows = {}
    for name, result in results.items():
        figures = {**asdict(result.figures), "per_second": result.figures.per_second}
        rows[name] = {**asdict(result), "figures": figures}
    path.write_text(json.dumps({"conditions": found, "results": rows}, indent=2, default=str))
    return path


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped"))  # so that gunicorn is stopped too
    args = arguments()
    env = environment()
    prepare_data(env, args.clients)
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(env, args)
    try:
        print("Signing in and making API tokens...", flush=True)
        plans = scenarios(env, base, args.users.split(","))
        found = conditions(args)
        results: dict[str, Result] = {}
        with tempfile.TemporaryDirectory() as work:
            for name in args.scenarios.split(","):
                print(f"Running {name} for {args.seconds} s...", flush=True)
                results[name] = measure(plans[name], base, args, Path(work))
    finally:
        stop_server(server)
    found["load_average_at_end"] = "{:.2f} {:.2f} {:.2f}".format(
        *os.getloadavg()
    )  # other work on the machine shows here
    report(found, results)
    print(f"\nSaved {save(found, results).relative_to(ROOT)}")
    if not all(result.audit_ok for result in results.values()):
        sys.exit("The audit log did not grow by the number of reads")


if __name__ == "__main__":
    main()
