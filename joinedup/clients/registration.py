"""Clients registered by the system, not by a practitioner: the hospital feed meets someone new.

A person the feed names by a valid NHS number, not yet known to JoinedUp, is
registered accountable by rule to the locality MDT of their GP practice (or
the configured default team when the practice is not known), with no lead
professional: the team's duty worker answers (invariant 1). The MDT's host
organisation holds the record. Done in bulk, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from joinedup.clients.models import Accountability, Client, Sex, TimelineEvent
from joinedup.clients.services import _check_date_of_birth
from joinedup.core import audit, bulk
from joinedup.core.access import Actor
from joinedup.core.audit import Entry
from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.directory.models import Organisation, OrganisationKind, Team, TeamKind

SOURCE = "clients"


@dataclass(frozen=True)
class Newcomer:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    why: str  # the reason recorded: "admitted to hospital (message 123 from RCB)"
    sex: str = Sex.UNKNOWN
    address: str = ""
    postcode: str = ""
    phone: str = ""
    gp_practice_code: str = ""


@dataclass
class Registered:
    clients: dict[str, Client] = field(default_factory=dict)  # by NHS number
    refused: dict[str, str] = field(default_factory=dict)  # NHS number -> why it could not be done


def _problem(person: Newcomer) -> str | None:
    if not person.given_name.strip() or not person.family_name.strip():
        return "the message gives no full name"
    if person.date_of_birth is None:
        return "the message gives no date of birth"
    try:
        normalise(person.nhs_number)
        _check_date_of_birth(person.date_of_birth)
    except (InvalidNhsNumber, ValidationError) as error:
        return "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return None


def _teams(people: Sequence[Newcomer], default_team: Team | None) -> dict[str, tuple[Team | None, Organisation | None]]:
    """Per GP practice code: the accountable team (the practice locality's MDT, else the default) and the practice."""
    codes = {p.gp_practice_code.upper() for p in people if p.gp_practice_code}
    practices = {
        o.ods_code: o for o in Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE, ods_code__in=codes)
    }
    mdts = {
        t.locality_id: t
        for t in Team.objects.filter(kind=TeamKind.MDT, locality_id__in={o.locality_id for o in practices.values()})
    }
    choice: dict[str, tuple[Team | None, Organisation | None]] = {}
    for person in people:
        code = person.gp_practice_code.upper()
        practice = practices.get(code)
        team = mdts.get(practice.locality_id) if practice is not None else None
        choice[code] = (team or default_team, practice if team is not None else None)
    return choice


def _client(person: Newcomer, team: Team, practice: Organisation | None) -> Client:
    assert team.locality_id is not None and person.date_of_birth is not None
    return Client(
        nhs_number=normalise(person.nhs_number),
        given_name=person.given_name.strip().title(),
        family_name=person.family_name.strip().title(),
        date_of_birth=person.date_of_birth,
        sex=person.sex if person.sex in Sex.values else Sex.UNKNOWN,
        address=person.address,
        postcode=person.postcode,
        phone=person.phone,
        gp_practice=practice,
        locality_id=team.locality_id,
        holding_organisation_id=team.organisation_id,
        accountable_team=team,
        lead_professional=None,
    )


def register_from_feed(actor: Actor, people: Sequence[Newcomer], *, default_team: Team | None) -> Registered:
    """Register each newcomer once (by NHS number), or say why not. Call inside a transaction."""
    if not connection.in_atomic_block:
        raise audit.AuditOutsideTransaction("register_from_feed runs in the caller's transaction")
    result = Registered()
    teams = _teams(people, default_team)
    rows: dict[str, tuple[Newcomer, Client]] = {}
    for person in people:
        if person.nhs_number in result.refused or person.nhs_number in rows:
            continue
        problem = _problem(person)
        team, practice = teams[person.gp_practice_code.upper()]
        if problem is None and (team is None or team.duty_worker_id is None or team.locality_id is None):
            problem = "no locality MDT with a duty worker for their GP practice, and no default team"
        if problem is not None or team is None:
            result.refused[person.nhs_number] = problem or "no team"
            continue
        rows[person.nhs_number] = (person, _client(person, team, practice))
    created = [client for _, client in rows.values()]
    for client, client_id in zip(created, bulk.allocate_ids(Client, len(created)), strict=True):
        client.pk = client_id
    _store(created, [person for person, _ in rows.values()], timezone.now())
    detail = {"registered_by": "hospital feed"}
    audit.record_many(
        actor,
        [
            Entry("create", "Client", c.pk, c.pk, p.why, detail={**detail, "team": c.accountable_team_id})
            for p, c in rows.values()
        ],
    )
    result.clients = {c.nhs_number or "": c for c in created}
    return result


_CLIENT_COLUMNS = (
    "id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "gp_practice_id",
    "locality_id",
    "holding_organisation_id",
    "status",
    "consent_to_share",
    "accountable_team_id",
    "lead_professional_id",
    "created_at",
    "updated_at",
)
_REASON = "Registered by rule from the hospital feed: the locality MDT of the GP practice"


def _store(clients: list[Client], people: list[Newcomer], now: datetime) -> None:
    """The clients, their open accountability and a timeline line each, in three bulk inserts."""
    bulk.insert(
        Client,
        _CLIENT_COLUMNS,
        [
            (
                c.pk,
                c.nhs_number,
                c.given_name,
                c.family_name,
                c.date_of_birth,
                c.sex,
                c.address,
                c.postcode,
                c.phone,
                c.gp_practice_id,
                c.locality_id,
                c.holding_organisation_id,
                c.status,
                c.consent_to_share,
                c.accountable_team_id,
                None,
                now,
                now,
            )
            for c in clients
        ],
    )
    bulk.insert(
        Accountability,
        ("client_id", "team_id", "lead_professional_id", "since", "until", "reason", "recorded_by_id"),
        [(c.pk, c.accountable_team_id, None, now, None, _REASON, None) for c in clients],
    )
    bulk.insert(
        TimelineEvent,
        ("client_id", "occurred_at", "kind", "summary", "source", "actor_id", "object_type", "object_id"),
        [
            (c.pk, now, "registered", f"Registered from the hospital feed ({p.why})"[:500], "hospital", None, "", "")
            for c, p in zip(clients, people, strict=True)
        ],
    )
