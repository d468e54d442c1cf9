"""Reads of crises: the board, a crisis's page, lists for the API. Scoped and audited.

A crisis names its client only to those who may see the client (core.access): the
responders, through the crisis relationship, and anyone else with a relationship of
their own. The board shows every open crisis of the locality (the clock, the owner, the
situation), naming the client only where the viewer may see them (ADR 0022).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.crisis import responders
from joinedup.crisis.models import OPEN_STATES, AdmissionCheck, Crisis, CrisisRegistration, CrisisState, Responder
from joinedup.crisis.rules import Situation
from joinedup.crisis.services import is_responder
from joinedup.directory.models import Locality

_CLIENT_FIELDS = ("client__id", "client__given_name", "client__family_name", "client__nhs_number", "client__postcode")
_BOARD_FIELDS = (
    *(f.name for f in Crisis._meta.concrete_fields if f.name not in ("needed", "reported", "outcome_note")),
    *_CLIENT_FIELDS,
    "locality__id",
    "locality__name",
    "owner_team__id",
    "owner_team__name",
    "owner__id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "owner__phone",
)
BOARD_LIMIT = 200


@dataclass(frozen=True)
class BoardRow:
    crisis: Crisis
    identified: bool  # the viewer may see the client: their name is shown


def _audit_rows(actor: Actor, rows: list[BoardRow], list_name: str) -> None:
    entries = [Entry("list", "Crisis", r.crisis.pk, r.crisis.client_id, list_name) for r in rows if r.identified]
    if entries:
        with transaction.atomic():
            audit.record_many(actor, entries)


_LINE_FIELDS = (
    "pk", "client_id", "client__given_name", "client__family_name", "locality__name", "situation", "state",
    "raised_at", "response_due_at", "arrived_at", "route_gap", "owner__first_name", "owner__last_name",
    "owner__username", "owner__phone", "owner_team__name",
)  # fmt: skip


@dataclass(frozen=True)
class BoardLine:
    """One open crisis on the board: what it shows, read as plain values (a refresh every few seconds
    for every board, so no model objects), with the client named only when `identified`."""

    crisis_id: int
    client_id: int
    identified: bool
    client_name: str
    locality: str
    situation: str
    state: str
    raised_at: datetime
    response_due_at: datetime
    arrived_at: datetime | None
    gap: bool
    owner: str
    owner_phone: str
    team: str

    @property
    def situation_label(self) -> str:
        return Situation(self.situation).label

    @property
    def state_label(self) -> str:
        return CrisisState(self.state).label


def _line(row: tuple, seen: set[int]) -> BoardLine:
    (pk, client_id, given, family, locality, situation, state, raised, due, arrived, gap, first, last, username,
     phone, team) = row  # fmt: skip
    identified = client_id in seen
    owner = f"{first} {last}".strip() or username or ""
    name = f"{given} {family.upper()}" if identified else ""
    return BoardLine(
        pk, client_id, identified, name, locality, situation, state, raised, due, arrived, bool(gap), owner,
        phone or "", team,
    )  # fmt: skip


def board_lines(actor: Actor, locality_id: int | None) -> list[BoardLine]:
    """Open crises of a locality (or the borough), soonest due first, each named if the viewer may; audited."""
    rows = Crisis.objects.filter(state__in=OPEN_STATES)
    if locality_id is not None:
        rows = rows.filter(locality_id=locality_id)
    found = list(rows.order_by("response_due_at", "id").values_list(*_LINE_FIELDS)[:BOARD_LIMIT])
    ids = {row[1] for row in found}
    seen = set(visible_clients(actor, among=ids).values_list("pk", flat=True)) if ids else set()
    lines = [_line(row, seen) for row in found]
    entries = [Entry("list", "Crisis", x.crisis_id, x.client_id, "crisis board") for x in lines if x.identified]
    if entries:
        with transaction.atomic():
            audit.record_many(actor, entries)
    return lines


def crises_for(actor: Actor, *, open_only: bool = True, limit: int = 100) -> list[BoardRow]:
    """Crises the actor raised or responds to (the API's list), newest first."""
    mine = Q(raised_by_id=actor.user_id) | Q(
        pk__in=Responder.objects.filter(responders.mine(actor)).values("crisis_id")
    )
    rows = Crisis.objects.filter(mine)
    if open_only:
        rows = rows.filter(state__in=OPEN_STATES)
    found = list(
        rows.select_related("client", "locality", "owner_team", "owner")
        .only(*_BOARD_FIELDS)
        .order_by("-raised_at")[:limit]
    )
    ids = {c.client_id for c in found}
    seen = set(visible_clients(actor, among=ids).values_list("pk", flat=True)) if ids else set()
    listed = [BoardRow(c, c.client_id in seen) for c in found]
    _audit_rows(actor, listed, "my crises")
    return listed


@dataclass
class CrisisPage:
    crisis: Crisis
    role: str  # "responder", "raiser" or "reader" (another relationship to the client)
    identified: bool  # the client's record may be shown
    reason: str
    events: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    escalations: list = field(default_factory=list)
    admission_check: AdmissionCheck | None = None
    registration: CrisisRegistration | None = None

    @property
    def responder(self) -> bool:
        return self.role == "responder"

    @property
    def client(self) -> Client:
        return self.crisis.client


def _refused(actor: Actor, crisis_id: int) -> NotFound:
    with transaction.atomic():
        audit.record(
            actor, "view", object_type="Crisis", object_id=crisis_id, outcome="refused", reason="not a responder"
        )
    return NotFound("crisis")


def crisis_page(actor: Actor, crisis_id: int) -> CrisisPage:
    """A crisis for its responders (everything, the client named when the record may be seen), its raiser
    (how it is going, and what they reported) or anyone who may see the client (read only)."""
    crisis = (
        Crisis.objects.select_related(
            "client",
            "client__gp_practice",
            "client__accountable_team",
            "locality",
            "owner_team",
            "owner",
            "raised_by",
            "acknowledged_by",
            "arrived_by",
            "resolved_by",
            "in_hours_team",
            "on_call_team",
            "rota",
        )
        .filter(pk=crisis_id)
        .first()
    )
    if crisis is None or actor.user_id is None or not actor.works_with_clients:
        raise _refused(actor, crisis_id)
    relationship = relationship_to(actor, crisis.client)
    if is_responder(actor, crisis):
        role, reason = "responder", relationship or f"responder to crisis #{crisis.pk} (record not shared)"
    elif crisis.raised_by_id == actor.user_id:
        role, reason = "raiser", "raised the crisis"
    elif relationship is not None:
        role, reason = "reader", relationship
    else:
        raise _refused(actor, crisis_id)
    identified = relationship is not None
    with transaction.atomic():
        audit.record(
            actor,
            "view",
            object_type="Crisis",
            object_id=crisis.pk,
            client_id=crisis.client_id,
            reason=reason,
            detail={"role": role, "client_shown": identified},
        )
    return CrisisPage(
        crisis=crisis,
        role=role,
        identified=identified,
        reason=reason,
        events=list(crisis.events.select_related("actor")),
        actions=list(crisis.actions.select_related("owner", "owner_team", "bridging")),
        escalations=list(crisis.escalations.select_related("recipient")),
        admission_check=AdmissionCheck.objects.filter(crisis=crisis).first(),
        registration=CrisisRegistration.objects.filter(client_id=crisis.client_id, completed_at__isnull=True).first(),
    )


def localities() -> QuerySet[Locality]:
    return Locality.objects.order_by("name")


def now() -> datetime:
    return timezone.now()
