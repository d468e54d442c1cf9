"""What is done in a crisis and how it ends: bridging packages, the "before admitting" checklist,
the outcome and its follow-ups. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from joinedup.core.working_time import LONDON, OFFICE_HOURS, WorkingHours, add_working_days
from joinedup.handover.rules import GovernanceModel, OwnerRole, age_on, default_owner


class ActionKind(StrEnum):
    RAPID_RESPONSE_VISIT = "rapid_response_visit"
    BRIDGING_PACKAGE = "bridging_package"
    EMERGENCY_MEDICATION = "emergency_medication"
    EQUIPMENT = "equipment"
    CARER_RELIEF = "carer_relief"

    @property
    def label(self) -> str:
        return {
            ActionKind.RAPID_RESPONSE_VISIT: "Rapid response visit",
            ActionKind.BRIDGING_PACKAGE: "Bridging package of care",
            ActionKind.EMERGENCY_MEDICATION: "Emergency medication",
            ActionKind.EQUIPMENT: "Equipment",
            ActionKind.CARER_RELIEF: "Carer relief",
        }[self]


class ActionStatus(StrEnum):
    REQUESTED = "requested"
    ARRANGED = "arranged"
    DONE = "done"  # delivered, or the package is in place
    CANCELLED = "cancelled"


# Which status may follow which: an action never goes back, and closed actions stay closed.
ACTION_MOVES = {
    ActionStatus.REQUESTED: frozenset({ActionStatus.ARRANGED, ActionStatus.DONE, ActionStatus.CANCELLED}),
    ActionStatus.ARRANGED: frozenset({ActionStatus.DONE, ActionStatus.CANCELLED}),
    ActionStatus.DONE: frozenset(),
    ActionStatus.CANCELLED: frozenset(),
}


def may_move(current: ActionStatus | str, new: ActionStatus | str) -> bool:
    return ActionStatus(new) in ACTION_MOVES[ActionStatus(current)]


class MedicationRoute(StrEnum):
    GP = "gp"
    OUT_OF_HOURS_PHARMACY = "out_of_hours_pharmacy"

    @property
    def label(self) -> str:
        return "The GP" if self is MedicationRoute.GP else "An out-of-hours pharmacy"


# --- bridging packages ------------------------------------------------------------------------

BRIDGING_DEFAULT_HOURS = 72
BRIDGING_MAX_HOURS = 14 * 24
MAX_COST = Decimal("100000.00")


class FundingSource(StrEnum):
    NHS_COMMUNITY_PROVIDER = "nhs_community_provider"
    COUNCIL_ADULT_SOCIAL_CARE = "council_adult_social_care"
    COUNCIL_CHILDRENS_SERVICES = "council_childrens_services"
    POOLED_BUDGET = "pooled_budget"

    @property
    def label(self) -> str:
        return {
            FundingSource.NHS_COMMUNITY_PROVIDER: "NHS community provider (lead agency)",
            FundingSource.COUNCIL_ADULT_SOCIAL_CARE: "Council adult social care (lead agency)",
            FundingSource.COUNCIL_CHILDRENS_SERVICES: "Council children's services (lead agency)",
            FundingSource.POOLED_BUDGET: "The locality's pooled budget",
        }[self]


_FUNDING_OF_OWNER = {
    OwnerRole.NHS_COMMUNITY_PROVIDER: FundingSource.NHS_COMMUNITY_PROVIDER,
    OwnerRole.COUNCIL_ADULT_SOCIAL_CARE: FundingSource.COUNCIL_ADULT_SOCIAL_CARE,
    OwnerRole.COUNCIL_CHILDRENS_SERVICES: FundingSource.COUNCIL_CHILDRENS_SERVICES,
    OwnerRole.LOCALITY_MDT: FundingSource.POOLED_BUDGET,
}


def funding_source(model: GovernanceModel | str, date_of_birth: date, on: date) -> FundingSource:
    """Who pays for a bridging package: the budget of the governance model's lead for the client.

    The same rule that decides who holds a client nobody has yet agreed on: under a lead-agency
    model the lead agency of the client's group (adults: the NHS community provider; children:
    council children's services) pays; under pooled budgets, the locality's pool.
    """
    return _FUNDING_OF_OWNER[default_owner(model, age_on(date_of_birth, on))]


def bridging_ends(starts_at: datetime, hours: int = BRIDGING_DEFAULT_HOURS) -> datetime:
    if not 1 <= hours <= BRIDGING_MAX_HOURS:
        raise ValueError(f"A bridging package lasts from 1 to {BRIDGING_MAX_HOURS} hours")
    return starts_at + timedelta(hours=hours)


def parse_cost(text: Any) -> Decimal:
    """A cost in pounds: 0 or more, at most two decimal places, below £100,000."""
    raw = str(text).strip().removeprefix("£").replace(",", "") if text is not None else ""
    try:
        cost = Decimal(raw)
    except InvalidOperation as error:
        raise ValueError("Enter the cost in pounds, for example 432.50") from error
    if not cost.is_finite() or cost < 0:
        raise ValueError("The cost must be 0 or more")
    if cost != cost.quantize(Decimal("0.01")):
        raise ValueError("Give the cost in pounds and pence (at most two decimal places)")
    if cost >= MAX_COST:
        raise ValueError("The cost must be below £100,000")
    return cost.quantize(Decimal("0.01"))


# --- before admitting ---------------------------------------------------------------------------


class Alternative(StrEnum):
    RAPID_RESPONSE_VISIT = "rapid_response_visit"
    BRIDGING_PACKAGE = "bridging_package"
    EQUIPMENT = "equipment"
    CARER_SUPPORT = "carer_support"
    VIRTUAL_WARD = "virtual_ward"

    @property
    def label(self) -> str:
        return {
            Alternative.RAPID_RESPONSE_VISIT: "Rapid response visit",
            Alternative.BRIDGING_PACKAGE: "Bridging package of care",
            Alternative.EQUIPMENT: "Equipment",
            Alternative.CARER_SUPPORT: "Carer support",
            Alternative.VIRTUAL_WARD: "Virtual ward",
        }[self]


class AlternativeAnswer(StrEnum):
    TRIED = "tried"  # tried, and it was not enough
    NOT_SUITABLE = "not_suitable"
    NOT_AVAILABLE = "not_available"

    @property
    def label(self) -> str:
        return {
            AlternativeAnswer.TRIED: "Tried, not enough",
            AlternativeAnswer.NOT_SUITABLE: "Not suitable",
            AlternativeAnswer.NOT_AVAILABLE: "Not available in time",
        }[self]


REASON_MIN = 10


def check_admission_checklist(answers: Mapping[str, Any], reason: str) -> dict[str, str]:
    """Problems with the checklist, by field: every alternative answered, and why none would do."""
    problems: dict[str, str] = {}
    unknown = sorted(set(answers) - set(Alternative))
    for key in unknown:
        problems[key] = "This is not an alternative of the checklist"
    for alternative in Alternative:
        value = answers.get(alternative.value)
        if value not in set(AlternativeAnswer):
            problems[alternative.value] = f"{alternative.label}: say if it was tried, not suitable or not available"
    if len(reason.strip()) < REASON_MIN:
        problems["reason"] = "Say why none of the alternatives would keep the client at home"
    return problems


# --- outcome and follow-ups -------------------------------------------------------------------


class Outcome(StrEnum):
    STAYED_HOME = "stayed_home"
    ADMITTED = "admitted"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Outcome.STAYED_HOME: "Stayed at home",
            Outcome.ADMITTED: "Admitted to hospital",
            Outcome.OTHER: "Other",
        }[self]


class FollowUpOwner(StrEnum):
    ACCOUNTABLE_TEAM = "accountable_team"
    LOCALITY_MDT = "locality_mdt"
    BROKERAGE = "brokerage"


@dataclass(frozen=True)
class FollowUp:
    owner: FollowUpOwner
    title: str
    due_at: datetime
    key: str  # what it is, once per crisis


def follow_ups(
    outcome: Outcome | str,
    resolved_at: datetime,
    *,
    open_dispute: bool,
    details_to_complete: bool,
    bridging_ends_at: list[datetime],
    hours: WorkingHours = OFFICE_HOURS,
) -> list[FollowUp]:
    """The tasks an outcome leaves: whoever is accountable reviews on the next working day; an open
    dispute goes to the MDT; a client met in the crisis needs their details completed; every
    bridging package needs a decision the day before it ends."""
    outcome = Outcome(outcome)
    review = add_working_days(resolved_at, 1, hours)
    what = {
        Outcome.STAYED_HOME: "Review after the crisis: the client stayed at home",
        Outcome.ADMITTED: "Review after the crisis: the client was admitted; plan for discharge",
        Outcome.OTHER: "Review after the crisis",
    }[outcome]
    found = [FollowUp(FollowUpOwner.ACCOUNTABLE_TEAM, what, review, "review")]
    if open_dispute:
        title = "Resolve the open dispute over who is accountable: the client has had a crisis"
        found.append(FollowUp(FollowUpOwner.LOCALITY_MDT, title, review, "dispute"))
    if details_to_complete:
        title = "Complete the client's details (registered in a crisis)"
        found.append(FollowUp(FollowUpOwner.ACCOUNTABLE_TEAM, title, review, "details"))
    if outcome is not Outcome.ADMITTED:
        for number, ends in enumerate(sorted(bridging_ends_at), start=1):
            decide_by = max(ends - timedelta(hours=24), resolved_at)
            local = ends.astimezone(LONDON)
            title = f"Decide what follows the bridging package ending {local.day} {local:%B} at {local:%H:%M}"
            found.append(FollowUp(FollowUpOwner.BROKERAGE, title, decide_by, f"bridging-{number}"))
    return found
