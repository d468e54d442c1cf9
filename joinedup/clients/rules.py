"""Accountability rules (invariant 1 of the brief). Pure: no Django.

A known, active client always has exactly one accountable team and a lead
professional in it, or the team's duty worker while none is named.
"""

from __future__ import annotations

from dataclasses import dataclass


class AccountabilityRefused(ValueError):
    """The change would leave a client without someone who answers for them."""


@dataclass(frozen=True)
class TeamFacts:
    team_id: int
    name: str
    member_ids: frozenset[int]
    duty_worker_id: int | None


def answering_professional(team: TeamFacts, lead_id: int | None) -> int | None:
    """Who answers for a client of this team: the lead professional, else the duty worker."""
    return lead_id if lead_id is not None else team.duty_worker_id


def check_accountability(team: TeamFacts, lead_id: int | None) -> None:
    """Refuse an accountability nobody would answer for."""
    if lead_id is not None and lead_id not in team.member_ids:
        raise AccountabilityRefused(f"The lead professional must be a member of {team.name}")
    if lead_id is None and team.duty_worker_id is None:
        raise AccountabilityRefused(
            f"{team.name} has no duty worker: name a lead professional, or give the team a duty worker first"
        )


def check_duty_worker_change(team: TeamFacts, new_duty_worker_id: int | None, clients_without_lead: int) -> None:
    """A team's duty worker may change, but never to nobody while clients depend on them."""
    if new_duty_worker_id is not None and new_duty_worker_id not in team.member_ids:
        raise AccountabilityRefused(f"The duty worker must be a member of {team.name}")
    if new_duty_worker_id is None and clients_without_lead:
        raise AccountabilityRefused(
            f"{team.name} answers for {clients_without_lead} client(s) with no lead professional: "
            "it must keep a duty worker"
        )


def check_member_leaving(team: TeamFacts, leaver_id: int, clients_led: int, clients_without_lead: int) -> None:
    """A member may leave; their clients fall back to the duty worker, who must remain."""
    if leaver_id == team.duty_worker_id:
        raise AccountabilityRefused(f"Name another duty worker for {team.name} before this member leaves")
    if clients_led and team.duty_worker_id is None:
        raise AccountabilityRefused(
            f"This member leads {clients_led} client(s) and {team.name} has no duty worker to take them"
        )
