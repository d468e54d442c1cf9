"""The registry of agenda sources, and the sources this app provides.

An agenda source is a function from a locality and a period (since the last meeting)
to proposals: clients to discuss, each with a reason. Other parts register theirs in
their AppConfig.ready(), as the access policy's relationships are registered:

    from joinedup.careplans.agenda import AgendaSource, register_agenda_source
    register_agenda_source(AgendaSource("readmissions", "Readmissions and bounces", propose_readmissions))

A source reads what it needs with the ORM and returns plain `Proposal`s; it does not
check who may see the clients (careplans.rules.agenda.merge keeps only the clients the
coordinator may see) and it writes nothing. See docs/architecture.md, "MDT meetings".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from joinedup.careplans.models import AgendaRequest, CarePlan, FrailtyRecord, PlanStatus
from joinedup.careplans.rules.agenda import (
    PRIORITY_ADDED_BY_MEMBER,
    PRIORITY_DISPUTE,
    PRIORITY_FRAILTY,
    PRIORITY_OVERDUE_REVIEW,
    Period,
    Proposal,
)
from joinedup.careplans.rules.plans import FrailtyBand
from joinedup.handover.models import Dispute, DisputeState

Propose = Callable[[int, Period], Iterable[Proposal]]


@dataclass(frozen=True)
class AgendaSource:
    key: str
    label: str  # what the coordinator reads: "Open disputes"
    propose: Propose


_sources: dict[str, AgendaSource] = {}


def register_agenda_source(source: AgendaSource) -> None:
    _sources.setdefault(source.key, source)


def agenda_sources() -> tuple[AgendaSource, ...]:
    return tuple(_sources.values())


def source_labels() -> dict[str, str]:
    return {key: source.label for key, source in _sources.items()} | {"member": "Added by a member"}


def proposals_for(locality_id: int, period: Period) -> list[Proposal]:
    """Every registered source's proposals for the locality and period."""
    return [proposal for source in _sources.values() for proposal in source.propose(locality_id, period)]


def day_words(value: date | datetime) -> str:
    """A day as the agenda reads it, in London: "3 March" (the meeting knows the year)."""
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B}"


def open_disputes(locality_id: int, period: Period) -> list[Proposal]:
    """Every open dispute of the locality: the MDT decides it, whatever the period."""
    rows = Dispute.objects.filter(locality_id=locality_id, state=DisputeState.OPEN).select_related(
        "organisation_a", "organisation_b"
    )
    return [
        Proposal(
            d.client_id,
            "disputes",
            f"Open dispute #{d.pk} between {d.organisation_a.name} and {d.organisation_b.name}: "
            f"decide by {day_words(d.decide_by)}",
            PRIORITY_DISPUTE,
            f"dispute:{d.pk}",
        )
        for d in rows
    ]


def overdue_reviews(locality_id: int, period: Period) -> list[Proposal]:
    """Active care plans whose review date passed in the period (since the last meeting), unreviewed.

    Proposed once, at the first meeting after the date: the review stays a task of the plan's
    coordinator, and a member adds the client again if it is still not done (ADR 0038).
    """
    start, end = timezone.localtime(period.start).date(), timezone.localtime(period.end).date()
    rows = CarePlan.objects.filter(
        status=PlanStatus.ACTIVE, client__locality_id=locality_id, review_due__gte=start, review_due__lt=end
    ).values_list("pk", "client_id", "review_due")
    return [
        Proposal(
            client_id,
            "overdue_reviews",
            f"Care plan review was due on {day_words(due)}",
            PRIORITY_OVERDUE_REVIEW,
            f"care-plan:{plan_id}",
        )
        for plan_id, client_id, due in rows
    ]


def severe_frailty(locality_id: int, period: Period) -> list[Proposal]:
    """Clients whose electronic Frailty Index band became severe in the period (ADR 0036)."""
    start, end = (timezone.localtime(period.start).date(), timezone.localtime(period.end).date())
    candidates = set(
        FrailtyRecord.objects.filter(
            client__locality_id=locality_id, band=FrailtyBand.SEVERE, assessed_on__gte=start, assessed_on__lt=end
        ).values_list("client_id", flat=True)
    )
    history: dict[int, list[tuple[date, str]]] = {}
    rows = FrailtyRecord.objects.filter(client_id__in=candidates, assessed_on__lt=end).order_by("assessed_on", "id")
    for client_id, assessed_on, band in rows.values_list("client_id", "assessed_on", "band"):
        history.setdefault(client_id, []).append((assessed_on, band))
    found = []
    for client_id, bands in history.items():
        latest_day, latest = bands[-1]
        before = [band for day, band in bands if day < start]
        if latest == FrailtyBand.SEVERE and (not before or before[-1] != FrailtyBand.SEVERE):
            reason = f"Severe frailty recorded on {day_words(latest_day)} (electronic Frailty Index)"
            found.append(Proposal(client_id, "frailty", reason, PRIORITY_FRAILTY, f"frailty:{latest_day}"))
    return found


def added_by_members(locality_id: int, period: Period) -> list[Proposal]:
    """Clients a member asked the MDT to discuss, until a meeting has discussed them."""
    rows = AgendaRequest.objects.filter(
        locality_id=locality_id, discussed_in__isnull=True, requested_at__lt=period.end + timedelta(days=1)
    ).select_related("requested_by")
    return [
        Proposal(
            r.client_id,
            "member",
            f"{r.requested_by.display_name}: {r.reason}",
            PRIORITY_ADDED_BY_MEMBER,
            f"request:{r.pk}",
        )
        for r in rows
    ]


def register_own_sources() -> None:
    for source in (
        AgendaSource("disputes", "Open disputes", open_disputes),
        AgendaSource("overdue_reviews", "Overdue care plan reviews", overdue_reviews),
        AgendaSource("frailty", "Severe frailty", severe_frailty),
        AgendaSource("member", "Added by a member", added_by_members),
    ):
        register_agenda_source(source)
