"""Care plans, goals and care team members that another system sent: what they say, as they say it. Pure.

They are shown beside JoinedUp's own, read-only and marked with where they came from (ADR 0046).
Nothing is added to them: an imported plan has no coordinator, review date or scaled goals unless
the sender gave them, and an imported member gives nobody access to the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Codes as the sender wrote them (the common international sets), in words.
PLAN_STATUS = {
    "draft": "Draft",
    "active": "Active",
    "on-hold": "On hold",
    "revoked": "Revoked",
    "completed": "Completed",
    "entered-in-error": "Entered in error",
    "unknown": "Status not known",
}
PLAN_INTENT = {"proposal": "Proposal", "plan": "Plan", "order": "Order", "option": "Option"}
GOAL_STATUS = {
    "proposed": "Proposed",
    "planned": "Planned",
    "accepted": "Accepted",
    "active": "Active",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "entered-in-error": "Entered in error",
    "rejected": "Rejected",
}
ACHIEVEMENT = {
    "in-progress": "In progress",
    "improving": "Improving",
    "worsening": "Worsening",
    "no-change": "No change",
    "achieved": "Achieved",
    "sustaining": "Sustaining",
    "not-achieved": "Not achieved",
    "no-progress": "No progress",
    "not-attainable": "Not attainable",
}
TEAM_STATUS = {
    "proposed": "Proposed",
    "active": "Active",
    "suspended": "Suspended",
    "inactive": "Inactive",
    "entered-in-error": "Entered in error",
}
# Plans and goals in these states are still being worked on; the others are history.
CURRENT_PLAN = frozenset({"draft", "active", "on-hold", "unknown", ""})
CURRENT_GOAL = frozenset({"proposed", "planned", "accepted", "active", "on-hold", ""})
WITHDRAWN = "entered-in-error"  # the sender says it should never have been: not shown


@dataclass(frozen=True)
class Activity:
    what: str
    status: str = ""
    performers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    measure: str = ""
    detail: str = ""
    due: str = ""


@dataclass(frozen=True)
class PlanFromElsewhere:
    key: str  # the plan's identity at its source, e.g. "CarePlan/98417b9c"
    client_id: int
    source: str  # who sent it, in its own words; "" when it does not say
    source_file: str
    status: str
    intent: str
    title: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()
    period_start: str = ""
    period_end: str = ""
    author: str = ""
    addresses: tuple[str, ...] = ()
    activities: tuple[Activity, ...] = ()
    goal_keys: tuple[str, ...] = ()  # identities of its goals at the source ("Goal/<id>")


@dataclass(frozen=True)
class GoalFromElsewhere:
    key: str
    client_id: int
    source: str
    source_file: str
    description: str
    lifecycle_status: str
    achievement_status: str = ""
    start: str = ""
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class MemberFromElsewhere:
    name: str  # as the sender wrote it (or the name of what it refers to)
    kind: str  # "person", "organisation", "related person", "client", or "" when it does not say
    roles: tuple[str, ...] = ()
    organisation: str = ""  # whom they act for, as written
    ods_code: str = ""  # the ODS code of the member (an organisation) or of whom they act for
    period_start: str = ""
    period_end: str = ""


@dataclass(frozen=True)
class TeamFromElsewhere:
    key: str  # the CareTeam's identity at its source
    client_id: int
    source: str
    source_file: str
    name: str
    status: str
    members: tuple[MemberFromElsewhere, ...] = ()


def when_text(value: str) -> str:
    """A date as the sender wrote it, in words when it is a full date ("21 March 2017"); partial dates
    ("2017", "2017-03") are shown as written rather than made into a day nobody gave."""
    if len(value) >= 10:
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    return value


def period_text(start: str, end: str) -> str:
    if start and end:
        return f"{when_text(start)} to {when_text(end)}"
    if start:
        return f"Since {when_text(start)}"
    return f"Until {when_text(end)}" if end else ""


def label(codes: dict[str, str], code: str) -> str:
    """A code in words; an unknown code as written."""
    return codes.get(code, code)
