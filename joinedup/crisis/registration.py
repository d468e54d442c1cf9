"""A client first met in a crisis: where they live, and which team holds them (ADR 0021). Pure: no Django."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from joinedup.handover.rules import GovernanceModel, OwnerRole, default_owner

# --- where a new client lives -----------------------------------------------------------------------

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?$")


def postcode_district(postcode: str) -> str | None:
    """The outward code of a UK postcode ('XT1 4AB' -> 'XT1'), or None if it is not one."""
    match = _POSTCODE.match(postcode.strip().upper())
    return match[1] if match else None


def locality_for_district(district: str, localities: Mapping[int, str]) -> int | None:
    """The locality whose comma-separated postcode districts include `district`."""
    for locality_id, districts in sorted(localities.items()):
        if district in {d.strip().upper() for d in districts.split(",") if d.strip()}:
            return locality_id
    return None


@dataclass(frozen=True)
class HolderCandidate:
    """A team that could hold a newly registered client."""

    team_id: int
    name: str
    owner_role: OwnerRole | None  # the kind of organisation that hosts it, in the governance model's words
    in_locality: bool  # of the client's locality (else borough-wide or another locality's)
    borough_wide: bool
    is_mdt: bool
    has_duty_worker: bool


def holder_for_new_client(
    model: GovernanceModel | str,
    age: int,
    candidates: Iterable[HolderCandidate],
    responding_team_id: int | None,
) -> int | None:
    """The team accountable for a client registered in a crisis, or None if no team can answer.

    The governance model's default owner holds them, as it holds a client whose team is in
    dispute: a team of the lead organisation (the one responding to the crisis first, then one
    of the client's locality, then a borough-wide one), or under pooled budgets the locality MDT.
    Failing that, the locality MDT, then the responding team, then any team of the locality or
    the borough, by name: a crisis is never refused for want of a holder while one team can
    answer. Only a team with a duty worker qualifies: nobody is named as lead professional
    yet, so the duty worker answers.
    """
    able = [c for c in candidates if c.has_duty_worker]
    mdt = [c for c in able if c.is_mdt and c.in_locality]
    role = default_owner(model, age)
    if role is OwnerRole.LOCALITY_MDT:
        preferred = mdt
    else:
        lead = [c for c in able if c.owner_role is role and not c.is_mdt and (c.in_locality or c.borough_wide)]
        preferred = sorted(lead, key=lambda c: (c.team_id != responding_team_id, not c.in_locality, c.name))
    responding = [c for c in able if c.team_id == responding_team_id]
    nearby = sorted((c for c in able if c.in_locality or c.borough_wide), key=lambda c: (not c.in_locality, c.name))
    for choice in (*preferred, *mdt, *responding, *nearby):
        return choice.team_id
    return None
