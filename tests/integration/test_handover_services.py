"""Handover: referrals between teams; invariants 1-4 of the brief at the service level."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from joinedup.clients.models import Client
from joinedup.clients.queries import accountability_violations, client_record
from joinedup.core.access import relationship_to
from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import AuditEvent
from joinedup.handover.disputes import decide_dispute
from joinedup.handover.models import Dispute, Escalation, Referral
from joinedup.handover.queries import inbox, referral_page, sent, worklist_counts
from joinedup.handover.services import (
    NewReferral,
    accept_referral,
    create_referral,
    decline_referral,
    provide_information,
    request_information,
    send_referral,
    stop_clock,
    update_draft,
    withdraw_referral,
)
from joinedup.handover.tick import tick
from joinedup.tasks.models import Notification, Task
from tests.factories import client_in
from tests.handover_factories import complete_information, mental_health_team, sent_referral

LONDON = ZoneInfo("Europe/London")


def test_a_referral_cannot_be_sent_until_every_item_is_answered_or_not_known_with_a_reason(b):
    client = client_in(b)
    team = mental_health_team(b)
    info = complete_information(risk_falls="", mental_capacity={"text": "", "not_known": True, "not_known_reason": ""})
    referral = create_referral(b.actor("ot.north"), NewReferral(client.pk, team.pk, "transfer_of_care", "urgent", info))
    with pytest.raises(ValidationError) as error:
        send_referral(b.actor("ot.north"), referral.pk)
    assert set(error.value.message_dict) == {"risk_falls", "mental_capacity"}
    assert Referral.objects.get(pk=referral.pk).state == "draft"
    assert relationship_to(b.actor("mh.duty"), client) is None


def test_until_accepted_the_sender_stays_accountable_and_the_receiver_sees_the_client(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    client.refresh_from_db()
    assert client.accountable_team == b.therapy_north
    assert referral.deadline_at is not None and referral.completeness_at_first_send == pytest.approx(14 / 15)
    assert "receiving team" in relationship_to(b.actor("mh.duty"), client)
    assert [r.pk for r in inbox(b.actor("mh.duty"))] == [referral.pk]
    assert [r.pk for r in sent(b.actor("ot.north"))] == [referral.pk]
    assert Notification.objects.filter(recipient=b.people["mh.manager"], link=f"/referrals/{referral.pk}/").exists()
    assert worklist_counts(b.actor("mh.duty")).inbox == 1
    page = referral_page(b.actor("mh.duty"), referral.pk)
    assert page.record.client == client and page.answers["request"].text


def test_accepting_a_transfer_of_care_moves_accountability_with_its_history(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    accept_referral(b.actor("mh.duty"), referral.pk, lead_id=b.people["mh.duty"].pk)
    client.refresh_from_db()
    assert (client.accountable_team.name, client.lead_professional) == (
        "North Community Mental Health",
        b.people["mh.duty"],
    )
    assert client.accountabilities.filter(until__isnull=True).get().reason.startswith(f"Referral #{referral.pk}")
    assert accountability_violations() == []
    assert Notification.objects.filter(recipient=b.people["ot.north"], message__contains="accepted").exists()


def test_accepting_a_request_for_a_service_keeps_the_sender_accountable(b):
    client = client_in(b)
    referral = sent_referral(b, client, kind="request_for_service")
    accept_referral(b.actor("mh.manager"), referral.pk)
    client.refresh_from_db()
    assert client.accountable_team == b.therapy_north
    assert Referral.objects.get(pk=referral.pk).work_owner == b.people["mh.manager"]


def test_decline_needs_a_reason_and_an_alternative_and_returns_to_the_sender(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    with pytest.raises(ValidationError) as error:
        decline_referral(b.actor("mh.duty"), referral.pk, "Not for us", "")
    assert "alternative" in error.value.message_dict
    assert Referral.objects.get(pk=referral.pk).state == "sent"
    decline_referral(b.actor("mh.duty"), referral.pk, "No secondary care need", "Talking therapies via the GP")
    referral.refresh_from_db()
    assert (referral.state, referral.suggested_alternative) == ("declined", "Talking therapies via the GP")
    assert relationship_to(b.actor("mh.duty"), client) is None
    assert Client.objects.get(pk=client.pk).accountable_team == b.therapy_north
    assert client.timeline.filter(kind="referral_decline").exists()


def test_a_draft_is_not_found_by_the_receiving_team(b):
    client = client_in(b)
    draft = create_referral(
        b.actor("ot.north"),
        NewReferral(client.pk, mental_health_team(b).pk, "transfer_of_care", "urgent", complete_information()),
    )
    with pytest.raises(NotFound):
        accept_referral(b.actor("mh.duty"), draft.pk)


def test_only_the_right_side_acts_and_others_get_not_found(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    with pytest.raises(Refused, match="receiving team"):
        accept_referral(b.actor("ot.north"), referral.pk)
    with pytest.raises(NotFound):
        accept_referral(b.actor("ot.south"), referral.pk)
    with pytest.raises(NotFound):
        referral_page(b.actor("ot.south"), referral.pk)
    assert AuditEvent.objects.filter(object_type="Referral", outcome="refused", actor_username="ot.south").exists()


def test_information_requests_and_withdrawal(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    deadline = referral.deadline_at
    request_information(b.actor("mh.duty"), referral.pk, "Has she seen her GP about her mood?")
    assert Referral.objects.get(pk=referral.pk).deadline_at == deadline  # the clock keeps running
    provide_information(b.actor("ot.north"), referral.pk, "Yes, last week; sertraline started")
    withdraw_referral(b.actor("ot.north"), referral.pk, "She moved out of the area")
    referral.refresh_from_db()
    assert referral.state == "withdrawn"
    assert [t.action for t in referral.transitions.all()] == [
        "send",
        "request_information",
        "provide_information",
        "withdraw",
    ]
    assert relationship_to(b.actor("mh.duty"), client) is None


def test_transfer_of_care_only_from_the_accountable_team(b):
    client = client_in(b)
    team = mental_health_team(b)
    with pytest.raises(ValidationError) as error:
        create_referral(
            b.actor("coordinator.north"),
            NewReferral(client.pk, team.pk, "transfer_of_care", "routine", {}, sending_team_id=b.mdt_north.pk),
        )
    assert "kind" in error.value.message_dict
    referral = create_referral(
        b.actor("coordinator.north"),
        NewReferral(client.pk, team.pk, "request_for_service", "routine", {}, sending_team_id=b.mdt_north.pk),
    )
    assert referral.state == "draft"


@pytest.mark.parametrize(
    ("sent_at", "urgency", "due"),
    [
        (datetime(2026, 11, 20, 16, 55, tzinfo=LONDON), "urgent", datetime(2026, 11, 23, 17, 0, tzinfo=LONDON)),
        (datetime(2026, 8, 28, 16, 55, tzinfo=LONDON), "urgent", datetime(2026, 9, 1, 17, 0, tzinfo=LONDON)),
        (datetime(2026, 11, 20, 16, 55, tzinfo=LONDON), "emergency", datetime(2026, 11, 20, 18, 55, tzinfo=LONDON)),
        (datetime(2026, 11, 20, 16, 55, tzinfo=LONDON), "routine", datetime(2026, 11, 27, 17, 0, tzinfo=LONDON)),
    ],
)
def test_deadlines_in_working_time(b, sent_at, urgency, due):
    client = client_in(b)
    with time_machine.travel(sent_at, tick=False):
        referral = sent_referral(b, client, urgency=urgency)
    assert referral.deadline_at == due


def test_overdue_referrals_escalate_once_per_level_never_silently(b):
    client = client_in(b)
    with time_machine.travel(datetime(2026, 11, 20, 16, 55, tzinfo=LONDON), tick=False):
        referral = sent_referral(b, client, urgency="urgent")
    assert tick(datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)).escalations == 0
    first = tick(datetime(2026, 11, 23, 17, 1, tzinfo=LONDON))
    again = tick(datetime(2026, 11, 23, 17, 2, tzinfo=LONDON))
    assert (first.escalations, again.escalations) == (1, 0)
    task = Task.objects.get(source_ref=f"referral:{referral.pk}:escalation:1")
    assert task.owner_practitioner == b.people["mh.duty"]
    later = tick(datetime(2026, 11, 25, 12, 0, tzinfo=LONDON))
    assert later.escalations == 2  # the manager, then the locality MDT coordinator
    levels = {e.level: e.recipient for e in Escalation.objects.filter(referral=referral)}
    assert levels == {1: b.people["mh.duty"], 2: b.people["mh.manager"], 3: b.people["coordinator.north"]}
    assert tick(datetime(2026, 12, 25, 12, 0, tzinfo=LONDON)).escalations == 0


def test_a_missing_manager_is_reported_and_passed_over(b):
    client = client_in(b)
    team = mental_health_team(b)
    team.manager = None
    team.save()
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LONDON), tick=False):
        sent_referral(b, client, urgency="emergency")
    report = tick(datetime(2026, 11, 20, 14, 0, tzinfo=LONDON))
    assert report.escalations == 3
    assert any("manager" in gap for gap in report.gaps)


def test_a_stopped_clock_does_not_escalate_and_stopping_needs_a_reason(b):
    client = client_in(b)
    referral = sent_referral(b, client, urgency="routine")
    with pytest.raises(ValidationError) as error:
        stop_clock(b.actor("mh.duty"), referral.pk, "")
    assert "reason" in error.value.message_dict
    stop_clock(b.actor("mh.duty"), referral.pk, "Waiting for the client to return from respite")
    assert tick(referral.deadline_at + timedelta(days=30)).escalations == 0


def test_ping_pong_opens_a_dispute_held_by_the_default_owner_until_the_mdt_decides(b):
    client = client_in(b)
    for _ in range(2):
        referral = sent_referral(b, client)
        decline_referral(b.actor("mh.duty"), referral.pk, "Primarily a physical health need", "District nursing")
    dispute = Dispute.objects.get(client=client)
    client.refresh_from_db()
    assert dispute.state == "open" and dispute.locality == b.north
    assert client.accountable_team == dispute.default_owner  # lead agency: the NHS community provider
    assert accountability_violations() == []
    assert Task.objects.filter(owner_team=b.mdt_north, source_ref=f"dispute:{dispute.pk}").exists()
    with pytest.raises(NotFound):
        decide_dispute(b.actor("ot.south"), dispute.pk, b.social_work.pk, None, "Council")
    decide_dispute(
        b.actor("coordinator.north"),
        dispute.pk,
        mental_health_team(b).pk,
        None,
        "Low mood is the main driver; CMHT to lead with OT input",
    )
    client.refresh_from_db()
    assert client.accountable_team.name == "North Community Mental Health"
    assert client_record(b.actor("mh.duty"), client.pk).client == client


def test_a_transfer_from_a_team_that_is_no_longer_accountable_cannot_be_accepted(b):
    client = client_in(b)
    first = sent_referral(b, client)
    second = sent_referral(b, client, to=b.social_work)
    accept_referral(b.actor("mh.duty"), first.pk)
    with pytest.raises(Refused, match="no longer accountable"):
        accept_referral(b.actor("sw.council"), second.pk)
    client.refresh_from_db()
    assert client.accountable_team.name == "North Community Mental Health"
    assert Referral.objects.get(pk=second.pk).state == "sent"


def test_the_sending_team_follows_up_an_accepted_transfer_for_a_while(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    accept_referral(b.actor("mh.duty"), referral.pk)
    client.refresh_from_db()
    assert "sender of referral" in relationship_to(b.actor("ot.north"), client)
    assert referral_page(b.actor("ot.north"), referral.pk).referral.state == "accepted"
    decided = Referral.objects.get(pk=referral.pk).decided_at
    Referral.objects.filter(pk=referral.pk).update(decided_at=decided - timedelta(days=15))
    assert relationship_to(b.actor("ot.north"), Client.objects.get(pk=client.pk)) is None


def test_a_draft_turned_into_a_transfer_outside_the_accountable_team_cannot_be_sent(b):
    client = client_in(b)
    team = mental_health_team(b)
    actor = b.actor("coordinator.north")
    draft = create_referral(
        actor,
        NewReferral(
            client.pk, team.pk, "request_for_service", "routine", complete_information(), sending_team_id=b.mdt_north.pk
        ),
    )
    update_draft(actor, draft.pk, kind="transfer_of_care")
    with pytest.raises(ValidationError) as error:
        send_referral(actor, draft.pk)
    assert "kind" in error.value.message_dict
    assert Referral.objects.get(pk=draft.pk).state == "draft"


def test_an_invalid_team_policy_falls_back_to_the_defaults_and_still_escalates(b):
    from joinedup.handover.models import TeamResponsePolicy

    team = mental_health_team(b)
    TeamResponsePolicy.objects.create(team=team, config={"urgent": "soon"})
    client = client_in(b)
    with time_machine.travel(datetime(2026, 11, 20, 16, 55, tzinfo=LONDON), tick=False):
        referral = sent_referral(b, client, urgency="urgent")
    assert referral.deadline_at == datetime(2026, 11, 23, 17, 0, tzinfo=LONDON)
    assert tick(datetime(2026, 11, 23, 17, 1, tzinfo=LONDON)).escalations == 1


def test_a_team_policy_is_validated_before_it_is_saved(b):
    from joinedup.handover.models import TeamResponsePolicy

    policy = TeamResponsePolicy(team=mental_health_team(b), config={"urgent": "soon", "hours": {"opens": "25:00"}})
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert len(error.value.message_dict["config"]) == 2


def test_with_nobody_in_the_chain_the_mdt_owns_the_escalation_and_is_told(b):
    client = client_in(b)
    team = mental_health_team(b)
    team.duty_worker = team.manager = None
    team.save()
    b.mdt_north.memberships.all().delete()  # no coordinator either
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LONDON), tick=False):
        referral = sent_referral(b, client, urgency="emergency")
    b.mdt_north.memberships.create(practitioner=b.people["ot.north"])
    tick(datetime(2026, 11, 20, 12, 1, tzinfo=LONDON))
    task = Task.objects.get(source_ref=f"referral:{referral.pk}:escalation:1")
    assert task.owner_team == b.mdt_north
    assert Notification.objects.filter(recipient=b.people["ot.north"], link=f"/referrals/{referral.pk}/").exists()


def test_the_locality_mdt_reads_its_clients_referrals_but_cannot_act_on_them(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    page = referral_page(b.actor("coordinator.north"), referral.pk)
    assert page.side is None and page.actions == frozenset()
    assert AuditEvent.objects.filter(object_type="Referral", reason="member of the locality MDT").exists()
    with pytest.raises(NotFound):
        accept_referral(b.actor("coordinator.north"), referral.pk)
    draft = create_referral(
        b.actor("ot.north"),
        NewReferral(client.pk, mental_health_team(b).pk, "request_for_service", "routine", complete_information()),
    )
    with pytest.raises(NotFound):
        referral_page(b.actor("coordinator.north"), draft.pk)


def test_a_client_handed_back_and_forth_by_accepted_transfers_goes_to_a_dispute(b):
    client = client_in(b)
    mh = mental_health_team(b)
    sent = sent_referral(b, client)  # community provider -> mental health trust
    accept_referral(b.actor("mh.duty"), sent.pk)
    back = sent_referral(b, Client.objects.get(pk=client.pk), by="mh.duty", to=b.therapy_north)
    accept_referral(b.actor("ot.north"), back.pk)  # returned once: not yet a dispute
    assert not Dispute.objects.filter(client=client).exists()
    again = sent_referral(b, Client.objects.get(pk=client.pk), by="ot.north", to=mh)
    accept_referral(b.actor("mh.duty"), again.pk)  # returned twice within 30 days
    dispute = Dispute.objects.get(client=client)
    assert {dispute.organisation_a, dispute.organisation_b} == {b.community, b.mental_health}
    assert accountability_violations() == []
