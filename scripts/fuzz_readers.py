"""Run the fuzz targets of tests/fuzz_targets.py for a while each; print what ran and any failure.

A failure prints Hypothesis's smallest failing input; add it to tests/unit/test_fuzz_readers.py
as a regression example once the reader is fixed. Exits 1 when a target failed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")

import django

django.setup()

from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests import fuzz_targets as targets  # noqa: E402

TARGETS = {
    "hl7": (targets.hl7_inputs, targets.hl7_frame),
    "fhir-json": (targets.fhir_inputs, targets.fhir_json),
    "fhir-file": (targets.ndjson_inputs, targets.fhir_file),
    "mllp": (targets.mllp_inputs, lambda sent: targets.mllp_connection(*sent)),
}
ROUND = 500  # examples per round; rounds repeat with fresh random seeds until the time is up


def fuzz(name: str, seconds: float) -> tuple[int, str]:
    strategy, target = TARGETS[name]
    ran = 0

    def counted(value: object) -> None:
        nonlocal ran
        ran += 1
        target(value)

    test = settings(max_examples=ROUND, deadline=None, database=None, suppress_health_check=list(HealthCheck))(
        given(strategy)(counted)
    )
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        try:
            test()
        except Exception as error:  # the property broke: report the smallest input Hypothesis found
            return ran, f"{type(error).__name__}: {error}"
    return ran, ""


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv else 60.0
    names = argv[1:] or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        print(f"Unknown target(s) {unknown}: choose from {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    failed = False
    for name in names:
        started = time.monotonic()
        ran, problem = fuzz(name, seconds)
        took = time.monotonic() - started
        print(f"{name}: {ran} inputs in {took:.0f} s: {'FAILED ' + problem if problem else 'only documented answers'}")
        failed |= bool(problem)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
