"""pip-audit's ignores, each with a reason and an expiry; and what pip-audit's JSON report says.

    python scripts/pip_audit_ignores.py --check-expiry     # exit 1 if an ignore has expired
    python scripts/pip_audit_ignores.py --args             # --ignore-vuln arguments, one per line
    python scripts/pip_audit_ignores.py --summarise REPORT STATUS

The ignores file (scripts/pip-audit-ignores.txt) has one line per vulnerability:
    VULN-ID  YYYY-MM-DD  reason...
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

IGNORES = Path(__file__).with_name("pip-audit-ignores.txt")


def ignores() -> list[tuple[str, date, str]]:
    rows = []
    for number, line in enumerate(IGNORES.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            sys.exit(f"{IGNORES}:{number}: give the vulnerability id, an expiry date and a reason")
        rows.append((parts[0], date.fromisoformat(parts[1]), parts[2]))
    return rows


def summarise(report_path: str, status: int) -> int:
    try:
        report = json.loads(Path(report_path).read_text() or "{}")
    except json.JSONDecodeError:
        report = {}
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    found = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
    for name, version, vuln in found:
        print(f"!! {name} {version}: {vuln}")
    if found:
        print(f"!! pip-audit: {len(found)} known vulnerabilities")
        return 1
    if not audited:
        print("!! pip-audit could NOT audit the dependencies: the vulnerability data (PyPI's JSON API or OSV)")
        print("!! is unreachable from this machine. This is not a pass: run scripts/security-checks where it is.")
        return 0
    if status != 0:
        print(f"!! pip-audit failed (exit {status})")
        return 1
    skipped = len(dependencies) - len(audited)
    print(f"  0 known vulnerabilities in {len(audited)} dependencies ({skipped} not on PyPI, not audited)")
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--check-expiry"]:
        expired = [(vuln, until) for vuln, until, _ in ignores() if until < date.today()]
        for vuln, until in expired:
            print(f"!! the ignore of {vuln} expired on {until}: fix it or renew it with a reason")
        return 1 if expired else 0
    if sys.argv[1:2] == ["--args"]:
        for vuln, _, _ in ignores():
            print(f"--ignore-vuln={vuln}")
        return 0
    if sys.argv[1:2] == ["--summarise"]:
        return summarise(sys.argv[2], int(sys.argv[3]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
