"""Which team a follow-up rule means for a client: looked up once per batch, never nobody.

- `gp_practice`: the team of the client's registered GP practice (a primary care
  team hosted by the practice); a practice with no team in JoinedUp, or no
  practice known, falls to the locality MDT, which has GPs in it (ADR 0018);
- `locality_mdt`, `accountable_team`;
- `{service: X}`: the locality's team of that service, else the borough-wide one;
- `{team: NAME}`: that team.
Whatever cannot be found falls to the locality MDT, and the task says why; the
integration team is the last resort, so that nothing lands in an unknown queue.
"""

from __future__ import annotations

from collections.abc import Callable

from joinedup.directory.models import Organisation, Service, Team, TeamKind, TeamMembership
from joinedup.hospital import config
from joinedup.hospital.batch_state import ClientFacts
from joinedup.hospital.rules import Owner


class Owners:
    """The directory as a batch needs it: every team and who is in it, read once (two queries)."""

    def __init__(self) -> None:
        self._teams: list[Team] | None = None
        self._members: dict[int, list[int]] = {}
        self._by_id: dict[int, Team] | None = None

    @property
    def teams(self) -> list[Team]:
        if self._teams is None:
            self._teams = list(Team.objects.order_by("id"))
            for team_id, person_id in TeamMembership.objects.values_list("team_id", "practitioner_id"):
                self._members.setdefault(team_id, []).append(person_id)
        return self._teams

    def team(self, team_id: int | None) -> Team | None:
        if self._by_id is None:
            self._by_id = {team.pk: team for team in self.teams}
        return self._by_id.get(team_id) if team_id is not None else None

    def _first(self, test: Callable[[Team], bool]) -> Team | None:
        return next((team for team in self.teams if test(team)), None)

    def locality_mdt(self, locality_id: int) -> Team | None:
        return self._first(lambda t: t.kind == TeamKind.MDT and t.locality_id == locality_id)

    def members(self, team: Team) -> list[int]:
        self.teams  # noqa: B018 (loads the memberships)
        return self._members.get(team.pk, [])

    def _practice_team(self, practice_id: int) -> Team | None:
        return self._first(lambda t: t.organisation_id == practice_id and t.service == Service.PRIMARY_CARE)

    def _service_team(self, service: str, locality_id: int) -> Team | None:
        local = self._first(lambda t: t.service == service and t.locality_id == locality_id)
        return local or self._first(lambda t: t.service == service and t.locality_id is None)

    def resolve(self, owner: Owner, facts: ClientFacts) -> tuple[Team, str]:
        """The team, and a note when it is not the one the rule names (empty when it is)."""
        found: Team | None = None
        missing = ""
        if owner.role == "gp_practice":
            found = self._practice_team(facts.gp_practice_id) if facts.gp_practice_id else None
            if found is None:
                practice = (
                    Organisation.objects.filter(pk=facts.gp_practice_id).first() if facts.gp_practice_id else None
                )
                missing = (
                    f"For {practice.name}: the practice has no team in JoinedUp, so the locality MDT holds this."
                    if practice
                    else "The client's GP practice is not known, so the locality MDT holds this."
                )
        elif owner.role == "accountable_team":
            found = self.team(facts.accountable_team_id)
        elif owner.role == "service":
            found = self._service_team(owner.value, facts.locality_id)
            missing = (
                "" if found else f"No {owner.value.replace('_', ' ')} team was found, so the locality MDT holds this."
            )
        elif owner.role == "team":
            found = self._first(lambda t: t.name == owner.value)
            missing = "" if found else f"No team is called {owner.value!r}, so the locality MDT holds this."
        if found is None:
            found = self.locality_mdt(facts.locality_id) or config.integration_team()
        return found, missing
