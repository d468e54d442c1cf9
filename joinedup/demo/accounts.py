"""Who the demo accounts are, for `joinedup demo-accounts`. Directory data, no client records."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from joinedup.demo.borough import DEMO_USERNAMES as BOROUGH_USERNAMES
from joinedup.demo.crisis_staff import CRISIS_USERNAMES
from joinedup.directory.models import Practitioner

DEMO_USERNAMES = BOROUGH_USERNAMES + CRISIS_USERNAMES  # the crisis pathway's on-call staff come last

# Whom to sign in as to see what, in the order the summary shows them.
HIGHLIGHTS = (
    ("olivia.ot", "a caseload, client records and tasks (Northgate Community Therapy)"),
    ("sam.ot", "refusal: an OT in Southmere cannot open Olivia's Northgate clients"),
    ("mia.mdt", "the locality MDT: every client of Northgate, worklists"),
    ("nadia.manager", "a team manager (Northgate therapy and district nursing)"),
    ("owen.oncall", "on call for the Rapid Response team"),
    ("val.support", "a voluntary-sector support worker: only clients she has tasks for"),
    ("carol.commissioner", "a commissioner: reports, never client records"),
    ("adam.admin", "a system administrator: the directory in /admin/, never client records"),
    ("irene.ig", "information governance: access alerts from the audit log (emergency access, unusual viewing)"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    profession: str
    organisation: str
    teams: list[str]
    locality: str | None
    roles: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _locality(person: Practitioner) -> str | None:
    """Their locality: of their locality teams if one, else of their GP practice, else None."""
    team_localities = {m.team.locality.name for m in person.memberships.all() if m.team.locality is not None}
    if len(team_localities) == 1:
        return team_localities.pop()
    organisation = person.organisation
    if organisation is not None and organisation.locality is not None:
        return organisation.locality.name
    return None


def demo_accounts() -> list[DemoAccount]:
    people = (
        Practitioner.objects.filter(username__in=DEMO_USERNAMES)
        .select_related("organisation__locality")
        .prefetch_related("groups", "memberships__team__locality")
    )
    order = {username: number for number, username in enumerate(DEMO_USERNAMES)}
    accounts = [
        DemoAccount(
            username=p.username,
            name=p.display_name,
            profession=p.get_profession_display(),
            organisation=p.organisation.name if p.organisation else "",
            teams=sorted(m.team.name for m in p.memberships.all()),
            locality=_locality(p),
            roles=sorted(g.name for g in p.groups.all()),
        )
        for p in people
    ]
    return sorted(accounts, key=lambda account: order[account.username])
