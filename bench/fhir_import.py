"""FHIR import throughput on SQLite and PostgreSQL, next to fhir.resources parsing the same files.

    uv run --frozen python bench/fhir_import.py [--bundles 492] [--workers 1] [--postgres URL]

For each database (a fresh SQLite file under bench/results/, and --postgres when given, whose
database is emptied first): migrates, seeds the demo borough with 100 clients (its teams), then runs
the import of Synthea bundles (synthea_fhir_r4/shared and the first --bundles of dev, under
$JOINEDUP_CORPORA) as `joinedup import-fhir --team "Northgate MDT"` does, timing it end to end:
reading, validating, resolving references, registering the clients and writing every resource.
A second run of the same files (idempotent: nothing changes) is timed too. Then fhir.resources
parses and validates the same bundles (Bundle.model_validate) in one process. Prints resources
per second by the clock, the CPU seconds spent (the import's process and its worker: on a shared
machine, what two quiet cores would take is about the larger of the clock time and half of them),
the data size and the load average.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("JOINEDUP_CORPORA", ROOT.parent / "shared" / "corpora"))
SECRET = "bench-only-secret-key-for-the-joinedup-fhir-benchmark-0123456789abcdef"


def files(bundles: int) -> list[Path]:
    folder = CORPORA / "synthea_fhir_r4"
    return sorted((folder / "shared").glob("*.json.gz")) + sorted((folder / "dev").glob("*.json.gz"))[:bundles]


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "JOINEDUP_ENV": "test", "JOINEDUP_SECRET_KEY": SECRET,
            "JOINEDUP_DEBUG": "0", "JOINEDUP_FAST_HASHER": "1"}  # fmt: skip


def prepare(database_url: str) -> None:
    env = _env(database_url)
    if database_url.startswith("postgres"):
        reset = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        quiet = {**env, "PGOPTIONS": "-c client_min_messages=warning"}
        subprocess.run(["psql", database_url, "-q", "-c", reset], check=True, env=quiet)
    joinedup = [sys.executable, "-m", "joinedup"]
    subprocess.run([*joinedup, "migrate", "-v", "0"], check=True, env=env)
    subprocess.run([*joinedup, "seed-demo", "--clients", "100", "-v", "0"], check=True, env=env)


def timed_import(database_url: str, paths: list[Path], workers: int) -> str:
    """Runs the import in a child process (a fresh interpreter, as the command is run) and times it there."""
    code = f"""
import os, time, django
django.setup()
from pathlib import Path
from joinedup.directory.models import Team
from joinedup.fhir.importer import Importer, Options
paths = [Path(p) for p in {[str(p) for p in paths]!r}]
import resource
def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
for run in ("first import", "same files again"):
    started, cpu_started = time.perf_counter(), cpu()
    team = Team.objects.get(name="Northgate MDT")
    summary = Importer(Options(default_team=team, workers={workers})).import_paths(paths)
    seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
    rate = summary.read / seconds
    print(f"  {{run:18}} {{summary.read:,}} resources in {{seconds:.1f}} s: {{rate:,.0f}} resources/s; "
          f"{{cpu_seconds:.1f}} CPU s in this process and its workers "
          f"({{summary.clients_created}} clients registered, {{len(summary.problems)}} problems)")
"""
    env = {**_env(database_url), "DJANGO_SETTINGS_MODULE": "joinedup.config.settings"}
    return subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True).stdout


def fhir_resources(paths: list[Path]) -> str:
    from fhir.resources.R4B.bundle import Bundle

    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    for path in paths:
        bundle = Bundle.model_validate(json.loads(gzip.decompress(path.read_bytes())))
        count += len(bundle.entry or [])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return (
        f"  {'parse and validate':18} {count:,} resources in {seconds:.1f} s: {count / seconds:,.0f} resources/s; "
        f"{cpu_seconds:.1f} CPU s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundles", type=int, default=492)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", help="postgres://postgres@127.0.0.1:5432/fhir_bench (emptied first)")
    args = parser.parse_args()
    paths = files(args.bundles)
    size = sum(len(gzip.decompress(p.read_bytes())) for p in paths)
    print(f"{len(paths)} Synthea bundles ({size / 1e6:.0f} MB of JSON), {os.cpu_count()} cores, "
          f"import with {args.workers} preparing process(es); load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    sqlite = results / "fhir_import.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    databases = [f"sqlite:///{sqlite}"] + ([args.postgres] if args.postgres else [])
    for url in databases:
        prepare(url)
        print(f"JoinedUp import-fhir, {url.split(':', 1)[0]}:")
        print(timed_import(url, paths, args.workers), end="")
    print("fhir.resources R4B, no database:")
    print(fhir_resources(paths))
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
