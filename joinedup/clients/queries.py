"""Reads of client data, always through the actor's scope, each audited.

A read that shows personal data writes its audit event before the data is
returned: if the event cannot be written, nothing is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from joinedup.clients.details_row import details_row
from joinedup.clients.models import (
    Accountability,
    Client,
    ClientStatus,
    ConsentDecision,
    EmergencyAccess,
    Flag,
    Need,
    TimelineEvent,
)
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.core.models import AuditEvent
from joinedup.core.nhs_number import InvalidNhsNumber, normalise

CASELOAD_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "dob": ("date_of_birth", "id"),
    "-dob": ("-date_of_birth", "-id"),
    "updated": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class Page:
    clients: list[Client]
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _audited_list(actor: Actor, action: str, clients: list[Client], detail: dict) -> None:
    reason = "listed in " + detail.get("list", "a list")
    entries = [Entry(action, "Client", c.pk, c.pk, reason, detail=detail) for c in clients]
    with transaction.atomic():
        audit.record_many(actor, entries)


# What a caseload row shows (and the scope needs): a page of 25 rows loads nothing more.
_CASELOAD_COLUMNS = (
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "status",
    "consent_to_share",
    "holding_organisation_id",
    "locality_id",
    "accountable_team__name",
    "accountable_team__duty_worker__first_name",
    "accountable_team__duty_worker__last_name",
    "accountable_team__duty_worker__username",
    "lead_professional__first_name",
    "lead_professional__last_name",
    "lead_professional__username",
)


def caseload(
    actor: Actor,
    *,
    team_id: int | None = None,
    mine: bool = False,
    query: str = "",
    sort: str = "name",
    page: int = 1,
    size: int = 25,
    include_inactive: bool = False,
) -> Page:
    """Clients the actor's teams (or the actor) are accountable for, filtered, sorted and paged."""
    scope = visible_clients(actor)
    if mine:
        scope = scope.filter(lead_professional_id=actor.user_id)
    elif team_id is not None:
        if team_id not in actor.team_ids:
            raise NotFound("team")
        scope = scope.filter(accountable_team_id=team_id)
    else:
        scope = scope.filter(accountable_team_id__in=actor.team_ids)
    if not include_inactive:
        scope = scope.filter(status=ClientStatus.ACTIVE)
    if query.strip():
        term = query.strip()
        scope = scope.filter(Q(family_name__istartswith=term) | Q(given_name__istartswith=term))
    ordering = CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"])
    page = max(page, 1)
    rows = list(
        scope.select_related("accountable_team", "accountable_team__duty_worker", "lead_professional")
        .only(*_CASELOAD_COLUMNS)
        .order_by(*ordering)[(page - 1) * size : page * size + 1]
    )
    result = Page(clients=rows[:size], number=page, size=size, has_next=len(rows) > size)
    _audited_list(actor, "list", result.clients, {"list": "caseload", "page": page})
    return result


class SearchError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def search(
    actor: Actor,
    *,
    nhs_number: str = "",
    family_name: str = "",
    given_name: str = "",
    date_of_birth: date | None = None,
    limit: int = 50,
) -> list[Client]:
    """Find clients the actor may see by NHS number, or by name and date of birth."""
    scope = visible_clients(actor)
    criteria: dict[str, object] = {}
    if nhs_number.strip():
        try:
            criteria["nhs_number"] = normalise(nhs_number)
        except InvalidNhsNumber as error:
            raise SearchError("nhs_number", str(error)) from error
        scope = scope.filter(nhs_number=criteria["nhs_number"])
    else:
        if not family_name.strip() and date_of_birth is None:
            raise SearchError("nhs_number", "Enter an NHS number, or a family name or date of birth")
        if family_name.strip():
            scope = scope.filter(family_name__iexact=family_name.strip())
            criteria["family_name"] = family_name.strip()
        if given_name.strip():
            scope = scope.filter(given_name__istartswith=given_name.strip())
            criteria["given_name"] = given_name.strip()
        if date_of_birth is not None:
            scope = scope.filter(date_of_birth=date_of_birth)
            criteria["date_of_birth"] = date_of_birth.isoformat()
    found = list(
        scope.select_related("accountable_team", "gp_practice").order_by("family_name", "given_name", "id")[:limit]
    )
    entries = [Entry("search", "Client", detail={"criteria": criteria, "found": len(found)})]
    entries += [Entry("list", "Client", c.pk, c.pk, "search result") for c in found]
    with transaction.atomic():
        audit.record_many(actor, entries)
    return found


@dataclass(frozen=True)
class ClientRecord:
    client: Client
    relationship: str
    needs: list[Need]
    consent: list[ConsentDecision]
    accountability: list[Accountability]
    timeline: list[TimelineEvent]
    emergency_accesses: list[EmergencyAccess]


def _refuse(actor: Actor, client_id: object, what: str, existing: Client | None = None) -> NotFound:
    """Audit a refused look; on an existing client it joins their access history."""
    with transaction.atomic():
        audit.record(
            actor,
            "view",
            object_type="Client",
            object_id=client_id,
            client_id=existing.pk if existing is not None else None,
            outcome="refused",
            reason=f"no relationship ({what})",
        )
    return NotFound("client")


_RECORD_RELATED = (
    "accountable_team",
    "lead_professional",
    "gp_practice",
    "locality",
    "holding_organisation",
    "accountable_team__duty_worker",
)


