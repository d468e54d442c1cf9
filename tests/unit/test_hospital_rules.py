"""Follow-up rules: the YAML reader names file, line and reason; conditions, due dates and bounce."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.hospital.rule_config import RuleConfigError, load, parse
from joinedup.hospital.rules import (
    DiagnosisFact,
    Discharge,
    Due,
    Situation,
    bounce,
    expand_codes,
    rules_for,
)

DEFAULT = Path(__file__).resolve().parents[2] / "joinedup" / "hospital" / "followup_rules.yaml"
FRIDAY_AFTERNOON = datetime(2025, 1, 10, 14, 0, tzinfo=UTC)  # a Friday, 14:00 London
TUESDAY_MORNING = datetime(2025, 1, 7, 10, 0, tzinfo=UTC)


def _names(situation: Situation) -> set[str]:
    return {rule.name for rule in rules_for(load(DEFAULT), situation)}


def test_the_default_rules_load() -> None:
    rules = load(DEFAULT)
    assert [r.name for r in rules.rules] == [
        "dementia-new-at-discharge",
        "known-client-discharged",
        "weekend-or-holiday-discharge",
    ]
    assert rules.pathways["19"] == 0 and rules.pathways["care home"] == 3


@pytest.mark.parametrize("code", ["F00", "F01.1", "F02.8", "F03.90", "G30", "G30.1", "f039"])
def test_a_dementia_diagnosis_new_in_the_stay_fires_the_dementia_rule(code: str) -> None:
    situation = Situation("discharge", TUESDAY_MORNING, age=80, diagnoses=(DiagnosisFact(code, "I10", True),))
    assert "dementia-new-at-discharge" in _names(situation)


@pytest.mark.parametrize(
    "diagnosis",
    [
        DiagnosisFact("F03", "I10", False),  # known before this stay
        DiagnosisFact("F04", "I10", True),  # not dementia
        DiagnosisFact("F03", "SNOMED", True),  # another code system
        DiagnosisFact("G31.0", "I10", True),
    ],
)
def test_other_diagnoses_do_not(diagnosis: DiagnosisFact) -> None:
    assert "dementia-new-at-discharge" not in _names(Situation("discharge", TUESDAY_MORNING, diagnoses=(diagnosis,)))


def test_friday_afternoon_and_bank_holiday_eves_get_a_welfare_call() -> None:
    assert "weekend-or-holiday-discharge" in _names(Situation("discharge", FRIDAY_AFTERNOON))
    assert "weekend-or-holiday-discharge" not in _names(Situation("discharge", FRIDAY_AFTERNOON - timedelta(hours=3)))
    eve = datetime(2025, 5, 2, 9, 0, tzinfo=UTC)  # Friday morning: the holiday is on Monday, not tomorrow
    sunday_before = datetime(2025, 5, 4, 10, 0, tzinfo=UTC)
    holidays = frozenset({date(2025, 5, 5)})
    assert "weekend-or-holiday-discharge" not in _names(Situation("discharge", eve, bank_holidays=holidays))
    assert "weekend-or-holiday-discharge" in _names(Situation("discharge", sunday_before, bank_holidays=holidays))


def test_a_client_with_a_lead_professional_or_care_package_is_notified() -> None:
    assert "known-client-discharged" in _names(Situation("discharge", TUESDAY_MORNING, has_lead_professional=True))
    assert "known-client-discharged" in _names(Situation("discharge", TUESDAY_MORNING, has_open_care_package=True))
    assert "known-client-discharged" not in _names(Situation("discharge", TUESDAY_MORNING))
    assert not _names(Situation("admission", TUESDAY_MORNING, has_lead_professional=True))


def test_due_dates() -> None:
    assert Due(14).after(TUESDAY_MORNING) == datetime(2025, 1, 21, 17, 0, tzinfo=UTC)
    # one working day from Friday 14:00: the close of Monday
    assert Due(1, working_days=True).after(FRIDAY_AFTERNOON) == datetime(2025, 1, 13, 17, 0, tzinfo=UTC)


def test_code_ranges() -> None:
    assert expand_codes("F00-F03") == ("F00", "F01", "F02", "F03")
    assert expand_codes("g30.1") == ("G301",)
    for bad in ("F03-F00", "F00-G03", "12", "F0-F3"):
        with pytest.raises(ValueError):
            expand_codes(bad)


VALID = """version: 1
rules:
  - name: r
    when: discharge
    then:
      - flag: {code: x, text: y}
"""


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "empty"),
        ("rules: [", 1, "not valid YAML"),
        (VALID.replace("when: discharge", "when: dischrage"), 4, "'when' must be one of"),
        (VALID.replace("flag: {code: x, text: y}", "flagg: {code: x}"), 6, "unknown key 'flagg'"),
        (
            VALID.replace("flag: {code: x, text: y}", "task: {for: gp_practice, title: t, due: {days: -1}}"),
            6,
            "days must be a whole number",
        ),
        (VALID.replace("    then:", "    if:\n      diagnosis: {codes: [F03-F00]}\n    then:"), 6, "runs backwards"),
        (
            VALID.replace("    then:", "    if:\n      discharged: {on: [fryday]}\n    then:"),
            6,
            "not a day of the week",
        ),
        (VALID.replace("    then:", "    if:\n      discharged: {after: noon}\n    then:"), 6, "a time like 12:00"),
        (VALID.replace("    then:\n      - flag: {code: x, text: y}\n", "    then: []\n"), 5, "must do something"),
        (VALID + "  - name: r\n    when: admission\n    then: [{flag: {code: a, text: b}}]\n", 7, "two rules"),
        (
            VALID.replace("flag: {code: x, text: y}", "task: {for: gp_surgery, title: t, due: {days: 1}}"),
            6,
            "'for' must be",
        ),
    ],
)
def test_a_wrong_rule_names_the_file_the_line_and_the_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(RuleConfigError) as caught:
        parse(text, "rules.yaml")
    assert caught.value.source == "rules.yaml"
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"rules.yaml:{line}: ")


def test_a_missing_file_is_an_error_too(tmp_path: Path) -> None:
    with pytest.raises(RuleConfigError, match="cannot read"):
        load(tmp_path / "nope.yaml")


AT = datetime(2025, 3, 1, 12, tzinfo=UTC)


@given(
    st.lists(st.integers(min_value=0, max_value=120), max_size=5),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=1, max_value=60),
)
def test_bounce_is_a_readmission_within_the_window_or_with_a_follow_up_open(
    days_ago: list[int], open_follow_ups: int, window: int
) -> None:
    discharges = [Discharge(n, AT - timedelta(days=d, hours=1)) for n, d in enumerate(days_ago)]
    found = bounce(AT, discharges, open_follow_ups, window)
    if not discharges:
        assert found is None
        return
    latest = max(discharges, key=lambda d: d.at)
    within = AT - latest.at <= timedelta(days=window)
    assert (found is not None) == (within or open_follow_ups > 0)
    if found is not None:
        assert found.previous == latest and found.reason
