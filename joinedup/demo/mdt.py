"""The locality MDT's work in the demo borough: care plans, visits, meetings, training and competencies.

Northgate shows everything: care plans written with clients (one review overdue, one reviewed
with GAS scores), an open dispute, clients added by members and newly severe frailty, so that
next Tuesday's meeting opens with a proposed agenda (with the demo hospital's bounce and the crises
open now, seeded before it); last Tuesday's meeting with its minutes and
actions; visits from several organisations, one a duplicate assessment and two on the same day;
trusted assessors (one competency expired) and a training record with courses expired and due.
Written in the seed's transaction: the seed's one audit event covers it, except the agenda
proposal, which runs the real agenda rules for the MDT coordinator and audits what it proposes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from joinedup.careplans.models import (
    CarePlan,
    CarePlanVersion,
    Goal,
    GoalScore,
    Intervention,
    Review,
    Visit,
)
from joinedup.careplans.rules import gas
from joinedup.clients.models import Client, ClientStatus, TimelineEvent
from joinedup.core.working_time import LONDON
from joinedup.demo.borough import BuiltBorough
from joinedup.demo.mdt_meetings import (
    seed_for_the_next_meeting,
    seed_next_meeting,
    seed_past_meeting,
    seed_series,
    tuesday_before,
)
from joinedup.demo.mdt_training import seed_training
from joinedup.directory.models import Competency, Practitioner
from joinedup.tasks.models import Task

# fmt: off
GOALS = (
    ("To make my own breakfast again", ("Cannot get to the kitchen", "Makes a hot drink with help",
     "Makes breakfast alone with a perching stool", "Makes breakfast alone most days without the stool",
     "Makes breakfast and lunch alone every day")),
    ("To walk to the corner shop on my own", ("Does not leave the house", "Walks to the front gate with a frame",
     "Walks to the shop and back with a stick", "Walks to the shop without a stick", "Walks to the park and back")),
    ("To have a bath instead of a strip wash", ("Strip washes with help", "Strip washes alone",
     "Bathes with a bath lift and a carer there", "Bathes with the bath lift alone", "Bathes without equipment")),
    ("To see my grandchildren every week", ("Sees nobody", "Sees them once a month when they visit",
     "Sees them every week at home", "Visits them every week by taxi", "Visits them every week by bus")),
)
# fmt: on


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def _people(built: BuiltBorough, *names: str) -> list[Practitioner]:
    return [built.people[name] for name in names]


def _plan(client: Client, built: BuiltBorough, as_of: date, number: int) -> CarePlan:
    olivia = built.people["olivia.ot"]
    written = as_of - timedelta(days=40 + number * 3)
    due = (
        tuesday_before(as_of) if number == 1 else as_of + timedelta(days=20 + number * 7)
    )  # overdue since the last MDT
    plan = CarePlan.objects.create(client=client, coordinator=olivia, review_due=due, created_at=_at(written))
    CarePlanVersion.objects.create(
        plan=plan,
        number=1,
        created_at=_at(written),
        created_by=olivia,
        change_note="First version",
        what_matters="“I want to stay in my own home, near my garden.”",
        what_matters_source="Told to Olivia Okafor at home",
        review_due=due,
        agreement="agreed",
        agreement_by=f"{client.given_name} {client.family_name}",
        agreement_at=_at(written, 11),
        agreement_recorded_by=olivia,
    )
    chosen = [GOALS[(number + step) % len(GOALS)] for step in range(2)]
    goals = [
        Goal.objects.create(
            plan=plan,
            number=n,
            client_words=words,
            weight=1 + (n == 1),
            baseline=-1,
            added_in=1,
            level_minus_2=levels[0],
            level_minus_1=levels[1],
            level_0=levels[2],
            level_plus_1=levels[3],
            level_plus_2=levels[4],
        )
        for n, (words, levels) in enumerate(chosen, start=1)
    ]
    for team_key, who, what, how_often in (
        (
            "northgate:therapy",
            "olivia.ot",
            "Kitchen and bathing assessment; practice with equipment",
            "Weekly for 6 weeks",
        ),
        ("northgate:district_nursing", "diane.dn", "Leg ulcer dressings", "Twice a week"),
        ("reablement", "ruby.reablement", "Morning calls to practise washing and dressing", "Daily for 4 weeks"),
    )[: 2 + number % 2]:
        Intervention.objects.create(
            plan=plan,
            team=built.teams[team_key],
            practitioner=built.people[who],
            description=what,
            frequency=how_often,
            added_in=1,
        )
    if number == 0:
        review = Review.objects.create(
            plan=plan,
            version=1,
            held_on=as_of - timedelta(days=10),
            note="Making breakfast with the stool",
            t_score=Decimal("0"),
            recorded_by=olivia,
            recorded_at=_at(as_of - timedelta(days=10)),
        )
        scores = {1: 0, 2: 1}
        review.t_score = Decimal(
            str(round(gas.t_score([gas.WeightedScore(scores[g.number], g.weight) for g in goals]), 1))
        )
        review.save(update_fields=["t_score"])
        GoalScore.objects.bulk_create(GoalScore(review=review, goal=g, score=scores[g.number]) for g in goals)
    plan.review_task = Task.objects.create(
        title=f"Review the care plan of {client.full_name}",
        client=client,
        owner_practitioner=olivia,
        due_at=_at(due, 17),
        source="careplans",
        source_ref=f"care-plan:{plan.pk}",
        created_by=olivia,
        created_at=_at(written),
    )
    plan.save(update_fields=["review_task"])
    TimelineEvent.objects.create(
        client=client,
        occurred_at=_at(written),
        kind="care_plan_written",
        source="careplans",
        summary="Care plan written (version 1)",
        actor=olivia,
        object_type="CarePlan",
        object_id=str(plan.pk),
    )
    return plan


def _visit(
    client: Client, built: BuiltBorough, who: str, team: str, when: datetime, kind: str, **extra: object
) -> Visit:
    person = built.people[who]
    return Visit.objects.create(
        client=client,
        practitioner=person,
        team=built.teams[team],
        organisation=person.organisation or built.teams[team].organisation,
        kind=kind,
        starts_at=when,
        booked_by=person,
        booked_at=when - timedelta(days=7),
        **extra,
    )


def _visits(clients: list[Client], built: BuiltBorough, as_of: date) -> int:
    """A duplicate equipment assessment (council done, community booked anyway), a trusted assessment,
    and two visits on one day to combine."""
    first, second = clients[0], clients[1 % len(clients)]
    sophie = Competency.objects.get(practitioner=built.people["sophie.sw"])
    council = _visit(
        first,
        built,
        "sophie.sw",
        "northgate:social_work",
        _at(as_of - timedelta(days=12)),
        "assessment",
        assessment="equipment",
        status="done",
        outcome="Grab rails and a perching stool advised",
        closed_at=_at(as_of - timedelta(days=12), 12),
    )
    _visit(
        first,
        built,
        "olivia.ot",
        "northgate:therapy",
        _at(as_of + timedelta(days=2), 11),
        "assessment",
        assessment="equipment",
        duplicate_of=[council.pk],
        duplicate_reason="Kitchen layout changed since; needs a kitchen assessment too",
    )
    _visit(
        second,
        built,
        "sophie.sw",
        "northgate:social_work",
        _at(as_of - timedelta(days=5)),
        "assessment",
        assessment="package_of_care",
        status="done",
        outcome="Morning and evening calls",
        recommended_hours=Decimal("7.0"),
        trusted_competency=sophie,
        closed_at=_at(as_of - timedelta(days=5), 12),
    )
    same_day = as_of + timedelta(days=1)
    _visit(
        second, built, "diane.dn", "northgate:district_nursing", _at(same_day, 9, 30), "treatment", purpose="Dressings"
    )
    _visit(second, built, "ruby.reablement", "reablement", _at(same_day, 14), "care_call", purpose="Lunch call")
    _visit(
        second,
        built,
        "olivia.ot",
        "northgate:therapy",
        _at(as_of + timedelta(days=8), 10),
        "review",
        purpose="Equipment review",
    )
    return 6


def seed_mdt(built: BuiltBorough, as_of: date) -> dict[str, int]:
    """The MDT's work for the demo; plans, visits and meetings need a few Northgate therapy clients."""
    clients = list(
        Client.objects.filter(
            accountable_team=built.teams["northgate:therapy"], status=ClientStatus.ACTIVE, consent_to_share="given"
        ).order_by("id")[:8]
    )
    counts = {"training": seed_training(built, as_of)}
    series = seed_series(built, as_of)
    counts["meeting_series"] = len(series)
    if len(clients) < 4:
        return counts
    counts["care_plan"] = len([_plan(client, built, as_of, number) for number, client in enumerate(clients[:3])])
    counts["visit"] = _visits(clients, built, as_of)
    last = tuesday_before(as_of)
    counts["mdt_meeting"] = seed_past_meeting(series["northgate"], clients[:3], built, last)
    seed_for_the_next_meeting(clients, built, as_of, last)
    counts["agenda_item"] = seed_next_meeting(series["northgate"], built.people["mia.mdt"], last + timedelta(days=7))
    return counts
