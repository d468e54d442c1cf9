"""A cached Actor is never stale: whatever changes in the directory, actor_for answers as if built afresh.

The Actor (teams, MDT localities, roles, organisation) is kept per process and found again by
the practitioner's row, whose access_version database triggers change (ADR 0031). Invariant 6
rests on it: a practitioner taken out of a team must lose that team's clients at their next request.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from joinedup.core import access
from joinedup.core.roles import Role
from joinedup.directory.models import Organisation, Practitioner, Team, TeamKind, TeamMembership
from tests.factories import borough

PEOPLE = ("ot.north", "ot.south", "coordinator.north", "sw.council", "volunteer", "commissioner")
TEAMS = ("mdt_north", "mdt_south", "therapy_north", "therapy_south", "social_work")
ROLES = tuple(Role)


def fresh(pk: int) -> Practitioner:
    return Practitioner.objects.get(pk=pk)


class DirectoryChanges(RuleBasedStateMachine):
    """Random changes to memberships, roles, teams and organisations, each followed by requests."""

    def __init__(self) -> None:
        super().__init__()
        # Each example in a savepoint of its own, rolled back: the ids and versions of one example
        # come back in the next, while the process's cache of Actors lives on across them.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.b = borough()
        self.ids = {name: self.b.people[name].pk for name in PEOPLE}
        self.teams = {name: getattr(self.b, name) for name in TEAMS}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @rule(person=st.sampled_from(PEOPLE), team=st.sampled_from(TEAMS))
    def join_team(self, person: str, team: str) -> None:
        TeamMembership.objects.get_or_create(practitioner_id=self.ids[person], team=self.teams[team])

    @rule(person=st.sampled_from(PEOPLE), team=st.sampled_from(TEAMS))
    def leave_team(self, person: str, team: str) -> None:
        TeamMembership.objects.filter(practitioner_id=self.ids[person], team=self.teams[team]).delete()

    @rule(person=st.sampled_from(PEOPLE), team=st.sampled_from(TEAMS))
    def move_membership(self, person: str, team: str) -> None:
        """The same membership row now points at another team (an UPDATE, as the admin may do)."""
        row = TeamMembership.objects.filter(practitioner_id=self.ids[person]).first()
        taken = TeamMembership.objects.filter(practitioner_id=self.ids[person], team=self.teams[team]).exists()
        if row is not None and not taken:
            TeamMembership.objects.filter(pk=row.pk).update(team=self.teams[team])

    @rule(person=st.sampled_from(PEOPLE), role=st.sampled_from(ROLES), give=st.booleans())
    def change_role(self, person: str, role: Role, give: bool) -> None:
        user, group = fresh(self.ids[person]), Group.objects.get(name__in=(role.value, role.value + "-old"))
        (user.groups.add if give else user.groups.remove)(group)

    @rule(team=st.sampled_from(("therapy_north", "therapy_south", "social_work")), to_mdt=st.booleans())
    def change_team_kind(self, team: str, to_mdt: bool) -> None:
        """A service team becomes its locality's MDT (when the MDT stands down), or back."""
        row = Team.objects.get(pk=self.teams[team].pk)
        if to_mdt and row.locality_id is not None:
            Team.objects.filter(kind=TeamKind.MDT, locality_id=row.locality_id).update(kind=TeamKind.SERVICE)
            Team.objects.filter(pk=row.pk).update(kind=TeamKind.MDT)
        elif not to_mdt:
            Team.objects.filter(pk=row.pk).update(kind=TeamKind.SERVICE)

    @rule(team=st.sampled_from(("therapy_north", "therapy_south")), north=st.booleans())
    def move_team(self, team: str, north: bool) -> None:
        row = Team.objects.get(pk=self.teams[team].pk)
        locality = self.b.north if north else self.b.south
        clash = row.kind == TeamKind.MDT and Team.objects.filter(kind=TeamKind.MDT, locality=locality).exists()
        if not clash:
            Team.objects.filter(pk=row.pk).update(locality=locality)

    @rule(org=st.sampled_from(("community", "council", "mental_health")), code=st.sampled_from(("RAA", "RBB", "RCC")))
    def recode_organisation(self, org: str, code: str) -> None:
        organisation = getattr(self.b, org)
        if not Organisation.objects.filter(ods_code=code).exists():
            Organisation.objects.filter(pk=organisation.pk).update(ods_code=code)

    @rule(role=st.sampled_from(ROLES))
    def rename_role(self, role: Role) -> None:
        """A role's group renamed (and so no longer that role), or named back."""
        group = Group.objects.filter(name__in=(role.value, role.value + "-old")).get()
        Group.objects.filter(pk=group.pk).update(
            name=role.value if group.name.endswith("-old") else role.value + "-old"
        )

    @rule(person=st.sampled_from(PEOPLE), org=st.sampled_from(("community", "council", "mental_health")))
    def move_organisation(self, person: str, org: str) -> None:
        Practitioner.objects.filter(pk=self.ids[person]).update(organisation=getattr(self.b, org))

    @invariant()
    def every_request_sees_the_directory_as_it_is(self) -> None:
        for person in PEOPLE:
            for channel in ("page", "api"):
                cached = access.actor_for(fresh(self.ids[person]), channel)  # also fills the cache
                assert cached == access._build_actor(fresh(self.ids[person]), channel), (person, channel)


def test_a_cached_actor_always_matches_the_directory(db):
    run_state_machine_as_test(
        DirectoryChanges,
        settings=settings(
            max_examples=25, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )


def test_leaving_a_team_takes_its_clients_away_at_the_next_request(b):
    from tests.factories import client_in

    client = client_in(b)
    user = fresh(b.people["ot.north"].pk)
    assert access.visible_clients(access.actor_for(user)).filter(pk=client.pk).exists()
    TeamMembership.objects.filter(practitioner=user, team=b.therapy_north).delete()
    next_request = access.actor_for(fresh(user.pk))
    assert b.therapy_north.pk not in next_request.team_ids
    assert not access.visible_clients(next_request).filter(pk=client.pk).exists()


def test_the_cache_is_bounded(b, monkeypatch):
    monkeypatch.setattr(access, "_ACTORS_MAX", 3)
    access._ACTORS.clear()
    for channel in ("page", "api", "cli", "x", "y"):
        access.actor_for(fresh(b.people["ot.north"].pk), channel)
    assert len(access._ACTORS) <= 3
