"""Raise access alerts from the audit log: run by `joinedup tick` (ADR 0045).

Reads the events written since the last scan (and those of the settling time before it again,
so that a transaction that committed late is not missed), applies the rules of
`governance.rules`, and stores each new alert once: raising is idempotent, by the alert's unique
key. New alerts are audited (the system raised them) and the information governance leads they
concern are told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.core import audit
from joinedup.core.access import SYSTEM
from joinedup.core.audit import Entry
from joinedup.core.models import AuditEvent
from joinedup.core.roles import Role
from joinedup.directory.models import Practitioner
from joinedup.governance import rules
from joinedup.governance.models import AccessAlert, AlertScan
from joinedup.governance.rules import ALERT_OBJECT, EMERGENCY_ACCESS, LONDON, VIEW, AlertRule, Household, Key
from joinedup.tasks.services import notify

BATCH = 2000


class Event(NamedTuple):
    id: int
    occurred_at: datetime
    actor_id: int
    client_id: int
    action: str
    reason: str


@dataclass
class ScanReport:
    events_read: int = 0
    raised: dict[str, int] = field(default_factory=dict)
    last_event_id: int = 0

    @property
    def total(self) -> int:
        return sum(self.raised.values())


def _relevant(after: int, limit: int) -> list[Event]:
    looked = Q(action=VIEW) | Q(action=EMERGENCY_ACCESS)
    rows = (
        AuditEvent.objects.filter(looked, id__gt=after, outcome="success", client_id__isnull=False)
        .exclude(actor_id__isnull=True)
        .exclude(object_type=ALERT_OBJECT)
        .order_by("id")
        .values_list("id", "occurred_at", "actor_id", "client_id", "action", "reason")[:limit]
    )
    # The filter leaves no event without an actor or a client.
    return [
        Event(pk, when, int(actor or 0), int(client or 0), action, reason)
        for pk, when, actor, client, action, reason in rows
    ]


def _day_bounds(days: set[date]) -> tuple[datetime, datetime]:
    start = datetime.combine(min(days), time(), tzinfo=LONDON)
    end = datetime.combine(max(days) + timedelta(days=1), time(), tzinfo=LONDON)
    return start, end


def _frequent(keys: set[Key]) -> dict[Key, rules.Crossing]:
    """Of these (practitioner, client, day), those over the threshold, counting every view of the day."""
    start, end = _day_bounds({day for _, _, day in keys})
    views = (
        AuditEvent.objects.filter(
            action=VIEW,
            outcome="success",
            actor_id__in={who for who, _, _ in keys},
            client_id__in={client for _, client, _ in keys},
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .exclude(object_type=ALERT_OBJECT)
        .values_list("id", "actor_id", "client_id", "occurred_at")
    )
    found = rules.frequent_viewing(
        ((pk, int(who or 0), int(client or 0), when) for pk, who, client, when in views),
        settings.JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY,
    )
    return {key: crossing for key, crossing in found.items() if key in keys}


def _alert(rule: AlertRule, event: Event, staff: Practitioner, client: Client, detail: dict) -> AccessAlert:
    return AccessAlert(
        rule=rule,
        practitioner_id=staff.pk,
        client_id=client.pk,
        staff_organisation_id=staff.organisation_id,
        holding_organisation_id=client.holding_organisation_id,
        day=rules.london_day(event.occurred_at),
        audit_event_id=event.id,
        occurred_at=event.occurred_at,
        raised_at=timezone.now(),
        detail=detail,
    )


def _people(events: Sequence[Event]) -> tuple[dict[int, Practitioner], dict[int, Client]]:
    staff = Practitioner.objects.only("last_name", "home_address", "home_postcode", "organisation_id")
    clients = Client.objects.only("family_name", "address", "postcode", "holding_organisation_id")
    return (
        staff.in_bulk({e.actor_id for e in events}),
        clients.in_bulk({e.client_id for e in events}),
    )


def _candidates(events: Sequence[Event]) -> list[AccessAlert]:
    """Every alert these events raise, whether or not it was raised before."""
    staff, clients = _people(events)
    events = [e for e in events if e.actor_id in staff and e.client_id in clients]
    found = []
    first_view: dict[Key, Event] = {}
    for event in events:
        if event.action == EMERGENCY_ACCESS:
            person, client = staff[event.actor_id], clients[event.client_id]
            found.append(_alert(AlertRule.EMERGENCY_ACCESS, event, person, client, {"reason": event.reason}))
        else:
            first_view.setdefault((event.actor_id, event.client_id, rules.london_day(event.occurred_at)), event)
    if not first_view:
        return found
    threshold = settings.JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY
    for (who, client_id, _), crossing in _frequent(set(first_view)).items():
        event = Event(crossing.event_id, crossing.at, who, client_id, VIEW, "")
        detail = {"views": crossing.count, "threshold": threshold}
        found.append(_alert(AlertRule.FREQUENT_VIEWING, event, staff[who], clients[client_id], detail))
    for (who, client_id, _), event in first_view.items():
        person, client = staff[who], clients[client_id]
        home = Household(person.last_name, person.home_address or "", person.home_postcode or "")
        match = rules.same_household(home, Household(client.family_name, client.address, client.postcode))
        if match:
            found.append(_alert(AlertRule.OWN_SURNAME_AND_ADDRESS, event, person, client, {"same": match}))
    return found


def _key(alert: AccessAlert) -> tuple[object, ...]:
    if alert.rule == AlertRule.EMERGENCY_ACCESS:
        return (alert.rule, alert.audit_event_id)
    return (alert.rule, alert.practitioner_id, alert.client_id, alert.day)


def _new(candidates: list[AccessAlert]) -> list[AccessAlert]:
    """The candidates not raised before (the scan's lock keeps two scans from racing here)."""
    emergency = [a.audit_event_id for a in candidates if a.rule == AlertRule.EMERGENCY_ACCESS]
    others = [a for a in candidates if a.rule != AlertRule.EMERGENCY_ACCESS]
    raised = AccessAlert.objects.filter(rule=AlertRule.EMERGENCY_ACCESS, audit_event_id__in=emergency)
    seen: set[tuple[object, ...]] = {
        (AlertRule.EMERGENCY_ACCESS.value, event) for event in raised.values_list("audit_event_id", flat=True)
    }
    if others:
        seen |= set(
            AccessAlert.objects.exclude(rule=AlertRule.EMERGENCY_ACCESS)
            .filter(
                practitioner_id__in={a.practitioner_id for a in others},
                client_id__in={a.client_id for a in others},
                day__in={a.day for a in others},
            )
            .values_list("rule", "practitioner_id", "client_id", "day")
        )
    new = []
    for alert in candidates:
        key = _key(alert)
        if key not in seen:
            seen.add(key)
            new.append(alert)
    return new


def _tell_leads(alerts: list[AccessAlert]) -> None:
    """Each information governance lead concerned: how many new alerts they have to review."""
    per_organisation: dict[int, set[int]] = defaultdict(set)
    for alert in alerts:
        for organisation in (alert.staff_organisation_id, alert.holding_organisation_id):
            if organisation is not None:
                per_organisation[organisation].add(alert.pk)
    leads = Practitioner.objects.filter(
        groups__name=Role.INFORMATION_GOVERNANCE_LEAD.value, is_active=True, organisation_id__in=list(per_organisation)
    ).values_list("pk", "organisation_id")
    for lead, organisation in leads:
        count = len(per_organisation[organisation])
        words = "a new access alert" if count == 1 else f"{count} new access alerts"
        notify([lead], f"JoinedUp raised {words} to review", link="/governance/alerts/")


def _raise(events: list[Event]) -> list[AccessAlert]:
    alerts = _new(_candidates(events))
    if not alerts:
        return []
    AccessAlert.objects.bulk_create(alerts)
    audit.record_many(
        SYSTEM,
        [
            Entry("raise", ALERT_OBJECT, a.pk, None, f"access alert: {a.rule}", detail={"event": a.audit_event_id})
            for a in alerts
        ],
    )
    _tell_leads(alerts)
    return alerts


def _locked_state() -> AlertScan:
    state = AlertScan.objects.select_for_update().filter(pk=1).first()
    return state if state is not None else AlertScan.objects.create(pk=1)


def scan(*, batch: int = BATCH, most: int = 50_000) -> ScanReport:
    """Read what the audit log holds since the last scan (at most `most` events a run) and raise alerts."""
    now = timezone.now()
    settled_before = now - timedelta(minutes=settings.JOINEDUP_ACCESS_ALERT_SETTLE_MINUTES)
    report = ScanReport()
    with transaction.atomic():
        state = _locked_state()
        start = cursor = state.last_event_id
        finished = False
        while report.events_read < most:
            events = _relevant(cursor, batch)
            for alert in _raise(events):
                report.raised[alert.rule] = report.raised.get(alert.rule, 0) + 1
            report.events_read += len(events)
            if len(events) < batch:
                finished = True
                break
            cursor = events[-1].id
        # Only what is older than the settling time is done with: newer events are read again next time.
        settled = AuditEvent.objects.filter(id__gt=start, occurred_at__lt=settled_before).aggregate(Max("id"))
        newest_settled = settled["id__max"] or start
        state.last_event_id = newest_settled if finished else min(newest_settled, cursor)
        state.scanned_at = now
        state.save()
        report.last_event_id = state.last_event_id
    return report