def visible_client(actor: Actor, client_id: int, *, purpose: str = "view", what: str = "record") -> tuple[Client, str]:
    """One client the actor may see, audited; NotFound (also audited) otherwise."""
    client = Client.objects.select_related(*_RECORD_RELATED).filter(pk=client_id).order_by().first()
    if client is None:
        raise _refuse(actor, client_id, what)
    return client, _admitted(actor, client_id, client, purpose, what)


def _admitted(actor: Actor, client_id: int, client: Client, purpose: str, what: str) -> str:
    """Why the actor may see this client, the look audited; NotFound, audited as refused, if they may not."""
    reason = relationship_to(actor, client)
    if reason is None:
        raise _refuse(actor, client_id, what, client)
    with transaction.atomic():
        audit.record(
            actor,
            purpose,
            object_type="Client",
            object_id=client.pk,
            client_id=client.pk,
            reason=reason,
            detail={"part": what},
        )
    return reason


def client_record(actor: Actor, client_id: int, *, timeline_limit: int = 50) -> ClientRecord:
    client, reason = visible_client(actor, client_id)
    return ClientRecord(
        client=client,
        relationship=reason,
        needs=list(client.needs.select_related("recorded_by").order_by("status", "-recorded_at")),
        consent=list(client.consent_decisions.select_related("recorded_by")[:10]),
        accountability=list(client.accountabilities.select_related("team", "lead_professional", "recorded_by")),
        timeline=list(client.timeline.select_related("actor")[:timeline_limit]),
        emergency_accesses=list(client.emergency_accesses.select_related("practitioner")[:10]),
    )


@dataclass(frozen=True)
class ClientDetails:
    """A client's details and current accountability, without the record's lists: what the API's read shows."""

    client: Client
    relationship: str
    accountable_since: datetime | None
    accountability_reason: str


def client_details(actor: Actor, client_id: int) -> ClientDetails:
    """What the API's read shows, in one written-out statement (clients.details_row), checked and audited."""
    found = details_row(client_id)
    if found is None:
        raise _refuse(actor, client_id, "details")
    client, since, why = found
    reason = _admitted(actor, client_id, client, "view", "details")
    return ClientDetails(client=client, relationship=reason, accountable_since=since, accountability_reason=why)


def open_flags(record: ClientRecord) -> list[Flag]:
    """The open flags of a record already read (and audited) by client_record."""
    return list(record.client.flags.filter(closed_at__isnull=True).select_related("raised_by"))


def timeline(actor: Actor, client_id: int, *, limit: int = 200) -> tuple[Client, list[TimelineEvent]]:
    client, _ = visible_client(actor, client_id, what="timeline")
    return client, list(client.timeline.select_related("actor")[:limit])


def access_history(actor: Actor, client_id: int, *, limit: int = 500) -> tuple[Client, list[AuditEvent]]:
    """Who looked at this client: only for the accountable team (and the locality MDT)."""
    client = Client.objects.filter(pk=client_id).first()
    if client is None or (
        client.accountable_team_id not in actor.team_ids and client.locality_id not in actor.mdt_locality_ids
    ):
        raise _refuse(actor, client_id, "access history", client)
    client, _ = visible_client(actor, client_id, what="access history")
    events = list(AuditEvent.objects.filter(client_id=client.pk).order_by("-id")[:limit])
    return client, events


def client_by_nhs_number_for_emergency(nhs_number: str) -> Client | None:
    """Only for the emergency access form, after the reason is given: never shown without a grant."""
    try:
        digits = normalise(nhs_number)
    except InvalidNhsNumber:
        return None
    return Client.objects.filter(nhs_number=digits).first()


def accountability_violations() -> list[str]:
    """Every breach of invariant 1 now: empty when the borough is sound. For tests and checks."""
    problems = []
    open_rows = {row.client_id: row for row in Accountability.objects.filter(until__isnull=True)}
    clients: QuerySet[Client] = Client.objects.filter(status=ClientStatus.ACTIVE).select_related("accountable_team")
    for client in clients:
        row = open_rows.get(client.pk)
        if row is None:
            problems.append(f"client {client.pk} has no open accountability")
            continue
        if (row.team_id, row.lead_professional_id) != (client.accountable_team_id, client.lead_professional_id):
            problems.append(f"client {client.pk}: record and accountability history disagree")
        team = client.accountable_team
        members = set(team.memberships.values_list("practitioner_id", flat=True))
        lead = client.lead_professional_id
        if lead is not None and lead not in members:
            problems.append(f"client {client.pk}: lead professional is not in {team.name}")
        if lead is None and (team.duty_worker_id is None or team.duty_worker_id not in members):
            problems.append(f"client {client.pk}: nobody answers in {team.name}")
    return problems


def client_flags(actor: Actor, client_id: int, *, include_closed: bool = False) -> tuple[Client, list[Flag]]:
    """A client's flags (open ones first), for someone who may see the client; audited."""
    client, _ = visible_client(actor, client_id, what="flags")
    flags = client.flags.select_related("raised_by", "closed_by")
    if not include_closed:
        flags = flags.filter(closed_at__isnull=True)
    return client, sorted(flags, key=lambda f: (f.closed_at is not None, -f.raised_at.timestamp()))
