"""Properties of the crisis pathway through the database (invariants 1 and 3 of the brief, issue 5):
whatever the instant (clock changes and bank holidays included), the situation, the rota (gaps
included) and the governance model, a crisis raised is owned at once by a team and a person, a
gap is an alert, its clock is set, and every client, new ones included, has someone accountable."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.clients.queries import accountability_violations
from joinedup.crisis.models import RotaAlert, RotaShift
from joinedup.crisis.raising import Person
from joinedup.crisis.rules import Situation
from tests.crisis_factories import crisis_setup, on_call, raised
from tests.factories import borough, client_in

_EDGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # clocks go forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # clocks go back
    datetime(2026, 8, 31, 9, tzinfo=UTC),  # summer bank holiday Monday
    datetime(2026, 11, 20, 17, tzinfo=UTC),  # Friday 17:00
    datetime(2026, 11, 20, 20, tzinfo=UTC),  # 20:00
]
instants = st.one_of(
    st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(lambda edge, minutes: edge + timedelta(minutes=minutes), st.sampled_from(_EDGES), st.integers(-90, 90)),
)
# Shifts as (start, length) in hours from the moment: maybe none, maybe gaps.
patterns = st.lists(st.tuples(st.integers(-30, 10), st.integers(1, 36), st.sampled_from([1, 2])), max_size=4)


class CrisisOwnedAtOnce(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        moment=instants,
        situation=st.sampled_from(list(Situation)),
        pattern=patterns,
        someone_new=st.booleans(),
        model=st.sampled_from(["lead_agency", "pooled"]),
    )
    def test_a_crisis_is_owned_at_once_by_someone_and_never_silently(
        self, moment, situation, pattern, someone_new, model
    ):
        b = borough()
        setup = crisis_setup(b, shifts=False)
        people = [b.people["rr.oncall"], b.people["rr.second"], b.people["edt.sw"]]
        for number, (start, hours, position) in enumerate(pattern):
            for rota in (setup.on_call_health, setup.on_call_social):
                begins = moment + timedelta(hours=start)
                on_call(rota, people[number % 3], begins, begins + timedelta(hours=hours), position)
        with override_settings(JOINEDUP_GOVERNANCE_MODEL=model), time_machine.travel(moment, tick=False):
            client = None if someone_new else client_in(b)
            person = Person(given_name="Reg", family_name="New", date_of_birth=date(1938, 3, 15), gp_practice="F84001")
            crisis = raised(b, client=client, person=person if someone_new else None, situation=situation).crisis
        assert crisis.owner_team_id is not None and crisis.owner_id is not None
        assert crisis.response_due_at - crisis.raised_at == timedelta(hours=2)
        if crisis.basis == "on_call":
            assert RotaShift.objects.filter(
                rota=crisis.rota, practitioner=crisis.owner, position=1, starts_at__lte=moment, ends_at__gt=moment
            ).exists()
        assert RotaAlert.objects.filter(crisis=crisis).exists() == bool(crisis.route_gap)
        assert accountability_violations() == []
