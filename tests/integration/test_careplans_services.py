"""Care plans: written with the client, versioned, agreed, reviewed with GAS; review dates are tasks;
"what matters to me" comes from the handover; the care team reads, only professionals change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.careplans.models import CarePlanVersion, Goal, Review
from joinedup.careplans.queries.plans import plan_page, what_matters_from_handover
from joinedup.careplans.services import care_team, plans
from joinedup.careplans.services.plans import GoalIn, PlanChanges
from joinedup.core.access import relationship_to
from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import AuditEvent
from joinedup.handover.services import NewReferral, create_referral, send_referral
from joinedup.tasks.models import Task
from tests.careplan_factories import goal, levels, plan_for
from tests.factories import client_in
from tests.handover_factories import complete_information, mental_health_team

TODAY = timezone.localdate


def test_a_plan_is_written_with_goals_scales_interventions_and_a_review_task(b):
    client = client_in(b)
    plan = plan_for(b, client)
    view = plan_page(b.actor("ot.north"), client.pk)
    assert [g.client_words for g in view.goals] == ["To make my own breakfast again", "To get to the shops on my own"]
    assert (
        view.goals[0].level(0) == "Makes again alone, with equipment"
    )  # the factory names the scale after the last word
    assert view.version.number == 1 and view.version.agreement == "pending"
    # Baseline T-score: weights 1 and 2 at -1: -3 * 10 / sqrt(0.7 * 5 + 0.3 * 9) = 38.0.
    assert view.baseline_t_score == pytest.approx(50 - 30 / 6.2**0.5)
    task = Task.objects.get(pk=plan.review_task_id)
    assert task.owner_practitioner_id == b.people["ot.north"].pk and task.source == "careplans"
    assert timezone.localtime(task.due_at).date() == plan.review_due
    assert AuditEvent.objects.filter(action="create", object_type="CarePlan", client_id=client.pk).exists()
    viewed = AuditEvent.objects.filter(action="view", client_id=client.pk, detail__part="care plan").get()
    assert viewed.reason == "member of the accountable team (North Community Therapy)"
    assert client.timeline.filter(kind="care_plan_written").exists()


def test_a_change_is_a_new_version_and_earlier_versions_stay_as_they_were(b):
    client = client_in(b)
    plan = plan_for(b, client)
    first_task = plan.review_task_id
    new_due = TODAY() + timedelta(days=20)
    plans.change_plan(
        b.actor("ot.north"),
        plan.pk,
        PlanChanges(
            change_note="Shopping goal achieved",
            end_goals={2: "Achieved"},
            add_goals=[goal("To see my grandchildren")],
            review_due=new_due,
        ),
    )
    now = plan_page(b.actor("ot.north"), client.pk)
    before = plan_page(b.actor("ot.north"), client.pk, version=1)
    assert [g.number for g in now.goals] == [1, 3] and [g.number for g in before.goals] == [1, 2]
    assert now.version.number == 2 and now.version.agreement == "pending"
    assert now.version.what_matters == "Staying in my own home"  # carried into the new version
    assert Task.objects.get(pk=first_task).status == "cancelled"  # the review date moved: a new task
    assert timezone.localtime(Task.objects.get(pk=now.plan.review_task_id).due_at).date() == new_due


def test_a_goal_and_its_scale_are_never_edited_in_place(b):
    client = client_in(b)
    plan = plan_for(b, client)
    with pytest.raises(ValidationError) as error:
        plans.change_plan(b.actor("ot.north"), plan.pk, PlanChanges(change_note="x", end_goals={9: "gone"}))
    assert "end_goal_9" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        plans.change_plan(b.actor("ot.north"), plan.pk, PlanChanges(change_note="x", end_goals={1: "a", 2: "b"}))
    assert "goal_1_client_words" in error.value.message_dict  # a plan keeps at least one goal
    assert Goal.objects.filter(plan=plan, ended_in__isnull=True).count() == 2
    assert CarePlanVersion.objects.filter(plan=plan).count() == 1


def test_agreement_is_recorded_with_who_and_when(b):
    client = client_in(b)
    plan = plan_for(b, client)
    when = timezone.now()
    version = plans.record_agreement(
        b.actor("ot.north"), plan.pk, "unable", "Her daughter Emma (LPA)", when, "Advanced dementia"
    )
    assert (version.agreement, version.agreement_by, version.agreement_at) == (
        "unable",
        "Her daughter Emma (LPA)",
        when,
    )
    with pytest.raises(ValidationError) as error:
        plans.record_agreement(b.actor("ot.north"), plan.pk, "not_agreed", "Ada", when, "")
    assert "note" in error.value.message_dict


def test_a_review_scores_every_goal_stores_the_t_score_and_schedules_the_next(b):
    client = client_in(b)
    plan = plan_for(b, client)
    next_due = TODAY() + timedelta(days=60)
    review = plans.record_review(b.actor("ot.north"), plan.pk, TODAY(), {1: 1, 2: 0}, next_due, "Better")
    # Weights 1 and 2, scores +1 and 0: 10 * 1 / sqrt(6.2) = 4.016: T = 54.0.
    assert review.t_score == Decimal("54.0")
    assert Task.objects.get(pk=plan.review_task_id).status == "done"
    plan.refresh_from_db()
    assert plan.review_due == next_due and Task.objects.get(pk=plan.review_task_id).status == "open"
    with pytest.raises(ValidationError) as error:
        plans.record_review(b.actor("ot.north"), plan.pk, TODAY(), {1: 1}, next_due)
    assert "score_2" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        plans.record_review(b.actor("ot.north"), plan.pk, TODAY(), {1: 3, 2: 0}, next_due)
    assert "score_1" in error.value.message_dict
    assert Review.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (PlanChanges(review_due=None, add_goals=[goal()]), "review_due"),
        (PlanChanges(review_due=TODAY(), add_goals=[goal()]), "review_due"),
        (PlanChanges(review_due=TODAY() + timedelta(days=30), add_goals=[]), "goal_1_client_words"),
        (
            PlanChanges(review_due=TODAY() + timedelta(days=30), add_goals=[GoalIn(" ", levels())]),
            "goal_1_client_words",
        ),
        (
            PlanChanges(review_due=TODAY() + timedelta(days=30), add_goals=[GoalIn("Walk", {**levels(), 1: ""})]),
            "goal_1_level_plus_1",
        ),
        (
            PlanChanges(
                review_due=TODAY() + timedelta(days=30), add_goals=[goal(), GoalIn("Walk", levels(), baseline=0)]
            ),
            "goal_2_baseline",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(b, changes, field):
    client = client_in(b)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        plans.create_plan(b.actor("ot.north"), client.pk, changes)
    assert field in error.value.message_dict
    assert not client.care_plans.exists() and AuditEvent.objects.count() == before


def test_what_matters_is_carried_from_the_handover(b):
    client = client_in(b)
    info = complete_information(what_matters="“I want to stay in my own home and see my grandchildren.”")
    referral = create_referral(
        b.actor("ot.north"), NewReferral(client.pk, mental_health_team(b).pk, "request_for_service", "routine", info)
    )
    send_referral(b.actor("ot.north"), referral.pk)
    words, source = what_matters_from_handover(client.pk)
    assert words == "“I want to stay in my own home and see my grandchildren.”"
    assert source.startswith(f"Handover: referral #{referral.pk} from North Community Therapy")


def test_the_care_team_reads_the_plan_and_only_professionals_change_it(b):
    client = client_in(b)
    plan = plan_for(b, client)
    volunteer, outsider = b.actor("volunteer"), b.actor("ot.south")
    with pytest.raises(NotFound):
        plan_page(outsider, client.pk)
    care_team.add_member(
        b.actor("ot.north"), client.pk, role="Community connector", practitioner_id=b.people["volunteer"].pk
    )
    assert relationship_to(volunteer, client) == "member of the care team (Community connector)"
    assert plan_page(volunteer, client.pk).plan == plan
    with pytest.raises(Refused):
        plans.change_plan(volunteer, plan.pk, PlanChanges(change_note="x", add_goals=[goal("Another")]))
    member = client.care_team_members.get()
    care_team.end_member(b.actor("ot.north"), client.pk, member.pk, "No longer involved")
    assert relationship_to(volunteer, client) is None
    with pytest.raises(NotFound):
        plan_page(volunteer, client.pk)


def test_an_intervention_gives_its_team_a_relationship_while_the_plan_is_active(b):
    client = client_in(b)
    sw = b.actor("sw.council")
    assert relationship_to(sw, client) is None
    plan = plan_for(b, client)
    plans.change_plan(
        b.actor("ot.north"),
        plan.pk,
        PlanChanges(
            change_note="Social work review",
            add_interventions=[plans.InterventionIn(b.social_work.pk, "Care act assessment")],
        ),
    )
    assert relationship_to(sw, client) == "delivers an intervention of the care plan (Adult Social Work)"
    plans.end_plan(b.actor("ot.north"), plan.pk, "Goals met")
    assert relationship_to(sw, client) is None


def test_one_active_plan_per_client(b):
    client = client_in(b)
    plan_for(b, client)
    with pytest.raises(Refused):
        plan_for(b, client)
