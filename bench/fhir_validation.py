"""FHIR validation throughput: JoinedUp's validator next to fhir.resources (R4B) on the same resources.

    uv run --frozen python bench/fhir_validation.py [--bundles 100] [--processes 2] [--repeat 3]

Reads --bundles Synthea patient bundles (synthea_fhir_r4/dev under $JOINEDUP_CORPORA), takes their
entries' resources, and validates each resource: with JoinedUp's validator (bindings on, UK Core on)
in one process and in --processes processes (each takes its share of the resources), then with
fhir.resources' R4B models (model_validate) in one process. Prints resources per second by the clock
and per second of the process's CPU time (on a shared machine the second says what a quiet core
would do), the data size and the load average. The best of --repeat runs is reported for each.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

CORPORA = Path(os.environ.get("JOINEDUP_CORPORA", Path(__file__).resolve().parents[2] / "shared" / "corpora"))


def load(bundles: int) -> list[dict[str, Any]]:
    files = sorted((CORPORA / "synthea_fhir_r4" / "dev").glob("*.json.gz"))[:bundles]
    resources = []
    for path in files:
        resources += [entry["resource"] for entry in json.loads(gzip.decompress(path.read_bytes()))["entry"]]
    return resources


def ours(resources: list[dict[str, Any]]) -> int:
    from joinedup.fhir.validation.validator import default_validator

    validator = default_validator()
    return sum(1 for resource in resources if not any(i.is_error for i in validator.validate(resource)))


def theirs(resources: list[dict[str, Any]]) -> int:
    from fhir.resources.R4B import get_fhir_model_class

    valid = 0
    for resource in resources:
        try:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
            valid += 1
        except Exception:
            continue
    return valid


def _best(label: str, work: Any, resources: list[dict[str, Any]], repeat: int) -> None:
    """Best of `repeat` runs, by the clock and by this process's CPU time (what a quiet core would give)."""
    best = best_cpu = 0.0
    valid = 0
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        valid = work(resources)
        best = max(best, len(resources) / (time.perf_counter() - started))
        best_cpu = max(best_cpu, len(resources) / (time.process_time() - cpu))
    print(f"{label:55} {best:10,.0f} resources/s  {best_cpu:10,.0f} per CPU second  ({valid:,} valid)")


def _share(args: tuple[int, int, int]) -> tuple[int, float]:
    """One process's share: it loads its own bundles (nothing is pickled across) and times validation."""
    bundles, index, processes = args
    resources = load(bundles)[index::processes]
    ours(resources[:100])
    started = time.perf_counter()
    ours(resources)
    return len(resources), time.perf_counter() - started


def parallel(bundles: int, processes: int) -> float:
    """Resources per second with `processes` validating side by side: all resources / the slowest share."""
    with ProcessPoolExecutor(processes) as pool:
        results = list(pool.map(_share, [(bundles, i, processes) for i in range(processes)]))
    return sum(n for n, _ in results) / max(seconds for _, seconds in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundles", type=int, default=100)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    resources = load(args.bundles)
    size = sum(len(json.dumps(r)) for r in resources)
    print(f"{len(resources):,} resources from {args.bundles} Synthea bundles ({size / 1e6:.1f} MB of JSON); "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")  # fmt: skip
    ours(resources[:100])  # compile the definitions once, outside the timing
    _best("JoinedUp validator, 1 process (bindings, UK Core)", ours, resources, args.repeat)
    best = max(parallel(args.bundles, args.processes) for _ in range(args.repeat))
    print(f"{f'JoinedUp validator, {args.processes} processes':55} {best:10,.0f} resources/s")
    _best("fhir.resources R4B model_validate, 1 process", theirs, resources, args.repeat)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
