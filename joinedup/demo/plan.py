"""What the population needs to know of the built borough: ids of teams, people and places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from joinedup.core.working_time import LONDON
from joinedup.demo import names
from joinedup.demo.borough import LOCALITIES, TEAMS, BuiltBorough


@dataclass(frozen=True)
class TeamPlan:
    key: str
    id: int
    name: str
    service: str
    organisation_id: int
    duty_id: int
    leads: tuple[int, ...]  # members who take clients as lead professional


@dataclass(frozen=True)
class LocalityPlan:
    id: int
    districts: tuple[str, ...]
    streets: tuple[str, ...]
    practice_ids: tuple[int, ...]
    teams: dict[str, TeamPlan]  # by suffix: therapy, district_nursing, cmht, social_work, mdt


@dataclass(frozen=True)
class Plan:
    localities: tuple[LocalityPlan, ...]
    teams: dict[str, TeamPlan]  # borough-wide teams by key
    display_names: dict[int, str]
    usernames: dict[int, str]
    anchor: datetime  # midnight at the start of the as-of day: everything happens before it

    def team(self, key: str, locality: LocalityPlan) -> TeamPlan:
        """The locality's team of that kind, or the borough-wide team of that key."""
        return locality.teams.get(key) or self.teams[key]


def _team_plan(built: BuiltBorough, key: str) -> TeamPlan:
    team = built.teams[key]
    spec = next(spec for spec in TEAMS if spec.key == key)
    manager = built.people[spec.manager].pk
    leads = tuple(built.people[u].pk for u in built.members[key] if u != spec.manager)
    duty = team.duty_worker_id or manager
    return TeamPlan(key, team.pk, team.name, team.service, team.organisation_id, duty, leads or (manager,))


def plan_from(built: BuiltBorough, as_of: date) -> Plan:
    localities = []
    share = len(names.STREETS) // len(LOCALITIES)
    for number, spec in enumerate(LOCALITIES):
        prefix = spec.code + ":"
        teams = {key[len(prefix) :]: _team_plan(built, key) for key in built.teams if key.startswith(prefix)}
        practices = tuple(built.organisations[ods].pk for ods, _ in spec.practices)
        streets = names.STREETS[number * share : (number + 1) * share]
        localities.append(LocalityPlan(built.localities[spec.code].pk, spec.districts, streets, practices, teams))
    people = built.people.values()
    return Plan(
        localities=tuple(localities),
        teams={key: _team_plan(built, key) for key in built.teams if ":" not in key},
        display_names={p.pk: p.display_name for p in people},
        usernames={p.pk: p.username for p in people},
        anchor=datetime.combine(as_of, time(0, 0), tzinfo=LONDON),
    )
