"""Care plans, meetings and visits for tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from joinedup.careplans.rules.gas import LEVELS
from joinedup.careplans.services.meetings import create_series
from joinedup.careplans.services.plans import GoalIn, InterventionIn, PlanChanges, create_plan
from joinedup.core.working_time import LONDON
from tests.factories import Borough


def levels(words: str = "breakfast") -> dict[int, str]:
    return {
        -2: f"Cannot make {words} at all",
        -1: f"Makes {words} with help every day",
        0: f"Makes {words} alone, with equipment",
        1: f"Makes {words} alone most days without equipment",
        2: f"Makes {words} and lunch alone every day",
    }


def goal(words: str = "To make my own breakfast again", *, weight: int = 1, baseline: int = -1) -> GoalIn:
    return GoalIn(words, levels(words.split()[-1]), baseline, weight)


def plan_for(b: Borough, client, *, by: str = "ot.north", goals: list[GoalIn] | None = None, review_in: int = 42):
    return create_plan(
        b.actor(by),
        client.pk,
        PlanChanges(
            add_goals=goals or [goal(), goal("To get to the shops on my own", weight=2)],
            add_interventions=[
                InterventionIn(b.therapy_north.pk, "Kitchen assessment and practice", b.people[by].pk, "Weekly")
            ],
            what_matters="Staying in my own home",
            review_due=timezone.localdate() + timedelta(days=review_in),
        ),
    )


def series_for(b: Borough, *, every_weeks: int = 1, first: date | None = None):
    first = first or timezone.localdate() - timedelta(days=timezone.localdate().weekday() - 1 + 7)  # a Tuesday
    return create_series(
        b.actor("coordinator.north"),
        b.north.pk,
        title="North MDT",
        first_date=first,
        start_time=time(13, 0),
        every_weeks=every_weeks,
    )


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), LONDON)


ALL_LEVELS = LEVELS


def disputed_client(b: Borough):
    """A client bounced twice between community health and mental health: a dispute for the North MDT."""
    from joinedup.handover.models import Dispute
    from joinedup.handover.services import decline_referral
    from tests.factories import client_in
    from tests.handover_factories import sent_referral

    client = client_in(b)
    for _ in range(2):
        referral = sent_referral(b, client)
        decline_referral(b.actor("mh.duty"), referral.pk, "Physical health first", "District nursing")
    return client, Dispute.objects.get(client=client)
