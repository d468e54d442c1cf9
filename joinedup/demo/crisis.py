"""Seeding the demo borough's crisis pathway (called once by demo.seeding, in its transaction):
on-call staff and rotas (crisis_staff), a year of crises and a few open now (crisis_history).
Returns the rows written, by table, for the seed's one audit event."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from joinedup.clients.models import TimelineEvent
from joinedup.crisis.models import (
    AdmissionCheck,
    BridgingPackage,
    Crisis,
    CrisisAction,
    CrisisEvent,
    Responder,
    RotaShift,
)
from joinedup.demo.borough import LOCALITIES, BuiltBorough
from joinedup.demo.crisis_history import History, bulk, follow_on, now_or, open_now, sample_clients
from joinedup.demo.crisis_staff import build_shifts, build_staff
from joinedup.demo.population import Population
from joinedup.handover.config import governance_model

CLIENTS_PER_CRISIS = 10  # a year of crises: about one for every ten clients
OPEN_NOW = 6


def seed_crisis_pathway(built: BuiltBorough, population: Population) -> dict[str, int]:
    anchor = population.plan.anchor
    now = now_or(anchor)
    rng = random.Random(population.rng.getrandbits(64))  # noqa: S311 (synthetic data)
    staff = build_staff(built, anchor)
    counts: Counter[str] = Counter({"rota": len(staff.rotas), "rota_shift": build_shifts(staff, anchor, now)})
    codes = {built.localities[place.code].pk: place.code for place in LOCALITIES}
    teams = {
        code: {"rapid_response": built.teams["rapid_response"], "social_work": built.teams[f"{code}:social_work"]}
        for code in codes.values()
    }
    clients = open_in_every_locality(sample_clients(rng, population.total // CLIENTS_PER_CRISIS + OPEN_NOW), OPEN_NOW)
    if not clients:
        return dict(counts)
    history = History(staff, rng, anchor)
    drawn = [history.crisis(client, codes[client[1]], teams[codes[client[1]]]) for client in clients[OPEN_NOW:]]
    current = open_now(staff, clients[:OPEN_NOW], rng, now)
    bulk(Crisis, [crisis for crisis, _ in drawn] + current)
    rows: dict[str, list[Any]] = {"event": [], "action": [], "bridging": [], "check": [], "timeline": []}
    model, brokerage = governance_model(), built.teams["brokerage"].pk
    for crisis, extra in drawn:
        for key, found in follow_on(crisis, extra, rng, brokerage, model).items():
            rows[key].extend(found)
    rows["event"] += [
        CrisisEvent(crisis=c, kind="raised", at=c.raised_at, summary=f"Crisis #{c.pk} raised") for c in current
    ]
    for model_class, key in (
        (CrisisEvent, "event"), (CrisisAction, "action"), (BridgingPackage, "bridging"), (AdmissionCheck, "check"),
        (TimelineEvent, "timeline"),
    ):  # fmt: skip
        bulk(model_class, rows[key])
        counts[f"crisis_{key}"] = len(rows[key])
    counts["crisis_responder"] = _responders(current, [c for c, _ in drawn], now)
    counts["crisis"] = len(drawn) + len(current)
    _analyse()
    return dict(counts)


def open_in_every_locality(clients: list[tuple[int, int, Any]], open_now: int) -> list[tuple[int, int, Any]]:
    """The sampled clients, the first `open_now` of them to have a crisis open now: each locality drawn
    gets one of those if it can, so every MDT's next agenda has a crisis. A client of a locality without
    one trades places with a client of a locality that has several; no new draws, so a sample that
    already had one everywhere is unchanged."""
    chosen, rest = list(clients[:open_now]), list(clients[open_now:])
    for locality in dict.fromkeys(locality for _, locality, _ in clients):
        counts = Counter(c[1] for c in chosen)
        donor = next((i for i, c in enumerate(rest) if c[1] == locality), None)
        slot = next((i for i in reversed(range(len(chosen))) if counts[chosen[i][1]] > 1), None)  # the last drawn
        if counts[locality] == 0 and donor is not None and slot is not None:
            chosen[slot], rest[donor] = rest[donor], chosen[slot]
    return chosen + rest


def _analyse() -> None:
    """Fresh planner statistics for the tables just filled: without them PostgreSQL plans the board's
    scope from empty-table estimates until autovacuum comes by (25 ms instead of 2, measured)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Crisis, Responder, CrisisAction, CrisisEvent, BridgingPackage, RotaShift):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _responders(current: list[Crisis], past: list[Crisis], now: datetime) -> int:
    """Who responds to the open crises, and to those closed in the last two days (the access policy's rows)."""
    rows = []
    recent = [c for c in past if c.resolved_at is not None and c.resolved_at > now - timedelta(days=2)]
    for crisis in [*current, *recent]:
        teams = {crisis.owner_team_id, crisis.in_hours_team_id, crisis.on_call_team_id} - {None}
        rows += [Responder(crisis=crisis, client_id=crisis.client_id, team_id=t, why="routed",
                           closed_at=crisis.resolved_at) for t in teams]  # fmt: skip
        if crisis.owner_id:
            rows.append(Responder(crisis=crisis, client_id=crisis.client_id, practitioner_id=crisis.owner_id,
                                  why="routed", closed_at=crisis.resolved_at))  # fmt: skip
    bulk(Responder, rows)
    return len(rows)
