"""Reads of the hospital feed's data: scoped by the actor's access and audited, like every read.

- a client's hospital journey, spells and bounces: through clients.queries.visible_client;
- worklists (follow-up due, overdue, bounced): only clients in visible_clients(actor),
  one audit event per client listed;
- feed exceptions: only for members of the team that owns them (they hold raw messages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.clients.queries import visible_client
from joinedup.core import audit
from joinedup.core.access import Actor, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.hospital.models import BounceEvent, ExceptionStatus, FeedException, FollowUp, Spell
from joinedup.tasks.models import OPEN_TASK_STATUSES

WORKLISTS = ("due", "overdue", "bounced")
PAGE = 50


@dataclass(frozen=True)
class Journey:
    client: Client
    spells: list[Spell]  # newest first, with events, diagnoses and follow-ups prefetched
    bounces: list[BounceEvent]


def _spells(client: Client) -> list[Spell]:
    return list(
        Spell.objects.filter(client=client)
        .prefetch_related("events", "diagnoses", "follow_ups__task__owner_team")
        .order_by("-id")
    )


def journey(actor: Actor, client_id: int) -> Journey:
    """A client's hospital journey: every stay, with its moves, diagnoses, follow-ups and bounces."""
    client, _ = visible_client(actor, client_id, what="hospital journey")
    return Journey(client, _spells(client), list(BounceEvent.objects.filter(client=client)))


def client_spells(actor: Actor, client_id: int) -> tuple[Client, list[Spell]]:
    client, _ = visible_client(actor, client_id, what="hospital spells")
    return client, _spells(client)


def client_bounces(actor: Actor, client_id: int) -> tuple[Client, list[BounceEvent]]:
    client, _ = visible_client(actor, client_id, what="bounces")
    return client, list(BounceEvent.objects.filter(client=client).select_related("spell", "previous_spell"))


@dataclass(frozen=True)
class RecordSummary:
    """What the client record shows of the hospital: the stay now, the last discharge, open follow-ups."""

    current: Spell | None
    last_discharge: Spell | None
    open_follow_ups: int
    bounces: int


def record_summary(client: Client) -> RecordSummary:
    """For the client record page, whose own query has checked and audited the view of this client."""
    spells = list(Spell.objects.filter(client=client).exclude(status="cancelled").order_by("-id")[:20])
    current = next((s for s in spells if s.status in ("admitted", "expected")), None)
    last = next((s for s in spells if s.status == "discharged"), None)
    follow_ups = FollowUp.objects.filter(spell__client=client, task__status__in=OPEN_TASK_STATUSES).count()
    return RecordSummary(current, last, follow_ups, BounceEvent.objects.filter(client=client).count())


def _audit_listed(actor: Actor, name: str, client_ids: list[int]) -> None:
    entries = [Entry("list", "Client", pk, pk, f"listed in the hospital worklist '{name}'") for pk in client_ids]
    with transaction.atomic():
        audit.record_many(actor, entries)


def follow_ups(actor: Actor, which: str, *, page: int = 1) -> tuple[list[FollowUp], bool]:
    """Discharge follow-ups still open: 'due' (not yet due) or 'overdue', soonest first."""
    now = timezone.now()
    rows = FollowUp.objects.filter(
        task__status__in=OPEN_TASK_STATUSES, spell__client__in=visible_clients(actor).values("pk")
    )
    rows = rows.filter(task__due_at__lt=now) if which == "overdue" else rows.filter(task__due_at__gte=now)
    found = list(
        rows.select_related("task", "task__owner_team", "spell", "spell__client").order_by("task__due_at", "id")[
            (page - 1) * PAGE : page * PAGE + 1
        ]
    )
    shown = found[:PAGE]
    _audit_listed(actor, which, list(dict.fromkeys(f.spell.client_id for f in shown)))
    return shown, len(found) > PAGE


def bounced(actor: Actor, *, days: int = 90, page: int = 1) -> tuple[list[BounceEvent], bool]:
    since = timezone.now() - timedelta(days=days)
    rows = BounceEvent.objects.filter(occurred_at__gte=since, client__in=visible_clients(actor).values("pk"))
    found = list(
        rows.select_related("client", "spell", "previous_spell").order_by("-occurred_at", "-id")[
            (page - 1) * PAGE : page * PAGE + 1
        ]
    )
    shown = found[:PAGE]
    _audit_listed(actor, "bounced", list(dict.fromkeys(b.client_id for b in shown)))
    return shown, len(found) > PAGE


def _exceptions_of(actor: Actor) -> QuerySet[FeedException]:
    return FeedException.objects.filter(owner_team_id__in=actor.team_ids)


def feed_exceptions(
    actor: Actor, *, status: str = ExceptionStatus.OPEN, page: int = 1
) -> tuple[list[FeedException], bool]:
    """Feed exceptions owned by the actor's teams, oldest first (resolved ones newest first)."""
    rows = _exceptions_of(actor).filter(status=status).select_related("message", "owner_team")
    rows = rows.order_by("created_at", "id") if status == ExceptionStatus.OPEN else rows.order_by("-resolved_at", "-id")
    found = list(rows[(page - 1) * PAGE : page * PAGE + 1])
    shown = found[:PAGE]
    entries = [Entry("list", "FeedException", e.pk, e.message.client_id, "feed exceptions worklist") for e in shown]
    with transaction.atomic():
        audit.record_many(actor, entries)
    return shown, len(found) > PAGE


def open_exception_count(actor: Actor) -> int:
    return _exceptions_of(actor).filter(status=ExceptionStatus.OPEN).count() if actor.team_ids else 0


def feed_exception(actor: Actor, exception_id: int) -> FeedException:
    """One exception with its raw message and the ACK sent: for members of the owning team only."""
    exception = (
        FeedException.objects.select_related("message", "owner_team", "resolved_by", "matched_client")
        .filter(pk=exception_id)
        .first()
    )
    if exception is None or exception.owner_team_id not in actor.team_ids:
        with transaction.atomic():
            audit.record(
                actor,
                "view",
                object_type="FeedException",
                object_id=exception_id,
                outcome="refused",
                reason="not a member of the owning team",
            )
        raise NotFound("feed exception")
    with transaction.atomic():
        audit.record(
            actor,
            "view",
            object_type="FeedException",
            object_id=exception.pk,
            client_id=exception.message.client_id,
            reason="member of the team that owns feed exceptions",
        )
    return exception
