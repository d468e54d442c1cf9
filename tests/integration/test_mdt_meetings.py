"""The locality MDT's meetings: the agenda proposed from seeded events, edited by the coordinator,
attendance, discussion, actions that become tasks, a dispute decided, minutes; and who may do what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.careplans.agenda import AgendaSource, agenda_sources, proposals_for, register_agenda_source
from joinedup.careplans.models import AgendaItem, AgendaRequest, CarePlan, Meeting
from joinedup.careplans.rules.agenda import Period, Proposal
from joinedup.careplans.services import frailty, meetings, minutes
from joinedup.clients.services import record_consent
from joinedup.core.access import visible_clients
from joinedup.core.errors import NotFound, Refused
from joinedup.handover.models import Dispute
from joinedup.tasks.models import Task
from tests.careplan_factories import disputed_client, plan_for, series_for
from tests.factories import client_in
from tests.handover_factories import mental_health_team


def next_tuesday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def meeting(b, day: date | None = None) -> Meeting:
    series = series_for(b)
    return meetings.open_occurrence(b.actor("coordinator.north"), series.pk, day or next_tuesday())


def reasons(item: AgendaItem) -> set[str]:
    return {r["source"] for r in item.reasons}


def test_the_agenda_is_proposed_from_disputes_overdue_reviews_frailty_and_members(b):
    disputed, dispute = disputed_client(b)
    overdue = client_in(b)
    plan = plan_for(b, overdue)
    CarePlan.objects.filter(pk=plan.pk).update(review_due=timezone.localdate() - timedelta(days=1))
    frail = client_in(b)
    frailty.record_frailty(b.actor("ot.north"), frail.pk, "moderate", timezone.localdate() - timedelta(days=200))
    frailty.record_frailty(
        b.actor("ot.north"), frail.pk, "severe", timezone.localdate() - timedelta(days=2), Decimal("0.41")
    )
    already_severe = client_in(b)
    frailty.record_frailty(b.actor("ot.north"), already_severe.pk, "severe", timezone.localdate() - timedelta(days=100))
    frailty.record_frailty(b.actor("ot.north"), already_severe.pk, "severe", timezone.localdate() - timedelta(days=1))
    asked = client_in(b)
    meetings.request_discussion(b.actor("ot.north"), asked.pk, "Carer breaking down")
    south = client_in(b, locality="south")
    meetings.request_discussion(b.actor("ot.south"), south.pk, "Another locality")

    found = meeting(b)
    items = {i.client_id: i for i in AgendaItem.objects.filter(meeting=found)}
    assert set(items) == {disputed.pk, overdue.pk, frail.pk, asked.pk}
    assert reasons(items[disputed.pk]) == {"disputes"} and items[disputed.pk].dispute_id == dispute.pk
    assert reasons(items[overdue.pk]) == {"overdue_reviews"}
    assert reasons(items[frail.pk]) == {"frailty"}
    assert "Carer breaking down" in items[asked.pk].reasons[0]["reason"]
    ordered = sorted(items.values(), key=lambda i: i.position)
    assert ordered[0].client_id == disputed.pk  # the most pressing first
    assert all(i.status == "proposed" for i in items.values())
    assert found.agenda_proposed_at is not None


def test_the_coordinator_edits_the_agenda_and_removed_clients_stay_removed(b):
    first, second = client_in(b), client_in(b)
    for client in (first, second):
        meetings.request_discussion(b.actor("ot.north"), client.pk, "Please discuss")
    found = meeting(b)
    coordinator = b.actor("coordinator.north")
    one, two = AgendaItem.objects.filter(meeting=found).order_by("position")
    meetings.change_item(coordinator, one.pk, "list")
    meetings.change_item(coordinator, two.pk, "up")
    assert list(AgendaItem.objects.filter(meeting=found).order_by("position").values_list("pk", flat=True)) == [
        two.pk,
        one.pk,
    ]
    with pytest.raises(ValidationError) as error:
        meetings.change_item(coordinator, two.pk, "remove", " ")
    assert "reason" in error.value.message_dict
    meetings.change_item(coordinator, two.pk, "remove", "Discussed last week")
    assert meetings.propose_agenda(coordinator, found.pk) == 0
    assert AgendaItem.objects.get(pk=two.pk).status == "removed"
    added = client_in(b)
    item = meetings.add_client(coordinator, found.pk, added.pk, "Hospital discharge tomorrow")
    assert item.status == "listed" and item.added_by_id == b.people["coordinator.north"].pk
    south = client_in(b, locality="south")
    with pytest.raises(NotFound):  # the North coordinator has no relationship to a Southmere client
        meetings.add_client(coordinator, found.pk, south.pk, "x")


def test_only_the_coordinator_runs_the_meeting_and_only_the_locality_mdt_reads_it(b):
    found = meeting(b)
    client = client_in(b)
    with pytest.raises(NotFound):
        meetings.add_client(b.actor("ot.north"), found.pk, client.pk, "not an MDT member")
    with pytest.raises(NotFound):
        meetings.open_occurrence(b.actor("ot.south"), found.series_id, next_tuesday())
    with pytest.raises(NotFound):  # not a day of the series
        meetings.open_occurrence(b.actor("coordinator.north"), found.series_id, next_tuesday() + timedelta(days=1))


def test_from_agenda_to_decisions_actions_and_minutes(b):
    disputed, dispute = disputed_client(b)
    asked = client_in(b)
    meetings.request_discussion(b.actor("ot.north"), asked.pk, "Falls at night")
    found = meeting(b)
    coordinator = b.actor("coordinator.north")
    members = [b.people["coordinator.north"].pk]
    with pytest.raises(ValidationError):  # a stranger to the MDT is added as a guest, not as a member
        minutes.record_attendance(coordinator, found.pk, [b.people["ot.south"].pk])
    minutes.record_attendance(coordinator, found.pk, members, guest=minutes.Guest("Dr Ann Lee", "GP", "North Surgery"))
    assert {a.name for a in found.attendees.all()} == {"Coordinator Northson", "Dr Ann Lee"}

    item = AgendaItem.objects.get(meeting=found, client=asked)
    minutes.record_discussion(
        coordinator, item.pk, "Two falls at night; lives alone", "Falls assessment and pendant alarm"
    )
    due = timezone.localdate() + timedelta(days=7)
    task = minutes.add_action(coordinator, item.pk, minutes.NewAction("Falls assessment", due, b.people["ot.north"].pk))
    assert (task.owner_practitioner_id, task.source, task.source_ref) == (
        b.people["ot.north"].pk,
        "mdt",
        f"agenda-item:{item.pk}",
    )
    assert timezone.localtime(task.due_at).date() == due
    assert AgendaRequest.objects.get(client=asked).discussed_in_id == item.pk
    with pytest.raises(ValidationError) as error:
        minutes.add_action(coordinator, item.pk, minutes.NewAction("x", due))
    assert "owner" in error.value.message_dict

    dispute_item = AgendaItem.objects.get(meeting=found, client=disputed)
    team = mental_health_team(b)
    minutes.decide_dispute_in_meeting(coordinator, dispute_item.pk, team.pk, None, "Mental health needs lead")
    disputed.refresh_from_db()
    assert disputed.accountable_team == team and Dispute.objects.get(pk=dispute.pk).state == "decided"
    assert "Dispute #" in AgendaItem.objects.get(pk=dispute_item.pk).decision

    minutes.close_meeting(coordinator, found.pk)
    with pytest.raises(Refused):
        minutes.record_discussion(coordinator, dispute_item.pk, "late", "late")
    assert Task.objects.filter(source="mdt").count() == 1


def test_a_meeting_closes_only_with_its_attendance(b):
    found = meeting(b)
    with pytest.raises(ValidationError):
        minutes.close_meeting(b.actor("coordinator.north"), found.pk)


def test_the_next_meeting_looks_back_to_the_previous_one(b):
    series = series_for(b)
    coordinator = b.actor("coordinator.north")
    frail = client_in(b)
    frailty.record_frailty(coordinator, frail.pk, "severe", next_tuesday() - timedelta(days=9))
    past = meetings.open_occurrence(coordinator, series.pk, next_tuesday() - timedelta(days=14))
    assert AgendaItem.objects.filter(meeting=past).count() == 0  # recorded after that meeting's period
    upcoming = meetings.open_occurrence(coordinator, series.pk, next_tuesday())
    assert AgendaItem.objects.filter(meeting=upcoming, client=frail).exists()


def test_other_parts_register_agenda_sources(b):
    client = client_in(b)

    def readmissions(locality_id: int, period: Period) -> list[Proposal]:
        return [Proposal(client.pk, "test_readmissions", "Readmitted 3 days after discharge", 30)]

    register_agenda_source(AgendaSource("test_readmissions", "Readmissions and bounces", readmissions))
    try:
        found = meeting(b)
        item = AgendaItem.objects.get(meeting=found, client=client)
        assert item.reasons[0]["reason"] == "Readmitted 3 days after discharge"
    finally:
        from joinedup.careplans import agenda

        agenda._sources.pop("test_readmissions")
    assert "test_readmissions" not in {s.key for s in agenda_sources()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["north", "south"]), st.booleans()), min_size=1, max_size=5))
def test_the_agenda_never_lists_a_client_the_coordinator_may_not_see(b, clients):
    """Clients asked about in both localities, some refusing consent to share (held by the council):
    whatever the sources propose, the coordinator's agenda holds only clients visible to them."""
    coordinator = b.actor("coordinator.north")
    for locality, refused in clients:
        client = client_in(b, locality=locality)
        AgendaRequest.objects.create(
            locality_id=b.north.pk, client=client, reason="asked", requested_by=b.people["ot.north"],
            requested_at=timezone.now(),
        )  # fmt: skip
        if refused:
            record_consent(b.actor("ot.north" if locality == "north" else "ot.south"), client.pk, "refused")
            client.holding_organisation = b.council
            client.save(update_fields=["holding_organisation"])
    series = series_for(b)
    found = meetings.open_occurrence(coordinator, series.pk, next_tuesday())
    meetings.propose_agenda(coordinator, found.pk)
    listed = set(AgendaItem.objects.filter(meeting=found).values_list("client_id", flat=True))
    visible = set(visible_clients(coordinator).values_list("pk", flat=True))
    asked = {
        p.client_id for p in proposals_for(b.north.pk, Period(found.starts_at - timedelta(days=28), found.starts_at))
    }
    assert listed <= visible
    assert listed == asked & visible


def test_reading_a_meeting_costs_the_same_queries_whatever_the_length_of_its_agenda(b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from joinedup.careplans.queries.meetings import meeting_page

    def queries_for(clients: int) -> int:
        found = meeting(b, next_tuesday() + timedelta(days=7 * clients))
        coordinator = b.actor("coordinator.north")
        for _ in range(clients):
            item = meetings.add_client(coordinator, found.pk, client_in(b).pk, "Please discuss")
            minutes.add_action(
                coordinator, item.pk, minutes.NewAction("Visit", timezone.localdate(), b.people["ot.north"].pk)
            )
        with CaptureQueriesContext(connection) as captured:
            page = meeting_page(coordinator, found.pk)
        assert len(page.items) == clients and sum(len(a) for a in page.actions.values()) == clients
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(6)
