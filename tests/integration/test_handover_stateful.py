"""Invariants 1-4 of the brief under random sequences of referral actions, clock moves and disputes.

A Hypothesis state machine drives the real services against the database (each run rolled
back) and checks after every step: every active client has one accountable team and someone
who answers; every sent referral has an owner and a deadline, and a transfer's sending team
stays accountable until it is accepted (unless the MDT's default owner took the client over);
every referral overdue at a tick has been escalated; every escalation is a task with an owner.
"""

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from joinedup.clients.models import Client
from joinedup.clients.queries import accountability_violations
from joinedup.core.errors import NotFound, Refused
from joinedup.handover import disputes, services
from joinedup.handover.models import OPEN_STATES, Dispute, Escalation, Referral
from joinedup.handover.tick import tick
from tests.factories import borough, client_in
from tests.handover_factories import complete_information, mental_health_team

LONDON = ZoneInfo("Europe/London")
EXPECTED = (ValidationError, Refused, NotFound)


class Handover(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.now = datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)  # a Friday afternoon
        with self.clock():
            self.b = borough()
            self.mh = mental_health_team(self.b)
            self.clients = [client_in(self.b), client_in(self.b, lead=False)]
        self.ticked_at: datetime | None = None

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def clock(self):
        return time_machine.travel(self.now, tick=False)

    def actor_for(self, team):
        members = {p.pk: name for name, p in self.b.people.items()}
        member = team.memberships.filter(practitioner__is_active=True).values_list("practitioner_id", flat=True).first()
        return self.b.actor(members[member])

    def open_referrals(self):
        return list(Referral.objects.filter(state__in=OPEN_STATES).order_by("id"))

    @rule(
        index=st.integers(0, 1),
        kind=st.sampled_from(["transfer_of_care", "request_for_service"]),
        urgency=st.sampled_from(["emergency", "urgent", "routine"]),
        to_social_work=st.booleans(),
    )
    def send(self, index, kind, urgency, to_social_work):
        client = Client.objects.get(pk=self.clients[index].pk)
        sender_team = client.accountable_team
        receiving = self.b.social_work if to_social_work else self.mh
        with self.clock():
            try:
                actor = self.actor_for(sender_team)
                referral = services.create_referral(
                    actor, services.NewReferral(client.pk, receiving.pk, kind, urgency, complete_information())
                )
                services.send_referral(actor, referral.pk)
            except EXPECTED:
                pass

    def _receiver_acts(self, pick, act):
        referrals = self.open_referrals()
        if not referrals:
            return
        referral = referrals[pick % len(referrals)]
        with self.clock(), contextlib.suppress(*EXPECTED):
            act(self.actor_for(referral.receiving_team), referral)

    @rule(pick=st.integers(0, 10))
    def accept(self, pick):
        self._receiver_acts(pick, lambda actor, r: services.accept_referral(actor, r.pk))

    @rule(pick=st.integers(0, 10))
    def decline(self, pick):
        self._receiver_acts(
            pick,
            lambda actor, r: services.decline_referral(
                actor, r.pk, "Not the right service", "The community therapy team"
            ),
        )

    @rule(pick=st.integers(0, 10))
    def ask_for_information(self, pick):
        self._receiver_acts(pick, lambda actor, r: services.request_information(actor, r.pk, "Any recent falls?"))

    @rule(pick=st.integers(0, 10))
    def stop_the_clock(self, pick):
        self._receiver_acts(pick, lambda actor, r: services.stop_clock(actor, r.pk, "Client in respite this week"))

    @rule(pick=st.integers(0, 10))
    def sender_replies_or_withdraws(self, pick):
        referrals = self.open_referrals()
        if not referrals:
            return
        referral = referrals[pick % len(referrals)]
        with self.clock():
            try:
                actor = self.actor_for(referral.sending_team)
                if referral.state == "information_requested":
                    services.provide_information(actor, referral.pk, "Two falls in October")
                else:
                    services.withdraw_referral(actor, referral.pk, "No longer needed")
            except EXPECTED:
                pass

    @rule(hours=st.sampled_from([1, 3, 8, 26, 75]))
    def time_passes(self, hours):
        self.now += timedelta(hours=hours)

    @rule()
    def run_tick(self):
        with self.clock():
            tick(self.now)
        self.ticked_at = self.now

    @precondition(lambda self: Dispute.objects.filter(state="open").exists())
    @rule()
    def mdt_decides(self):
        dispute = Dispute.objects.filter(state="open").first()
        with self.clock():
            disputes.decide_dispute(
                self.b.actor("coordinator.north"), dispute.pk, self.mh.pk, None, "Mental health needs lead"
            )

    @invariant()
    def one_accountable_team_and_someone_who_answers(self):
        assert accountability_violations() == []

    @invariant()
    def sent_referrals_have_an_owner_and_a_deadline(self):
        for referral in Referral.objects.filter(state__in=OPEN_STATES).select_related("client"):
            assert referral.deadline_at is not None and referral.sent_at is not None
            assert referral.sending_team_id and referral.referrer_id
            moved_by_dispute = Dispute.objects.filter(
                Q(opened_at__gte=referral.sent_at) | Q(decided_at__gte=referral.sent_at), client=referral.client
            ).exists()
            if referral.kind == "transfer_of_care" and not moved_by_dispute:
                others = Referral.objects.filter(
                    client=referral.client, state="accepted", kind="transfer_of_care", decided_at__gte=referral.sent_at
                )
                if not others.exists():
                    assert referral.client.accountable_team_id == referral.sending_team_id

    @invariant()
    def every_deadline_passed_at_a_tick_has_escalated(self):
        if self.ticked_at is None:
            return
        for referral in Referral.objects.filter(state__in=OPEN_STATES, deadline_at__lte=self.ticked_at):
            stopped = bool(referral.clock_stops) and not referral.clock_stops[-1].get("resumed_at")
            if not stopped:
                assert 1 in referral.escalated_levels, f"referral {referral.pk} overdue without escalation"
        for escalation in Escalation.objects.select_related("task"):
            assert escalation.task.owner_practitioner_id or escalation.task.owner_team_id


def test_handover_invariants_hold_under_random_sequences(db):
    run_state_machine_as_test(
        Handover,
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
