"""The crisis clock in `joinedup tick` (issue 5, items 2, 3 and 10): a crisis not acknowledged in 15
minutes goes to the next person on the rota, after 30 to the service manager; the 2-hour target
missed is told to the manager; gaps in the rotas ahead raise one alert each. Idempotent."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from joinedup.core.models import AuditEvent
from joinedup.crisis import services
from joinedup.crisis.models import CrisisEscalation, RotaAlert, RotaShift
from joinedup.crisis.tick import tick_crises
from joinedup.tasks.models import Notification, Task
from tests.crisis_factories import crisis_setup, on_call, raised
from tests.factories import client_in

NIGHT = datetime(2026, 11, 20, 22, tzinfo=UTC)  # Friday night: on call


@pytest.fixture
def night_crisis(b):
    crisis_setup(b, around=NIGHT)
    with time_machine.travel(NIGHT, tick=False):
        return raised(b, client=client_in(b)).crisis


def test_nothing_happens_before_15_minutes(b, night_crisis):
    report = tick_crises(NIGHT + timedelta(minutes=14))
    assert report.escalations == 0 and not CrisisEscalation.objects.exists()


def test_the_chain_goes_to_the_second_on_call_then_the_service_manager(b, night_crisis):
    crisis = night_crisis
    with time_machine.travel(NIGHT + timedelta(minutes=16), tick=False):
        assert tick_crises().escalations == 1
    crisis.refresh_from_db()
    first = CrisisEscalation.objects.get(crisis=crisis, level=1)
    assert first.recipient == b.people["rr.second"] and crisis.owner == b.people["rr.second"]
    assert first.task.owner_practitioner == b.people["rr.second"]
    assert Notification.objects.filter(recipient=b.people["rr.second"], link=f"/crisis/{crisis.pk}/").exists()
    with time_machine.travel(NIGHT + timedelta(minutes=31), tick=False):
        assert tick_crises().escalations == 1
        assert tick_crises().escalations == 0  # idempotent
    crisis.refresh_from_db()
    assert CrisisEscalation.objects.get(crisis=crisis, level=2).recipient == b.people["rr.manager"]
    assert crisis.owner == b.people["rr.manager"] and crisis.next_escalation_at is None
    assert (
        AuditEvent.objects.filter(action="escalate", object_id=str(crisis.pk), client_id=crisis.client_id).count() == 2
    )


def test_a_late_tick_makes_both_levels_at_once(b, night_crisis):
    report = tick_crises(NIGHT + timedelta(hours=1, minutes=10))
    assert report.escalations == 2
    assert list(CrisisEscalation.objects.order_by("level").values_list("level", flat=True)) == [1, 2]


def test_whoever_escalation_reached_may_still_acknowledge(b, night_crisis):
    tick_crises(NIGHT + timedelta(minutes=16))
    services.acknowledge(b.actor("rr.oncall"), night_crisis.pk)  # the first on call, late
    assert tick_crises(NIGHT + timedelta(minutes=40)).escalations == 0


def test_nobody_named_at_a_level_means_the_whole_team_is_told(b):
    setup = crisis_setup(b, around=NIGHT, shifts=False)
    on_call(setup.on_call_health, b.people["rr.oncall"], NIGHT - timedelta(hours=2), NIGHT + timedelta(hours=10))
    setup.on_call_health.fallback = b.people["rr.oncall"]
    setup.on_call_health.save()
    with time_machine.travel(NIGHT, tick=False):
        crisis = raised(b, client=client_in(b)).crisis
    assert crisis.escalation_chain == [b.people["rr.manager"].pk, None]
    report = tick_crises(NIGHT + timedelta(minutes=31))
    second = CrisisEscalation.objects.get(crisis=crisis, level=2)
    assert second.recipient is None and second.task.owner_team == setup.rapid_response and report.gaps
    members = set(setup.rapid_response.memberships.values_list("practitioner_id", flat=True))
    told = set(
        Notification.objects.filter(link=f"/crisis/{crisis.pk}/", message__contains="escalation 2").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == members


def test_the_2_hour_target_missed_is_told_to_the_service_manager_once(b, night_crisis):
    services.acknowledge(b.actor("rr.oncall"), night_crisis.pk)
    assert tick_crises(NIGHT + timedelta(hours=1, minutes=59)).responses_overdue == 0
    assert tick_crises(NIGHT + timedelta(hours=2, minutes=1)).responses_overdue == 1
    assert tick_crises(NIGHT + timedelta(hours=3)).responses_overdue == 0
    overdue = CrisisEscalation.objects.get(crisis=night_crisis, level=0)
    assert overdue.recipient == b.people["rr.manager"]


def test_an_arrival_in_time_is_never_overdue(b, night_crisis):
    with time_machine.travel(NIGHT + timedelta(minutes=90), tick=False):
        services.record_arrival(b.actor("rr.oncall"), night_crisis.pk)
    assert tick_crises(NIGHT + timedelta(hours=3)).responses_overdue == 0


def test_a_gap_in_a_rota_ahead_raises_one_alert_and_one_task(b):
    setup = crisis_setup(b, around=NIGHT, shifts=False)
    for rota in (setup.on_call_health, setup.on_call_social):
        RotaShift.objects.filter(rota=rota).delete()
    # Health covered all week except Saturday night; social care covered all week.
    for day in range(-1, 8):
        start = datetime(2026, 11, 20, 20, tzinfo=UTC) + timedelta(days=day)
        if day != 1:
            on_call(setup.on_call_health, b.people["rr.oncall"], start, start + timedelta(hours=12))
    on_call(setup.on_call_social, b.people["edt.sw"], NIGHT - timedelta(days=3), NIGHT + timedelta(days=10))
    report = tick_crises(NIGHT)
    assert report.gaps_ahead == 1
    alert = RotaAlert.objects.get(kind="ahead")
    assert (alert.rota, alert.starts_at) == (setup.on_call_health, datetime(2026, 11, 21, 20, tzinfo=UTC))
    assert alert.task.owner_practitioner == b.people["rr.manager"]
    assert tick_crises(NIGHT + timedelta(minutes=5)).gaps_ahead == 0
    assert Task.objects.filter(source_ref__startswith=f"rota:{setup.on_call_health.pk}:gap").count() == 1


def test_the_tick_command_says_what_the_crisis_clock_did(b, night_crisis, capsys):
    with time_machine.travel(NIGHT + timedelta(minutes=20), tick=False):
        call_command("tick", verbosity=1)
    out = capsys.readouterr().out
    assert "crisis tick: 1 acknowledgement escalations, 0 responses overdue" in out
