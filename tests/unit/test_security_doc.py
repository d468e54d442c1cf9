"""docs/security.md holds: every hazard of the clinical safety log names tests, every test it names
(`tests/<path>.py::<name>`, or `::<Class>::<name>`) exists, every risk is rated by the matrix, and
every script it cites is in the project."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"

NODE = re.compile(r"`(tests/[\w/]+\.py)::([\w:]+)`")
PROJECT_PATH = re.compile(r"`((?:bench|scripts|docs)/[\w./-]+)`")
HAZARD = re.compile(r"^### (HAZ-\d{2}) (.+)$", re.M)
ROW = re.compile(r"^\| ([^|]+?) \| (.+) \|$", re.M)
RISK = re.compile(r"^severity (\w+), likelihood ([\w ]+), risk (\d)$")
FIELDS = ("Description", "Cause", "Effect", "Initial risk", "Controls", "Residual risk", "Tests")

SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
# DCB0129's risk matrix: likelihood -> the risk for each severity, Minor to Catastrophic.
MATRIX = {
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}


@cache
def _definitions(path: Path) -> frozenset[str]:
    """Every function and method in a test file, as "name" and "Class::name"."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(names)


def missing_tests(text: str, root: Path = ROOT) -> list[str]:
    """Each test node named in the text that does not exist."""
    problems = []
    for path, name in NODE.findall(text):
        file = root / path
        if not file.is_file():
            problems.append(f"{path}: no such file")
        elif name not in _definitions(file):
            problems.append(f"{path}::{name}: no such test")
    return problems


def hazards(text: str) -> dict[str, dict[str, str]]:
    """Hazard id -> its fields, from the log's sections."""
    found: dict[str, dict[str, str]] = {}
    sections = HAZARD.split(text)
    for number in range(1, len(sections), 3):
        hazard_id, title, body = sections[number : number + 3]
        fields = {key.strip(): value.strip() for key, value in ROW.findall(body)}
        fields["Title"] = title.strip()
        found[hazard_id] = fields
    return found


def hazard_problems(text: str, root: Path = ROOT) -> list[str]:
    problems = []
    found = hazards(text)
    if not found:
        return ["no hazards in the log"]
    for hazard_id, fields in found.items():
        problems += [f"{hazard_id}: no {name}" for name in FIELDS if not fields.get(name)]
        named = NODE.findall(fields.get("Tests", ""))
        if not named:
            problems.append(f"{hazard_id}: names no test")
        problems += [f"{hazard_id}: {problem}" for problem in missing_tests(fields.get("Tests", ""), root)]
        for name in ("Initial risk", "Residual risk"):
            problems += [f"{hazard_id}: {p}" for p in risk_problems(fields.get(name, ""))]
    expected = [f"HAZ-{n:02d}" for n in range(1, len(found) + 1)]
    if list(found) != expected:
        problems.append(f"hazard ids out of order: {list(found)}")
    return problems


def risk_problems(rating: str) -> list[str]:
    match = RISK.match(rating)
    if match is None:
        return [f"a risk must read 'severity S, likelihood L, risk N', not {rating!r}"]
    severity, likelihood, risk = match.groups()
    if severity not in SEVERITIES or likelihood not in MATRIX:
        return [f"unknown severity or likelihood in {rating!r}"]
    expected = MATRIX[likelihood][SEVERITIES.index(severity)]
    return [] if int(risk) == expected else [f"{rating!r}: the matrix says risk {expected}"]


def test_every_hazard_names_tests_that_exist_and_is_rated_by_the_matrix():
    assert hazard_problems(DOC.read_text()) == []


def test_every_test_the_document_names_exists():
    text = DOC.read_text()
    assert len(NODE.findall(text)) > 50
    assert missing_tests(text) == []


def test_every_script_and_document_it_cites_is_in_the_project():
    cited = PROJECT_PATH.findall(DOC.read_text())
    assert "bench/load_test.py" in cited
    assert [path for path in cited if not (ROOT / path).exists()] == []


def test_the_matrix_in_the_document_is_dcb0129s():
    rows = re.findall(r"^\| (Very high|High|Medium|Low|Very low) \| (.+) \|$", DOC.read_text(), re.M)
    assert {name: tuple(int(cell) for cell in cells.split(" | ")) for name, cells in rows} == MATRIX


def test_the_log_covers_the_hazards_issue_7_names():
    titles = " ".join(fields["Title"].lower() for fields in hazards(DOC.read_text()).values())
    for words in ("wrong client", "dementia", "crisis clock", "audit", "consent", "duplicate", "accountability"):
        assert words in titles, words
    assert "stale care plan" in titles


# --- The checks themselves fail when they should ---------------------------------------------

GOOD = """
### HAZ-01 Something

| Field | Entry |
|---|---|
| Description | d |
| Cause | c |
| Effect | e |
| Initial risk | severity Major, likelihood Medium, risk 3 |
| Controls | c |
| Residual risk | severity Major, likelihood Very low, risk 2 |
| Tests | `tests/unit/test_security_doc.py::test_the_matrix_in_the_document_is_dcb0129s` |
"""


def test_a_well_formed_hazard_passes():
    assert hazard_problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            (
                "| Tests | `tests/unit/test_security_doc.py::test_the_matrix_in_the_document_is_dcb0129s` |",
                "| Tests | none yet |",
            ),
            "names no test",
        ),
        (("test_the_matrix_in_the_document_is_dcb0129s", "test_that_was_never_written"), "no such test"),
        (("tests/unit/test_security_doc.py", "tests/unit/test_gone.py"), "no such file"),
        (("likelihood Medium, risk 3", "likelihood Medium, risk 1"), "the matrix says risk 3"),
        (("likelihood Very low", "likelihood Rarely"), "unknown severity or likelihood"),
        (("severity Major, likelihood Very low, risk 2", "major, rarely"), "a risk must read"),
        (("| Cause | c |\n", ""), "no Cause"),
        (("HAZ-01", "HAZ-02"), "out of order"),
    ],
)
def test_a_broken_hazard_is_caught(change, problem):
    old, new = change
    problems = hazard_problems(GOOD.replace(old, new))
    assert any(problem in p for p in problems), problems


def test_a_class_method_is_named_with_its_class():
    node = "FrequentViewingProperty::test_an_alert_is_raised_iff_the_threshold_is_crossed"
    text = f"`tests/integration/test_access_alerts.py::{node}`"
    assert missing_tests(text) == []
    assert missing_tests(text.replace("FrequentViewingProperty::", "")) != []
