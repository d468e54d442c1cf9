"""Invariant 1 of the brief, as a property of random sequences of real changes.

A known, active client always has exactly one accountable team and a lead
professional in it (or the team's duty worker while none is named), whatever
sequence of accountability changes, duty-worker changes, members joining and
leaving happens; refused changes change nothing.
"""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.clients.models import Accountability, Client
from joinedup.clients.queries import accountability_violations
from joinedup.clients.services import change_accountability
from joinedup.core.errors import NotFound, Refused
from joinedup.directory.models import Practitioner, Team
from joinedup.directory.services import add_member, remove_member, set_duty_worker
from tests.factories import borough, client_in

TEAM_NAMES = ["therapy_north", "social_work", "mdt_north"]
PEOPLE = ["ot.north", "coordinator.north", "sw.council"]

operations = st.one_of(
    st.tuples(
        st.just("change"),
        st.integers(0, 2),
        st.sampled_from(TEAM_NAMES),
        st.one_of(st.none(), st.sampled_from(PEOPLE)),
        st.sampled_from(PEOPLE),
    ),
    st.tuples(st.just("duty"), st.sampled_from(TEAM_NAMES), st.one_of(st.none(), st.sampled_from(PEOPLE))),
    st.tuples(st.just("leave"), st.sampled_from(TEAM_NAMES), st.sampled_from(PEOPLE)),
    st.tuples(st.just("join"), st.sampled_from(TEAM_NAMES), st.sampled_from(PEOPLE)),
)


class AccountabilityInvariant(TestCase):
    def snapshot(self):
        return sorted(
            Accountability.objects.values_list("client_id", "team_id", "lead_professional_id", "until"), key=str
        )

    def apply(self, b, clients, op):
        kind = op[0]
        if kind == "change":
            _, index, team_name, lead, actor = op
            team = getattr(b, team_name)
            lead_id = b.people[lead].pk if lead else None
            change_accountability(b.actor(actor), clients[index].pk, team.pk, lead_id, "property test")
        elif kind == "duty":
            _, team_name, person = op
            set_duty_worker(b.actor("admin"), getattr(b, team_name), b.people[person] if person else None)
        elif kind == "leave":
            _, team_name, person = op
            remove_member(b.actor("admin"), getattr(b, team_name), b.people[person])
        else:
            _, team_name, person = op
            add_member(b.actor("admin"), getattr(b, team_name), b.people[person])

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operations, min_size=1, max_size=15))
    def test_every_active_client_always_has_one_accountable_team_and_someone_who_answers(self, ops):
        b = borough()
        clients = [client_in(b), client_in(b, lead=False), client_in(b, locality="south")]
        for op in ops:
            before = self.snapshot()
            try:
                self.apply(b, clients, op)
            except (ValidationError, Refused, NotFound):
                assert self.snapshot() == before, f"a refused {op[0]} changed accountability"
            assert accountability_violations() == [], op
            for client in Client.objects.all():
                assert Accountability.objects.filter(client=client, until__isnull=True).count() == 1
        assert Team.objects.count() == 5
        assert Practitioner.objects.count() == 7
