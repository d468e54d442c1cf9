"""Visits: duplicate assessments, same-day visits, and trusted assessment. Pure.

A duplicate is another organisation's assessment of the same kind for the same client,
done or planned within a window (28 days by default) either side of the day proposed.
The practitioner is warned and offered to ask for that assessment to be shared instead.
A trusted assessor's assessment may be accepted by another organisation without a second
assessment, when the assessor's competency covered that kind (and hours) on the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from joinedup.directory.rules import CompetencyKind


class VisitKind(StrEnum):
    ASSESSMENT = "assessment"
    TREATMENT = "treatment"
    REVIEW = "review"
    CARE_CALL = "care_call"

    @property
    def label(self) -> str:
        return "Care call" if self is VisitKind.CARE_CALL else self.value.capitalize()


class AssessmentKind(StrEnum):
    EQUIPMENT = "equipment"
    PACKAGE_OF_CARE = "package_of_care"
    HOME_ENVIRONMENT = "home_environment"
    FALLS = "falls"
    CONTINENCE = "continence"
    NURSING_NEEDS = "nursing_needs"
    MENTAL_HEALTH = "mental_health"
    MEMORY = "memory"
    CARERS = "carers"
    CARE_HOME = "care_home"

    @property
    def label(self) -> str:
        return ASSESSMENT_LABELS[self]


ASSESSMENT_LABELS = {
    AssessmentKind.EQUIPMENT: "Equipment and adaptations",
    AssessmentKind.PACKAGE_OF_CARE: "Care and support needs (package of care)",
    AssessmentKind.HOME_ENVIRONMENT: "Home environment",
    AssessmentKind.FALLS: "Falls risk",
    AssessmentKind.CONTINENCE: "Continence",
    AssessmentKind.NURSING_NEEDS: "Nursing needs",
    AssessmentKind.MENTAL_HEALTH: "Mental health",
    AssessmentKind.MEMORY: "Memory",
    AssessmentKind.CARERS: "Carer's needs",
    AssessmentKind.CARE_HOME: "Care home admission",
}


class VisitStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


# The competency that lets an assessment of this kind be accepted without a second one.
TRUSTED_FOR: dict[AssessmentKind, CompetencyKind] = {
    AssessmentKind.EQUIPMENT: CompetencyKind.TRUSTED_ASSESSOR_EQUIPMENT,
    AssessmentKind.PACKAGE_OF_CARE: CompetencyKind.TRUSTED_ASSESSOR_PACKAGE_OF_CARE,
    AssessmentKind.CARE_HOME: CompetencyKind.TRUSTED_ASSESSOR_CARE_HOME,
}


@dataclass(frozen=True)
class VisitFacts:
    """What the rules need to know of a visit."""

    id: int
    organisation_id: int
    organisation: str
    practitioner: str
    kind: VisitKind
    assessment: AssessmentKind | None
    day: date
    status: VisitStatus
    trusted: bool = False  # done by an in-date trusted assessor


@dataclass(frozen=True)
class Proposed:
    organisation_id: int
    kind: VisitKind
    assessment: AssessmentKind | None
    day: date


@dataclass(frozen=True)
class Duplicate:
    other: VisitFacts
    days_apart: int

    @property
    def warning(self) -> str:
        when = "did" if self.other.status is VisitStatus.DONE else "plans"
        label = self.other.assessment.label.lower() if self.other.assessment else "an"
        trusted = " as a trusted assessor" if self.other.trusted else ""
        return (
            f"{self.other.organisation} {when} a {label} assessment on {self.other.day:%d %B %Y}"
            f" ({self.other.practitioner}{trusted})"
        )

    @property
    def suggestion(self) -> str:
        if self.other.status is VisitStatus.DONE:
            return f"Ask {self.other.practitioner} to share that assessment instead of assessing again"
        return f"Ask {self.other.practitioner} to share their assessment when it is done, or assess together"


def duplicates(proposed: Proposed, others: Iterable[VisitFacts], window_days: int) -> list[Duplicate]:
    """Other organisations' assessments of the same kind, done or planned, within the window; nearest first."""
    if proposed.kind is not VisitKind.ASSESSMENT or proposed.assessment is None or window_days <= 0:
        return []
    found = [
        Duplicate(other, abs((other.day - proposed.day).days))
        for other in others
        if other.kind is VisitKind.ASSESSMENT
        and other.assessment is proposed.assessment
        and other.organisation_id != proposed.organisation_id
        and other.status is not VisitStatus.CANCELLED
        and abs((other.day - proposed.day).days) <= window_days
    ]
    return sorted(found, key=lambda d: (d.days_apart, d.other.id))


def window_around(day: date, window_days: int) -> tuple[date, date]:
    return day - timedelta(days=window_days), day + timedelta(days=window_days)


def same_day_groups(visits: Sequence[tuple[date, int]]) -> dict[date, list[int]]:
    """Days with more than one planned visit (by visit id): these could be combined."""
    days: dict[date, list[int]] = defaultdict(list)
    for day, visit_id in visits:
        days[day].append(visit_id)
    return {day: ids for day, ids in sorted(days.items()) if len(ids) > 1}


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


class VisitError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_visit(kind: str, assessment: str, starts_at: datetime, duration_minutes: int, now: datetime) -> None:
    if kind not in {k.value for k in VisitKind}:
        raise VisitError("kind", "Choose the kind of visit")
    if kind == VisitKind.ASSESSMENT and assessment not in {a.value for a in AssessmentKind}:
        raise VisitError("assessment", "Choose what the assessment is of")
    if kind != VisitKind.ASSESSMENT and assessment:
        raise VisitError("assessment", "Only an assessment has a kind of assessment")
    if not 5 <= duration_minutes <= 8 * 60:
        raise VisitError("duration_minutes", "A visit lasts from 5 minutes to 8 hours")
    if starts_at.tzinfo is None:
        raise VisitError("starts_at", "The time of the visit needs a time zone")
    if starts_at < now - timedelta(days=365) or starts_at > now + timedelta(days=366):
        raise VisitError("starts_at", "Book a visit within a year of today")


def check_acceptance(
    assessment: AssessmentKind | None, status: VisitStatus, assessor_org: int, accepting_org: int
) -> CompetencyKind:
    """What must hold before another organisation accepts an assessment without its own; the competency it needs."""
    if assessment is None or assessment not in TRUSTED_FOR:
        raise VisitError("visit", "Only equipment, package of care and care home assessments can be trusted")
    if status is not VisitStatus.DONE:
        raise VisitError("visit", "Only an assessment that has been done can be accepted")
    if assessor_org == accepting_org:
        raise VisitError("visit", "A trusted assessment is accepted by another organisation than the assessor's")
    return TRUSTED_FOR[assessment]
