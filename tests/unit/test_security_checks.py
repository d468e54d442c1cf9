"""The dependency audit's verdicts: found vulnerabilities fail, expired ignores fail, no data is not a pass."""

from __future__ import annotations

import importlib.util
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pip_audit_ignores.py"
spec = importlib.util.spec_from_file_location("pip_audit_ignores", SCRIPT)
assert spec and spec.loader
pip_audit_ignores = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pip_audit_ignores)


def report(tmp_path: Path, dependencies: list[dict]) -> str:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"dependencies": dependencies}))
    return str(path)


def test_a_known_vulnerability_fails(tmp_path, capsys):
    deps = [{"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1"}]}]
    assert pip_audit_ignores.summarise(report(tmp_path, deps), 1) == 1
    assert "django 5.2.0: PYSEC-2025-1" in capsys.readouterr().out


def test_a_clean_audit_passes_and_says_how_many_were_audited(tmp_path, capsys):
    deps = [{"name": "django", "version": "5.2.0", "vulns": []}, {"name": "local", "version": "1", "skip_reason": "x"}]
    assert pip_audit_ignores.summarise(report(tmp_path, deps), 0) == 0
    assert "0 known vulnerabilities in 1 dependencies (1 not on PyPI" in capsys.readouterr().out


def test_no_vulnerability_data_is_said_loudly_and_never_called_clean(tmp_path, capsys):
    deps = [{"name": "django", "version": "5.2.0", "skip_reason": "Dependency not found on PyPI"}]
    assert pip_audit_ignores.summarise(report(tmp_path, deps), 0) == 0
    out = capsys.readouterr().out
    assert "could NOT audit" in out and "0 known vulnerabilities" not in out


def test_an_expired_ignore_fails_and_a_line_without_reason_is_refused(tmp_path, monkeypatch, capsys):
    ignores = tmp_path / "ignores.txt"
    monkeypatch.setattr(pip_audit_ignores, "IGNORES", ignores)
    monkeypatch.setattr(pip_audit_ignores.sys, "argv", ["x", "--check-expiry"])
    ignores.write_text(f"GHSA-1  {date.today() + timedelta(days=30)}  fixed upstream, waiting for the release\n")
    assert pip_audit_ignores.main() == 0
    ignores.write_text(f"GHSA-1  {date.today() - timedelta(days=1)}  fixed upstream, waiting for the release\n")
    assert pip_audit_ignores.main() == 1
    assert "expired" in capsys.readouterr().out
    ignores.write_text("GHSA-1  2030-01-01\n")
    with pytest.raises(SystemExit, match="a reason"):
        pip_audit_ignores.main()
