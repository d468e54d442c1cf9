"""The shared visit calendar: a client's week (every organisation's visits) and a practitioner's own week.

Days when a client has more than one visit are marked, so the visits can be combined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from joinedup.careplans.models import Visit
from joinedup.careplans.rules import visits as rules
from joinedup.careplans.services.visits import find_duplicates
from joinedup.clients.models import Client
from joinedup.clients.queries import visible_client
from joinedup.core import audit
from joinedup.core.access import Actor, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.core.working_time import LONDON

_RELATED = ("practitioner", "organisation", "team", "trusted_competency")


@dataclass
class CalendarDay:
    day: date
    visits: list[Visit] = field(default_factory=list)
    others: dict[int, list[Visit]] = field(default_factory=dict)  # visit id -> the client's other visits that day

    @property
    def combinable(self) -> bool:
        return len([v for v in self.visits if v.status == rules.VisitStatus.PLANNED]) > 1


@dataclass
class Calendar:
    start: date
    days: list[CalendarDay]
    hidden: set[int] = field(default_factory=set)  # visits to clients the viewer may no longer see

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.start + timedelta(days=7)

    @property
    def count(self) -> int:
        return sum(len(d.visits) for d in self.days)


def _bounds(week_start: date) -> tuple[date, datetime, datetime]:
    monday, _ = rules.week_of(week_start)
    return (
        monday,
        datetime.combine(monday, time(0), LONDON),
        datetime.combine(monday + timedelta(days=7), time(0), LONDON),
    )


def _by_day(monday: date, visits: list[Visit]) -> list[CalendarDay]:
    days = [CalendarDay(monday + timedelta(days=n)) for n in range(7)]
    for visit in visits:
        index = (timezone.localtime(visit.starts_at).date() - monday).days
        if 0 <= index < 7:
            days[index].visits.append(visit)
    return days


def client_calendar(actor: Actor, client_id: int, week_start: date) -> tuple[Client, Calendar]:
    """Every organisation's visits to the client in the week of `week_start` (audited as a read of the client)."""
    client, _ = visible_client(actor, client_id, what="visits")
    monday, start, end = _bounds(week_start)
    visits = list(
        Visit.objects.filter(client=client, starts_at__gte=start, starts_at__lt=end).select_related(*_RELATED)
    )
    return client, Calendar(monday, _by_day(monday, visits))


def practitioner_calendar(actor: Actor, week_start: date) -> Calendar:
    """The actor's own visits in the week, with each client's other visits that day (to combine them)."""
    monday, start, end = _bounds(week_start)
    if actor.user_id is None:
        return Calendar(monday, _by_day(monday, []))
    mine = list(
        Visit.objects.filter(practitioner_id=actor.user_id, starts_at__gte=start, starts_at__lt=end).select_related(
            "client", *_RELATED
        )
    )
    ids = {v.client_id for v in mine}
    visible = set(visible_clients(actor, among=ids).values_list("pk", flat=True)) if ids else set()
    shown = [v for v in mine if v.client_id in visible]
    others = (
        Visit.objects.filter(client_id__in=visible, starts_at__gte=start, starts_at__lt=end)
        .exclude(practitioner_id=actor.user_id)
        .exclude(status=rules.VisitStatus.CANCELLED)
        .select_related(*_RELATED)
    )
    same_day: dict[tuple[int, date], list[Visit]] = {}
    for other in others:
        same_day.setdefault((other.client_id, timezone.localtime(other.starts_at).date()), []).append(other)
    calendar = Calendar(monday, _by_day(monday, mine), hidden={v.pk for v in mine if v.client_id not in visible})
    for day in calendar.days:
        day.others = {v.pk: same_day.get((v.client_id, day.day), []) for v in day.visits if v.client_id in visible}
    if shown:
        with transaction.atomic():
            audit.record_many(actor, [Entry("list", "Visit", v.pk, v.client_id, "own visits") for v in shown])
    return calendar


def duplicate_check(actor: Actor, client_id: int, proposed: rules.Proposed) -> list[rules.Duplicate]:
    """Before booking: other organisations' assessments of the same kind near the day (audited read)."""
    client, _ = visible_client(actor, client_id, what="duplicate assessment check")
    return find_duplicates(client.pk, proposed)


def visits_around(client: Client, day: date, days: int = 7) -> list[Visit]:
    """The client's visits within `days` of a day, for the booking form (client already read)."""
    start = datetime.combine(day - timedelta(days=days), time(0), LONDON)
    end = datetime.combine(day + timedelta(days=days + 1), time(0), LONDON)
    return list(Visit.objects.filter(client=client, starts_at__gte=start, starts_at__lt=end).select_related(*_RELATED))


def visit_of(actor: Actor, client_id: int, visit_id: int) -> tuple[Client, Visit, str]:
    """One visit of a client, and the reader's relationship to the client (audited)."""
    client, reason = visible_client(actor, client_id, what="visit")
    visit = Visit.objects.filter(pk=visit_id, client=client).select_related(*_RELATED).first()
    if visit is None:
        raise NotFound("visit")
    return client, visit, reason


def visit_context(actor: Actor, client_id: int) -> tuple[Client, str]:
    """The client a visit is booked for, and the booker's relationship (audited)."""
    return visible_client(actor, client_id, what="visit booking")
