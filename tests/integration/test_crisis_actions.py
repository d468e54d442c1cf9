"""Actions on a crisis (issue 5, item 4): each an auditable record with its owner and status; a
bridging package from brokerage for 72 hours, costed in pounds and funded as the governance model says."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings

from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import AuditEvent
from joinedup.crisis.actions import (
    NewAction,
    NewBridging,
    add_action,
    arrange_bridging,
    request_bridging,
    update_action,
)
from joinedup.crisis.models import BridgingPackage, CrisisAction
from joinedup.tasks.models import Task
from tests.crisis_factories import crisis_setup, raised
from tests.factories import client_in

FRIDAY = datetime(2026, 11, 20, 16, tzinfo=UTC)


@pytest.fixture
def crisis(b):
    crisis_setup(b, around=FRIDAY)
    with time_machine.travel(FRIDAY, tick=False):
        return raised(b, client=client_in(b)).crisis


def test_an_action_for_oneself_needs_no_task_and_one_for_another_makes_one(b, crisis):
    nurse = b.actor("rr.nurse")
    mine = add_action(nurse, crisis.pk, NewAction("rapid_response_visit", "Visit now"))
    assert (mine.owner, mine.status, mine.task) == (b.people["rr.nurse"], "requested", None)
    theirs = add_action(nurse, crisis.pk, NewAction("equipment", "Commode today", owner_id=b.people["rr.oncall"].pk))
    assert theirs.task.owner_practitioner == b.people["rr.oncall"] and theirs.task.client == crisis.client
    assert AuditEvent.objects.filter(action="action_added", client_id=crisis.client_id).count() == 2


def test_emergency_medication_says_whether_the_gp_or_an_out_of_hours_pharmacy_supplies_it(b, crisis):
    with pytest.raises(ValidationError) as refused:
        add_action(b.actor("rr.nurse"), crisis.pk, NewAction("emergency_medication", "Tonight's doses"))
    assert "medication_route" in refused.value.message_dict
    action = add_action(
        b.actor("rr.nurse"),
        crisis.pk,
        NewAction("emergency_medication", "Tonight's doses", medication_route="out_of_hours_pharmacy"),
    )
    assert action.get_medication_route_display() == "An out-of-hours pharmacy"


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (NewAction("bridging_package", "Carers"), "kind"),
        (NewAction("equipment", " "), "details"),
        (NewAction("equipment", "Hoist", owner_id=999_999), "owner"),
        (NewAction("equipment", "Hoist", owner_id=1, owner_team_id=1), "owner"),
    ],
)
def test_a_wrong_action_is_refused_and_nothing_is_added(b, crisis, new, field):
    with pytest.raises(ValidationError) as refused:
        add_action(b.actor("rr.nurse"), crisis.pk, new)
    assert field in refused.value.message_dict and not CrisisAction.objects.exists()


def test_actions_move_on_and_never_back(b, crisis):
    action = add_action(b.actor("rr.nurse"), crisis.pk, NewAction("carer_relief", "Sitting service tonight"))
    update_action(b.actor("rr.nurse"), action.pk, "arranged", "Crossroads sitter from 19:00")
    done = update_action(b.actor("rr.nurse"), action.pk, "done")
    assert done.completed_at is not None and done.note == "Crossroads sitter from 19:00"
    with pytest.raises(ValidationError, match="cannot be"):
        update_action(b.actor("rr.nurse"), action.pk, "arranged")
    with pytest.raises(NotFound):
        update_action(b.actor("ot.south"), action.pk, "cancelled")


def test_a_bridging_package_is_asked_of_brokerage_for_72_hours_and_funded_by_the_lead_agency(b, crisis):
    with time_machine.travel(FRIDAY + timedelta(minutes=50), tick=False):
        action = request_bridging(b.actor("rr.nurse"), crisis.pk, NewBridging("Wash, dress, meals", "4"))
    package = action.bridging
    assert action.owner_team.name == "Brokerage" and action.status == "requested"
    assert package.ends_at - package.starts_at == timedelta(hours=72)
    assert (package.hours_of_care, package.funding_source) == (Decimal("4.0"), "nhs_community_provider")
    task = Task.objects.get(pk=action.task_id)
    assert task.owner_team.name == "Brokerage" and "bridging package" in task.title


@override_settings(JOINEDUP_GOVERNANCE_MODEL="pooled")
def test_under_pooled_budgets_the_locality_pool_pays(b, crisis):
    action = request_bridging(b.actor("rr.nurse"), crisis.pk, NewBridging("Meals", "2", duration_hours=48))
    assert action.bridging.funding_source == "pooled_budget"
    assert action.bridging.ends_at - action.bridging.starts_at == timedelta(hours=48)


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (NewBridging("", "4"), "care_tasks"),
        (NewBridging("Meals", "lots"), "hours_of_care"),
        (NewBridging("Meals", "25"), "hours_of_care"),
        (NewBridging("Meals", "4", duration_hours=0), "duration_hours"),
        (NewBridging("Meals", "4", starts_at=datetime(2020, 1, 1, tzinfo=UTC)), "starts_at"),
    ],
)
def test_a_wrong_bridging_request_is_refused_and_nothing_is_asked(b, crisis, new, field):
    with pytest.raises(ValidationError) as refused:
        request_bridging(b.actor("rr.nurse"), crisis.pk, new)
    assert field in refused.value.message_dict
    assert (
        not BridgingPackage.objects.exists()
        and not Task.objects.filter(source="crisis").exclude(source_ref__contains="gap").exists()
    )


def test_brokerage_arranges_it_with_a_provider_and_a_cost_in_pounds(b, crisis):
    action = request_bridging(b.actor("rr.nurse"), crisis.pk, NewBridging("Meals", "3"))
    with pytest.raises(NotFound):
        arrange_bridging(b.actor("rr.nurse"), action.pk, "Heron Homecare", "256.50")  # not brokerage
    with pytest.raises(ValidationError) as refused:
        arrange_bridging(b.actor("broker"), action.pk, "", "256.505")
    assert set(refused.value.message_dict) == {"provider", "cost"}
    arranged = arrange_bridging(b.actor("broker"), action.pk, "Heron Homecare", "£256.50")
    package = BridgingPackage.objects.get(action=arranged)
    assert (arranged.status, package.provider, package.cost) == ("arranged", "Heron Homecare", Decimal("256.50"))
    with pytest.raises(Refused):
        arrange_bridging(b.actor("broker"), action.pk, "Other Care", "1")
