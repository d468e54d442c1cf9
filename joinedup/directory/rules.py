"""Training and competency rules: when training falls due, when a competency may be used. Pure.

A practitioner's training record holds each course they completed, with the date it
expires (courses that need refreshing have a validity in months). A competency, such
as "trusted assessor: equipment", is granted with evidence and an expiry date; it may
be used for trusted assessment only on a day when it is granted, not yet expired, not
revoked, and the training it depends on (the trusted assessor course) is in date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Course(StrEnum):
    INTEGRATED_WORKING = "integrated_working"
    DEMENTIA_AWARENESS = "dementia_awareness"
    MENTAL_CAPACITY_ACT = "mental_capacity_act"
    SAFEGUARDING_ADULTS = "safeguarding_adults"
    TRUSTED_ASSESSOR = "trusted_assessor"
    MOVING_AND_HANDLING = "moving_and_handling"
    INFORMATION_GOVERNANCE = "information_governance"

    @property
    def label(self) -> str:
        return COURSE_LABELS[self]


COURSE_LABELS = {
    Course.INTEGRATED_WORKING: "Integrated working",
    Course.DEMENTIA_AWARENESS: "Dementia awareness",
    Course.MENTAL_CAPACITY_ACT: "Mental Capacity Act",
    Course.SAFEGUARDING_ADULTS: "Safeguarding adults",
    Course.TRUSTED_ASSESSOR: "Trusted assessor",
    Course.MOVING_AND_HANDLING: "Moving and handling",
    Course.INFORMATION_GOVERNANCE: "Information governance",
}

# Months a completion stays in date (None: once is enough). The usual refresh cycles in
# NHS and council statutory and mandatory training: safeguarding and the Mental Capacity Act
# every 3 years, moving and handling and information governance every year.
COURSE_VALIDITY_MONTHS: dict[Course, int | None] = {
    Course.INTEGRATED_WORKING: None,
    Course.DEMENTIA_AWARENESS: 36,
    Course.MENTAL_CAPACITY_ACT: 36,
    Course.SAFEGUARDING_ADULTS: 36,
    Course.TRUSTED_ASSESSOR: 24,
    Course.MOVING_AND_HANDLING: 12,
    Course.INFORMATION_GOVERNANCE: 12,
}


class CompetencyKind(StrEnum):
    TRUSTED_ASSESSOR_EQUIPMENT = "trusted_assessor_equipment"
    TRUSTED_ASSESSOR_PACKAGE_OF_CARE = "trusted_assessor_package_of_care"
    TRUSTED_ASSESSOR_CARE_HOME = "trusted_assessor_care_home"

    @property
    def label(self) -> str:
        return COMPETENCY_LABELS[self]


COMPETENCY_LABELS = {
    CompetencyKind.TRUSTED_ASSESSOR_EQUIPMENT: "Trusted assessor: equipment",
    CompetencyKind.TRUSTED_ASSESSOR_PACKAGE_OF_CARE: "Trusted assessor: package of care",
    CompetencyKind.TRUSTED_ASSESSOR_CARE_HOME: "Trusted assessor: care home admission",
}
# Every trusted assessor competency rests on the trusted assessor course being in date.
COMPETENCY_NEEDS_COURSE = {kind: Course.TRUSTED_ASSESSOR for kind in CompetencyKind}
# A package of care competency is granted "up to N hours a week".
COMPETENCY_WITH_HOURS = frozenset({CompetencyKind.TRUSTED_ASSESSOR_PACKAGE_OF_CARE})
MAX_COMPETENCY_YEARS = 5


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def training_expiry(course: Course, completed_on: date) -> date | None:
    months = COURSE_VALIDITY_MONTHS[course]
    return None if months is None else add_months(completed_on, months)


class TrainingStatus(StrEnum):
    IN_DATE = "in_date"
    DUE = "due"  # in date, but expires within the warning period: book the refresher
    EXPIRED = "expired"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {"in_date": "In date", "due": "Due", "expired": "Expired", "missing": "Not done"}[self.value]


@dataclass(frozen=True)
class Completion:
    course: Course
    completed_on: date
    expires_on: date | None


def latest(completions: Iterable[Completion], course: Course) -> Completion | None:
    """The completion of a course that lasts longest (a refresher replaces the one before)."""
    of_course = [c for c in completions if c.course == course]
    if not of_course:
        return None
    return max(of_course, key=lambda c: (c.expires_on or date.max, c.completed_on))


def training_status(completions: Iterable[Completion], course: Course, today: date, due_days: int) -> TrainingStatus:
    done = latest(completions, course)
    if done is None or done.completed_on > today:
        return TrainingStatus.MISSING
    if done.expires_on is None:
        return TrainingStatus.IN_DATE
    if done.expires_on <= today:
        return TrainingStatus.EXPIRED
    if (done.expires_on - today).days <= due_days:
        return TrainingStatus.DUE
    return TrainingStatus.IN_DATE


@dataclass(frozen=True)
class CompetencyFacts:
    kind: CompetencyKind
    granted_on: date
    expires_on: date
    revoked_on: date | None = None
    hours_limit: float | None = None


@dataclass(frozen=True)
class Usable:
    ok: bool
    reason: str


def competency_usable(competency: CompetencyFacts, completions: Sequence[Completion], on: date) -> Usable:
    """Whether the competency can be relied on for an assessment made on day `on`, and why not."""
    label = competency.kind.label
    if on < competency.granted_on:
        return Usable(False, f"{label} was granted only on {competency.granted_on:%d %B %Y}")
    if competency.revoked_on is not None and competency.revoked_on <= on:
        return Usable(False, f"{label} was withdrawn on {competency.revoked_on:%d %B %Y}")
    if competency.expires_on <= on:
        return Usable(False, f"{label} expired on {competency.expires_on:%d %B %Y}")
    course = COMPETENCY_NEEDS_COURSE.get(competency.kind)
    if course is not None:
        done = latest([c for c in completions if c.completed_on <= on], course)
        if done is None:
            return Usable(False, f"{label} needs the {course.label.lower()} course, which is not recorded")
        if done.expires_on is not None and done.expires_on <= on:
            return Usable(
                False, f"{label} needs the {course.label.lower()} course, expired on {done.expires_on:%d %B %Y}"
            )
    return Usable(True, f"{label}, in date until {competency.expires_on:%d %B %Y}")


class CompetencyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_grant(
    kind: CompetencyKind, granted_on: date, expires_on: date, hours_limit: float | None, evidence: str
) -> None:
    """A grant must carry evidence, end after it starts (within 5 years), and state hours where they apply."""
    if not evidence.strip():
        raise CompetencyError("evidence", "Describe the evidence of competence (course, observed practice, sign-off)")
    if expires_on <= granted_on:
        raise CompetencyError("expires_on", "The expiry date must be after the date it was granted")
    if expires_on > add_months(granted_on, 12 * MAX_COMPETENCY_YEARS):
        raise CompetencyError("expires_on", f"A competency lasts at most {MAX_COMPETENCY_YEARS} years: review it then")
    if kind in COMPETENCY_WITH_HOURS:
        if hours_limit is None or not 0 < hours_limit <= 168:
            raise CompetencyError("hours_limit", "Give the most hours of care a week this assessor may set (1 to 168)")
    elif hours_limit is not None:
        raise CompetencyError("hours_limit", "Only a package of care competency has an hours limit")
