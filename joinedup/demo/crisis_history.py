"""A year of crises in the demo borough, and a few open now: enough for the board and the managers'
report (the Friday afternoon effect, response times, admissions avoided), about one crisis a year
for every ten clients. Drawn from a random stream of its own, so the same seed gives the same crises.

Past crises are written in bulk (the seed is one audited system job); the open ones are routed
by crisis.routing, like any crisis raised now.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from joinedup.clients.models import Client, TimelineEvent
from joinedup.crisis import clock
from joinedup.crisis.models import AdmissionCheck, BridgingPackage, Crisis, CrisisAction, CrisisEvent
from joinedup.crisis.outcomes import Alternative, AlternativeAnswer, funding_source
from joinedup.crisis.routing import route_crisis
from joinedup.crisis.rules import DEFAULT_SERVICE_HOURS, SECTOR_SERVICE, Basis, Sector, Situation
from joinedup.demo.crisis_staff import CrisisStaff, first_on_call, pick

BATCH = 2000
IN_HOURS_KEY = {Sector.HEALTH: "rapid_response", Sector.SOCIAL_CARE: "social_work"}
# fmt: off
_SITUATIONS = (
    ("fall", 24), ("frailty", 14), ("reduced_function", 10), ("urgent_equipment", 5), ("catheter_care", 6),
    ("diabetes", 4), ("carer_breakdown", 8), ("confusion", 10), ("end_of_life", 4),
    ("care_package_breakdown", 8), ("emergency_medication", 4), ("no_food_or_heating", 3),
)
# Relative number of crises by hour of the day, and the Friday afternoon effect on top.
_HOURS = (1, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 9, 9, 8, 6, 5, 4, 3, 2, 1)
_WEEKDAYS = (1.0, 0.95, 0.95, 1.0, 1.35, 0.9, 0.8)
_NEEDED = {
    "fall": "Fell at home, not hurt but cannot get up safely; lives alone",
    "frailty": "Much weaker over two days, not eating, struggling to get to the toilet",
    "reduced_function": "Cannot manage the stairs since the weekend; needs assessment and help at home",
    "urgent_equipment": "Needs a commode and a raised toilet seat today to stay at home",
    "catheter_care": "Catheter blocked, in discomfort",
    "diabetes": "Blood sugars high all day, carer worried",
    "carer_breakdown": "Wife who cares for him has been admitted; he cannot be left alone tonight",
    "confusion": "Suddenly confused since this morning, possible infection",
    "end_of_life": "Family asking for help tonight: pain not controlled, wishes to die at home",
    "care_package_breakdown": "Home care agency cannot cover from today; no one to help with meals and washing",
    "emergency_medication": "Run out of medication, surgery closed; needs tonight's doses",
    "no_food_or_heating": "No food in the house and the heating has failed; cold and hungry",
}
_PROVIDERS = ("Riverside Home Care", "Thameside Care at Home", "Northgate Community Carers", "Heron Homecare")
# fmt: on


@dataclass
class Drawn:
    crises: list[Crisis] = field(default_factory=list)
    later: list[tuple[Crisis, dict[str, Any]]] = field(default_factory=list)  # what follows once it has an id


def _moment(rng: random.Random, anchor: datetime, days: int) -> datetime:
    """A moment in the `days` before `anchor`, more often by day and on Friday afternoons."""
    while True:
        day = (anchor - timedelta(days=rng.randint(1, days))).date()
        weekday = day.weekday()
        weights = [w * (2.2 if weekday == 4 and 13 <= h <= 17 else 1) for h, w in enumerate(_HOURS)]
        hour = rng.choices(range(24), weights=weights)[0]
        if rng.random() * 1.35 <= _WEEKDAYS[weekday]:
            local = datetime.combine(day, datetime.min.time(), tzinfo=anchor.tzinfo)
            return (local + timedelta(hours=hour, minutes=rng.randrange(60))).astimezone(anchor.tzinfo)


def _minutes(rng: random.Random, median: float, spread: float, cap: float) -> timedelta:
    return timedelta(minutes=min(rng.lognormvariate(math.log(median), spread), cap))


class History:
    """Past crises, each routed as the default service hours and the demo rotas would have."""

    def __init__(self, staff: CrisisStaff, rng: random.Random, anchor: datetime) -> None:
        self.staff, self.rng, self.anchor = staff, rng, anchor
        self.raiser = staff.people["gita.gp"]

    def _owner(self, situation: Situation, code: str, teams: dict[str, Any], at: datetime) -> tuple:
        sector = situation.sector
        rota = self.staff.rotas[(code, sector)]
        if DEFAULT_SERVICE_HOURS[SECTOR_SERVICE[sector]].is_open(at):
            team = teams[IN_HOURS_KEY[sector]]
            return Basis.IN_HOURS, team, team.duty_worker_id, rota
        person = self.staff.people[self.rng.choice(first_on_call(code, sector))]
        return Basis.ON_CALL, rota.team, person.pk, rota

    def crisis(self, client: tuple[int, int, Any], code: str, teams: dict[str, Any]) -> tuple[Crisis, dict]:
        rng = self.rng
        client_id, locality_id, born = client
        situation = Situation(pick(rng, _SITUATIONS))
        raised = _moment(rng, self.anchor, 365)
        if raised.date() <= born:  # a baby born this year: the crisis comes after their birth
            first = datetime.combine(born, datetime.min.time(), tzinfo=self.anchor.tzinfo) + timedelta(days=1)
            raised = first + (self.anchor - first) * rng.random()
        basis, team, owner, rota = self._owner(situation, code, teams, raised)
        acknowledged = raised + _minutes(rng, 7, 0.7, 80)
        arrived = acknowledged + _minutes(rng, 60, 0.45, 300)
        cancelled = rng.random() < 0.04
        outcome = "" if cancelled else pick(rng, (("stayed_home", 68), ("admitted", 22), ("other", 10)))
        resolved = (raised + timedelta(minutes=20)) if cancelled else arrived + timedelta(hours=rng.uniform(1, 4))
        crisis = Crisis(
            client_id=client_id, locality_id=locality_id, situation=situation.value, sector=situation.sector.value,
            needed=_NEEDED[situation.value], raised_by=self.raiser, raised_channel="page", contact_name="Dr Gita Rao",
            contact_phone="020 7946 0106", contact_organisation="Wharfside Surgery", raised_at=raised,
            acknowledge_due_at=clock.acknowledge_due(raised), response_due_at=clock.response_due(raised),
            acknowledged_at=None if cancelled else acknowledged, acknowledged_by_id=None if cancelled else owner,
            arrived_at=None if cancelled else arrived, arrived_by_id=None if cancelled else owner,
            resolved_at=resolved, resolved_by_id=owner, state="cancelled" if cancelled else "resolved",
            basis=basis.value, service=SECTOR_SERVICE[situation.sector].value, rota=rota,
            in_hours_team=teams[IN_HOURS_KEY[situation.sector]],
            on_call_team=rota.team, owner_team=team, owner_id=owner, outcome=outcome,
            cancel_reason="Raised twice by mistake" if cancelled else "",
        )  # fmt: skip
        if outcome == "admitted" or (outcome == "stayed_home" and rng.random() < 0.04):
            crisis.admitted_at = resolved + timedelta(hours=rng.uniform(0.5, 30))
            crisis.admission_source_ref = f"demo-adt-{rng.randrange(10**9)}"
        return crisis, {"born": born, "bridging": outcome == "stayed_home" and rng.random() < 0.18}


def follow_on(
    crisis: Crisis, extra: dict[str, Any], rng: random.Random, brokerage_id: int, model: Any
) -> dict[str, list]:
    """The rows that hang off a past crisis: its history, actions, checklist and timeline lines."""
    rows: dict[str, list] = {"event": [], "action": [], "bridging": [], "check": [], "timeline": []}
    owner: int = crisis.owner_id or crisis.raised_by_id
    # No database ids in the words: the same seed tells the same story on any database.
    events = [("raised", crisis.raised_at, f"Crisis raised: {crisis.situation_label}")]
    if crisis.acknowledged_at:
        events.append(("acknowledged", crisis.acknowledged_at, "Crisis acknowledged"))
    if crisis.arrived_at:
        events.append(("arrived", crisis.arrived_at, "With the client"))
    closing = "Crisis " + (f"resolved: {crisis.get_outcome_display().lower()}" if crisis.outcome else "cancelled")
    assert crisis.resolved_at is not None
    events.append(("resolved" if crisis.outcome else "cancelled", crisis.resolved_at, closing))
    rows["event"] = [CrisisEvent(crisis=crisis, kind=k, at=at, actor_id=owner, summary=s) for k, at, s in events]
    rows["timeline"] = [
        TimelineEvent(
            client_id=crisis.client_id,
            occurred_at=at,
            kind=f"crisis_{k}",
            summary=s,
            source="crisis",
            actor_id=owner,
            object_type="Crisis",
            object_id=str(crisis.pk),
        )
        for k, at, s in (events[0], events[-1])
    ]
    if crisis.arrived_at and crisis.sector == Sector.HEALTH:
        rows["action"].append(CrisisAction(
            crisis=crisis, kind="rapid_response_visit", status="done", details="Assessment at home", owner_id=owner,
            created_by_id=owner, created_at=crisis.acknowledged_at or crisis.raised_at, updated_at=crisis.arrived_at,
            completed_at=crisis.arrived_at,
        ))  # fmt: skip
    if extra["bridging"] and crisis.arrived_at:
        hours = Decimal(rng.choice(("2.0", "3.0", "4.0", "6.0")))
        action = CrisisAction(
            crisis=crisis, kind="bridging_package", status="done", details="Personal care, meals and a night check",
            owner_team_id=brokerage_id, created_by_id=owner, created_at=crisis.arrived_at,
            updated_at=crisis.arrived_at + timedelta(hours=2), completed_at=crisis.arrived_at + timedelta(hours=3),
        )  # fmt: skip
        starts = crisis.arrived_at + timedelta(hours=3)
        source = funding_source(model, extra["born"], starts.date())
        rows["action"].append(action)
        rows["bridging"].append(BridgingPackage(
            action=action, care_tasks=action.details, hours_of_care=hours, starts_at=starts, ends_at=starts +
            timedelta(hours=72), provider=rng.choice(_PROVIDERS), cost=(hours * 3 * Decimal("28.50")).quantize(
                Decimal("0.01")), funding_source=source.value, governance_model=model.value,
            arranged_at=crisis.arrived_at + timedelta(hours=2),
        ))  # fmt: skip
    if crisis.outcome == "admitted":
        answers = {a.value: rng.choice(list(AlternativeAnswer)).value for a in Alternative}
        rows["check"].append(AdmissionCheck(
            crisis=crisis, answers=answers, reason="Needs hospital care: possible fracture on examination",
            recorded_by_id=owner, recorded_at=crisis.resolved_at,
        ))  # fmt: skip
    return rows


def open_now(
    staff: CrisisStaff, clients: list[tuple[int, int, Any]], rng: random.Random, now: datetime
) -> list[Crisis]:
    """A few crises raised in the last hour and a half, routed as they would be now, at every stage."""
    crises = []
    for number, (client_id, locality_id, _born) in enumerate(clients):
        situation = Situation(pick(rng, _SITUATIONS))
        raised = now - timedelta(minutes=5 + 17 * number % 95)
        found = route_crisis(situation, locality_id, raised)
        routed = found.route
        stage = number % 3
        owner = routed.person_id
        arrived = stage == 2 and raised < now - timedelta(minutes=50)
        crises.append(Crisis(
            client_id=client_id, locality_id=locality_id, situation=situation.value, sector=situation.sector.value,
            needed=_NEEDED[situation.value], raised_by=staff.people["gita.gp"], raised_channel="page",
            contact_name="Dr Gita Rao", contact_phone="020 7946 0106", raised_at=raised,
            acknowledge_due_at=clock.acknowledge_due(raised), response_due_at=clock.response_due(raised),
            acknowledged_at=raised + timedelta(minutes=4) if stage else None,
            acknowledged_by_id=owner if stage else None,
            arrived_at=raised + timedelta(minutes=50) if arrived else None, arrived_by_id=owner if arrived else None,
            state="arrived" if arrived else "acknowledged" if stage else "raised", basis=routed.basis.value,
            route_gap=routed.gap or "", service=routed.service.value, rota=found.rota,
            in_hours_team=found.in_hours_team, on_call_team=found.rota.team if found.rota else None,
            owner_team_id=routed.team_id, owner_id=owner, escalation_chain=list(routed.chain),
            escalated_levels=[], next_escalation_at=None if stage else clock.next_escalation(raised, [], 2),
        ))  # fmt: skip
    return crises


def now_or(anchor: datetime) -> datetime:
    """Now, if the seed is as of today; else the end of the as-of day before (events happen before it)."""
    now = timezone.now()
    return now if anchor <= now < anchor + timedelta(days=1) else anchor - timedelta(minutes=1)


def bulk(model: Any, rows: list) -> None:
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])


def sample_clients(rng: random.Random, count: int) -> list[tuple[int, int, Any]]:
    ids = list(Client.objects.filter(status="active").order_by("pk").values_list("pk", "locality_id", "date_of_birth"))
    return [rng.choice(ids) for _ in range(count)] if ids else []
