"""The tables of care plans, visits and MDT meetings. Writes go through careplans.services only."""

from joinedup.careplans.models.elsewhere import ExternalCarePlan, ExternalCareTeamMember, ExternalGoal
from joinedup.careplans.models.meetings import (
    AgendaItem,
    AgendaItemStatus,
    AgendaRequest,
    Attendee,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from joinedup.careplans.models.plans import (
    CarePlan,
    CarePlanVersion,
    CareTeamMember,
    FrailtyRecord,
    Goal,
    GoalScore,
    Intervention,
    PlanStatus,
    Review,
)
from joinedup.careplans.models.visits import TrustedAssessment, Visit

__all__ = [
    "AgendaItem",
    "AgendaItemStatus",
    "AgendaRequest",
    "Attendee",
    "CarePlan",
    "CarePlanVersion",
    "CareTeamMember",
    "ExternalCarePlan",
    "ExternalCareTeamMember",
    "ExternalGoal",
    "FrailtyRecord",
    "Goal",
    "GoalScore",
    "Intervention",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "PlanStatus",
    "Review",
    "TrustedAssessment",
    "Visit",
]
