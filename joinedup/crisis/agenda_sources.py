"""The crisis pathway's agenda source for the locality MDT: crises since the last meeting, and any still open.

Registered in CrisisConfig.ready() with careplans' registry (crisis depends on careplans, never the
other way: ADR 0040). It reads, checks no access (the agenda keeps only the clients the coordinator
may see) and writes nothing. A cancelled crisis (raised in error, or no longer needed) is not proposed.
"""

from __future__ import annotations

from django.db.models import Q

from joinedup.careplans.agenda import day_words
from joinedup.careplans.rules.agenda import PRIORITY_CRISIS, Period, Proposal
from joinedup.crisis.models import OPEN_STATES, Crisis, CrisisState
from joinedup.crisis.outcomes import Outcome

SOURCE = "crises"
_FIELDS = ("id", "client_id", "situation", "state", "raised_at", "outcome", "outcome_note", "admitted_at")


def crisis_reason(crisis: Crisis) -> str:
    """The reason as the meeting reads it: "Crisis on 3 March: Fall... Outcome: stayed at home", or its state."""
    text = f"Crisis on {day_words(crisis.raised_at)}: {crisis.situation_label}"
    if crisis.state == CrisisState.RESOLVED and crisis.outcome:
        text += f". Outcome: {Outcome(crisis.outcome).label.lower()}"
        if crisis.outcome == Outcome.OTHER and crisis.outcome_note:
            text += f" ({crisis.outcome_note[:120]})"
    else:
        text += f". Still open: {CrisisState(crisis.state).label.lower()}"
    if crisis.admitted_at is not None and crisis.outcome != Outcome.ADMITTED:
        text += f"; admitted to hospital on {day_words(crisis.admitted_at)}"
    return text


def crises(locality_id: int, period: Period) -> list[Proposal]:
    """The agenda source: the locality's clients' crises raised in the period, and those still open."""
    raised_in = Q(raised_at__gte=period.start)
    still_open = Q(state__in=[state.value for state in OPEN_STATES])
    rows = (
        Crisis.objects.filter(raised_in | still_open, client__locality_id=locality_id, raised_at__lt=period.end)
        .exclude(state=CrisisState.CANCELLED)
        .only(*_FIELDS)
        .order_by("raised_at", "pk")
    )
    return [Proposal(c.client_id, SOURCE, crisis_reason(c), PRIORITY_CRISIS, f"crisis:{c.pk}") for c in rows]
