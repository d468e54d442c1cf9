"""Reads of access alerts: for information governance leads only, scoped to their organisation, audited.

An information governance lead sees the alerts about their organisation's staff and about the
clients whose record their organisation holds. Anyone else gets "not found", as for a record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet

from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.core.models import AuditEvent
from joinedup.core.roles import Role
from joinedup.governance.models import AccessAlert
from joinedup.governance.rules import ALERT_OBJECT, LONDON, AlertStatus

STATUSES = ("open", "acknowledged", "closed", "all")
PAGE_SIZE = 50
EVENTS_SHOWN = 200
_RELATED = ("practitioner", "client", "staff_organisation", "holding_organisation")


def is_information_governance_lead(actor: Actor) -> bool:
    return actor.has_role(Role.INFORMATION_GOVERNANCE_LEAD) and actor.organisation_id is not None


def alerts_in_scope(actor: Actor) -> QuerySet[AccessAlert]:
    """Every alert this actor may review; NotFound for anyone who is not an information governance lead."""
    if not is_information_governance_lead(actor):
        raise NotFound("page")
    mine = Q(staff_organisation_id=actor.organisation_id) | Q(holding_organisation_id=actor.organisation_id)
    return AccessAlert.objects.filter(mine)


@dataclass(frozen=True)
class AlertPage:
    alerts: list[AccessAlert]
    status: str
    number: int
    has_next: bool
    open_count: int


def alert_list(actor: Actor, *, status: str = "open", page: int = 1) -> AlertPage:
    """A page of alerts, newest first; an unknown status shows the open ones. One audit event per alert shown."""
    status = status if status in STATUSES else "open"
    scope = alerts_in_scope(actor)
    shown = scope if status == "all" else scope.filter(status=status)
    page = max(page, 1)
    rows = list(
        shown.select_related(*_RELATED).order_by("-occurred_at", "-id")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1]
    )
    alerts = rows[:PAGE_SIZE]
    detail = {"list": "access alerts", "status": status, "page": page}
    reason = "information governance review"
    entries = [Entry("list", ALERT_OBJECT, a.pk, a.client_id, reason, detail=detail) for a in alerts]
    with transaction.atomic():
        audit.record_many(actor, entries)
    open_count = scope.filter(status=AlertStatus.OPEN).count()
    return AlertPage(alerts, status, page, len(rows) > PAGE_SIZE, open_count)


@dataclass(frozen=True)
class AlertView:
    alert: AccessAlert
    events: list[AuditEvent]  # what the practitioner did about the client that day, newest first
    own: bool  # the alert is about the reviewer's own access: someone else must review it


def _that_day(alert: AccessAlert) -> list[AuditEvent]:
    start = datetime.combine(alert.day, time(), tzinfo=LONDON)
    end = datetime.combine(alert.day + timedelta(days=1), time(), tzinfo=LONDON)
    events = AuditEvent.objects.filter(
        actor_id=alert.practitioner_id, client_id=alert.client_id, occurred_at__gte=start, occurred_at__lt=end
    )
    return list(events.order_by("-id")[:EVENTS_SHOWN])


def alert_view(actor: Actor, alert_id: int) -> AlertView:
    """One alert with the practitioner's audit events about the client that London day; audited as a view."""
    alert = alerts_in_scope(actor).select_related(*_RELATED, "acknowledged_by", "closed_by").filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("alert")
    with transaction.atomic():
        audit.record(
            actor,
            "view",
            object_type=ALERT_OBJECT,
            object_id=alert.pk,
            client_id=alert.client_id,
            reason="information governance review",
            detail={"rule": alert.rule},
        )
    return AlertView(alert, _that_day(alert), own=alert.practitioner_id == actor.user_id)
