"""The crisis part of `joinedup tick`: late acknowledgements escalate down the rota, a missed
2-hour target goes to the service manager, and gaps in the rotas ahead raise alerts.

Idempotent: each escalation level is one `CrisisEscalation(crisis, level)` (unique), and
`escalated_levels` / `next_escalation_at` / `response_escalated_at` move on with it; a gap
ahead is one `RotaAlert(rota, starts_at)`. Each crisis is one transaction, its row locked
(skipped by a second tick on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.management.base import OutputWrapper
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import SYSTEM
from joinedup.crisis import config, responders
from joinedup.crisis.alerts import alert_gap_ahead
from joinedup.crisis.clock import Step, escalations_due, next_escalation
from joinedup.crisis.models import Crisis, CrisisEscalation, CrisisEvent, CrisisState, Rota
from joinedup.crisis.routing import rota_facts, shifts_around
from joinedup.crisis.rules import SECTOR_SERVICE, Sector, uncovered
from joinedup.directory.models import Practitioner
from joinedup.tasks.services import create_task, notify

SOURCE = "crisis"


@dataclass
class CrisisTickReport:
    escalations: int = 0
    responses_overdue: int = 0
    gaps_ahead: int = 0
    gaps: list[str] = field(default_factory=list)


def _locked(ids: list[int]) -> QuerySet[Crisis]:
    query = Crisis.objects.select_related("client", "locality", "owner_team").filter(pk__in=ids)
    if connection.features.has_select_for_update_skip_locked:
        return query.select_for_update(skip_locked=True, of=("self",))
    return query


def _tell(crisis: Crisis, person_id: int | None, message: str, level: int, due_at: datetime) -> CrisisEscalation:
    """A task and a notification for the person (or every member of the owning team), and the row."""
    task = create_task(
        SYSTEM, title=message[:200], due_at=timezone.now(), client=crisis.client, source=SOURCE,
        source_ref=f"crisis:{crisis.pk}:escalation:{level}", owner_practitioner_id=person_id,
        owner_team_id=None if person_id else crisis.owner_team_id,
    )  # fmt: skip
    people = [person_id] if person_id else list(crisis.owner_team.memberships.values_list("practitioner_id", flat=True))
    notify(people, message, link=f"/crisis/{crisis.pk}/", client=crisis.client)
    gap = "" if person_id else "Nobody named at this level: every member of the owning team was told"
    return CrisisEscalation.objects.create(
        crisis=crisis, level=level, due_at=due_at, made_at=timezone.now(), recipient_id=person_id, task=task, gap=gap
    )


def _record(crisis: Crisis, kind: str, summary: str, detail: dict[str, object]) -> None:
    CrisisEvent.objects.create(crisis=crisis, kind=kind, at=timezone.now(), summary=summary[:500])
    add_timeline_event(crisis.client, f"crisis_{kind}", summary, source=SOURCE, actor=SYSTEM, obj=crisis)
    audit.record(
        SYSTEM, "escalate", object_type="Crisis", object_id=crisis.pk, client_id=crisis.client_id,
        reason="crisis clock", detail=detail,
    )  # fmt: skip


def _escalate(crisis: Crisis, step: Step, report: CrisisTickReport) -> None:
    name = Practitioner.objects.filter(pk=step.recipient_id).first() if step.recipient_id else None
    who = name.display_name if name else f"the members of {crisis.owner_team.name}"
    message = (
        f"Crisis #{crisis.pk} in {crisis.locality.name} is not acknowledged after {15 * step.level} minutes: "
        f"it is yours now (escalation {step.level})"
    )
    escalation = _tell(crisis, step.recipient_id, message, step.level, step.due_at)
    if step.recipient_id:
        crisis.owner_id = step.recipient_id
        responders.add(crisis, "escalated", people=[step.recipient_id])
    if escalation.gap:
        report.gaps.append(f"crisis #{crisis.pk}: {escalation.gap}")
    _record(crisis, "escalated", f"Not acknowledged: escalated to {who} (level {step.level})", {"level": step.level})
    report.escalations += 1


def _acknowledgements(now: datetime, report: CrisisTickReport) -> None:
    due = list(
        Crisis.objects.filter(next_escalation_at__lte=now, state=CrisisState.RAISED)
        .order_by("next_escalation_at", "id")
        .values_list("pk", flat=True)
    )
    for crisis_id in due:
        with transaction.atomic():
            for crisis in _locked([crisis_id]):
                if crisis.state != CrisisState.RAISED:
                    continue
                chain = list(crisis.escalation_chain)
                for step in escalations_due(crisis.raised_at, now, crisis.escalated_levels, chain):
                    _escalate(crisis, step, report)
                    crisis.escalated_levels = sorted({*crisis.escalated_levels, step.level})
                crisis.next_escalation_at = next_escalation(crisis.raised_at, crisis.escalated_levels, len(chain))
                crisis.save(update_fields=["escalated_levels", "next_escalation_at", "owner", "updated_at"])


def _service_manager(crisis: Crisis) -> int | None:
    if crisis.rota_id and crisis.rota is not None:
        return crisis.rota.manager_id
    return crisis.owner_team.manager_id


def _responses(now: datetime, report: CrisisTickReport) -> None:
    due = list(
        Crisis.objects.filter(
            state__in=(CrisisState.RAISED, CrisisState.ACKNOWLEDGED),
            response_due_at__lte=now,
            response_escalated_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    for crisis_id in due:
        with transaction.atomic():
            for crisis in _locked([crisis_id]).select_related("rota"):
                if crisis.arrived_at is not None or crisis.response_escalated_at is not None:
                    continue
                manager = _service_manager(crisis)
                message = f"Crisis #{crisis.pk} in {crisis.locality.name}: nobody is with the client after 2 hours"
                _tell(crisis, manager, message, CrisisEscalation.RESPONSE_OVERDUE, crisis.response_due_at)
                crisis.response_escalated_at = now
                crisis.save(update_fields=["response_escalated_at", "updated_at"])
                _record(
                    crisis, "overdue", "The 2-hour response target passed: the service manager is told", {"level": 0}
                )
                report.responses_overdue += 1


def _gaps_ahead(now: datetime, report: CrisisTickReport) -> None:
    horizon = now + timedelta(hours=config.lookahead_hours())
    hours = config.service_hours()
    for rota in Rota.objects.select_related("locality", "team"):
        facts = rota_facts(rota, shifts_around(rota, now))
        service_hours = hours[SECTOR_SERVICE[Sector(rota.sector)]]
        for starts, ends in uncovered(facts, service_hours, now, horizon):
            if alert_gap_ahead(rota, starts, ends) is not None:
                report.gaps_ahead += 1
                report.gaps.append(f"{rota}: nobody on call from {timezone.localtime(starts):%a %d %b %H:%M}")


def tick_crises(now: datetime | None = None, progress: Callable[[str], None] | None = None) -> CrisisTickReport:
    """Everything the crisis clock and the rotas need doing by `now`."""
    now = now or timezone.now()
    report = CrisisTickReport()
    _acknowledgements(now, report)
    _responses(now, report)
    _gaps_ahead(now, report)
    return report


def run_for_command(stdout: OutputWrapper, verbosity: int, repeating: bool) -> CrisisTickReport:
    """`joinedup tick`'s crisis line: what was escalated, and every gap (silent when repeating and idle)."""
    report = tick_crises()
    busy = report.escalations or report.responses_overdue or report.gaps_ahead
    if verbosity > 0 and (busy or not repeating):
        stdout.write(
            f"crisis tick: {report.escalations} acknowledgement escalations, {report.responses_overdue} responses "
            f"overdue, {report.gaps_ahead} rota gaps ahead"
        )
        for gap in report.gaps:
            stdout.write(f"  {gap}")
    return report
