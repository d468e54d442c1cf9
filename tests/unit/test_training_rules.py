"""Training and competency rules: when training falls due, when a competency may be used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.directory import rules
from joinedup.directory.rules import CompetencyFacts, CompetencyKind, Completion, Course, TrainingStatus

TODAY = date(2026, 3, 1)
TA = CompetencyFacts(CompetencyKind.TRUSTED_ASSESSOR_EQUIPMENT, date(2025, 1, 1), date(2027, 1, 1))


def done(course: Course, on: date) -> Completion:
    return Completion(course, on, rules.training_expiry(course, on))


def test_expiry_follows_the_course_refresh_cycle_and_month_ends():
    assert rules.training_expiry(Course.SAFEGUARDING_ADULTS, date(2023, 3, 1)) == date(2026, 3, 1)
    assert rules.training_expiry(Course.MOVING_AND_HANDLING, date(2024, 1, 31)) == date(2025, 1, 31)
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.training_expiry(Course.INTEGRATED_WORKING, date(2020, 1, 1)) is None


@pytest.mark.parametrize(
    ("completions", "status"),
    [
        ([], TrainingStatus.MISSING),
        ([done(Course.SAFEGUARDING_ADULTS, date(2023, 3, 1))], TrainingStatus.EXPIRED),  # expired today
        ([done(Course.SAFEGUARDING_ADULTS, date(2023, 4, 15))], TrainingStatus.DUE),  # 45 days left
        ([done(Course.SAFEGUARDING_ADULTS, date(2025, 1, 1))], TrainingStatus.IN_DATE),
        # A refresher replaces the expired one.
        (
            [done(Course.SAFEGUARDING_ADULTS, date(2020, 1, 1)), done(Course.SAFEGUARDING_ADULTS, date(2025, 6, 1))],
            TrainingStatus.IN_DATE,
        ),
    ],
)
def test_training_is_in_date_due_within_the_window_expired_or_missing(completions, status):
    assert rules.training_status(completions, Course.SAFEGUARDING_ADULTS, TODAY, 60) is status


def test_a_competency_is_usable_only_while_granted_in_date_not_withdrawn_and_with_its_course_in_date():
    course = [done(Course.TRUSTED_ASSESSOR, date(2025, 1, 1))]  # in date until 1 January 2027
    assert rules.competency_usable(TA, course, TODAY).ok
    assert not rules.competency_usable(TA, course, date(2024, 12, 31)).ok  # before it was granted
    assert "expired" in rules.competency_usable(TA, course, date(2027, 1, 1)).reason
    withdrawn = CompetencyFacts(TA.kind, TA.granted_on, TA.expires_on, revoked_on=date(2026, 2, 1))
    assert "withdrawn" in rules.competency_usable(withdrawn, course, TODAY).reason
    assert rules.competency_usable(withdrawn, course, date(2026, 1, 31)).ok  # an assessment made before
    assert "not recorded" in rules.competency_usable(TA, [], TODAY).reason
    old_course = [done(Course.TRUSTED_ASSESSOR, date(2023, 1, 1))]  # expired 1 January 2025
    assert "course, expired" in rules.competency_usable(TA, old_course, TODAY).reason


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(1, 2000))
def test_an_expired_competency_is_never_usable(granted, days):
    competency = CompetencyFacts(CompetencyKind.TRUSTED_ASSESSOR_CARE_HOME, granted, granted + timedelta(days=days))
    course = [Completion(Course.TRUSTED_ASSESSOR, granted, None)]
    on_expiry = competency.expires_on
    assert not rules.competency_usable(competency, course, on_expiry).ok
    assert not rules.competency_usable(competency, course, on_expiry + timedelta(days=1)).ok
    assert rules.competency_usable(competency, course, on_expiry - timedelta(days=1)).ok


@pytest.mark.parametrize(
    ("kind", "expires", "hours", "evidence", "field"),
    [
        (CompetencyKind.TRUSTED_ASSESSOR_EQUIPMENT, date(2026, 1, 1), None, "Signed off", "expires_on"),
        (CompetencyKind.TRUSTED_ASSESSOR_EQUIPMENT, date(2032, 1, 2), None, "Signed off", "expires_on"),
        (CompetencyKind.TRUSTED_ASSESSOR_EQUIPMENT, date(2027, 1, 1), None, " ", "evidence"),
        (CompetencyKind.TRUSTED_ASSESSOR_PACKAGE_OF_CARE, date(2027, 1, 1), None, "Signed off", "hours_limit"),
        (CompetencyKind.TRUSTED_ASSESSOR_EQUIPMENT, date(2027, 1, 1), 10.0, "Signed off", "hours_limit"),
    ],
)
def test_a_grant_is_checked_field_by_field(kind, expires, hours, evidence, field):
    with pytest.raises(rules.CompetencyError) as error:
        rules.check_grant(kind, date(2026, 1, 1), expires, hours, evidence)
    assert error.value.field == field
