"""Raising a crisis: for a client one may see, a client known by NHS number, or someone new.

Raising is idempotent for a raiser's key: the same key with the same request returns the
crisis already raised; with a different request it is refused (ADR 0024). The crisis is
routed and owned at once (crisis.routing), and a gap in the rota is an alert, never silent.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.clients.services import MinimalClient, add_timeline_event, register_minimal_client
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to
from joinedup.core.errors import NotFound, Refused
from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.crisis import clock, responders
from joinedup.crisis.alerts import alert_gap_at_raise
from joinedup.crisis.models import Crisis, CrisisRegistration
from joinedup.crisis.registration import locality_for_district, postcode_district
from joinedup.crisis.routing import Routed, route_crisis
from joinedup.crisis.rules import Situation
from joinedup.crisis.services import SOURCE, event, who
from joinedup.crisis.teams import holder_team
from joinedup.directory.models import Locality, Organisation, OrganisationKind
from joinedup.tasks.services import notify

_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,40}$")
_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,100}$")
TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Person:
    """Who the crisis is for, as the raiser knows them: an NHS number, or enough to register them."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    gp_practice: str = ""  # ODS code
    postcode: str = ""
    locality: str = ""  # locality code, when neither practice nor postcode places them
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class NewCrisis:
    situation: str
    needed: str
    contact_name: str
    contact_phone: str
    contact_organisation: str = ""
    client_id: int | None = None
    person: Person | None = None
    idempotency_key: str = ""

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Raised:
    crisis: Crisis
    created: bool  # False: the same request was raised before with this key


def _check(new: NewCrisis) -> None:
    problems: dict[str, str] = {}
    if new.situation not in set(Situation):
        problems["situation"] = "Choose what is happening"
    if not new.needed.strip():
        problems["needed"] = "Say what is needed"
    elif len(new.needed) > TEXT_LIMIT:
        problems["needed"] = "Say what is needed in 2,000 characters or fewer"
    if not new.contact_name.strip() or len(new.contact_name) > 120:
        problems["contact_name"] = "Enter the name of the person to call back (120 characters or fewer)"
    if not _PHONE.match(new.contact_phone.strip()):
        problems["contact_phone"] = "Enter a phone number to call back, like 020 7946 0123"
    if len(new.contact_organisation) > 200:
        problems["contact_organisation"] = "Keep the organisation to 200 characters"
    if new.idempotency_key and not _KEY.match(new.idempotency_key):
        problems["idempotency_key"] = "The key must be 8 to 100 letters, digits, dots, colons, dashes or underscores"
    if (new.client_id is None) == (new.person is None):
        problems["client"] = "Choose the client, or give their details"
    if problems:
        raise ValidationError(problems)


def _placed(person: Person) -> tuple[Locality, Organisation | None]:
    """Where someone new lives: their GP practice's locality, else their postcode's, else the one named."""
    if person.gp_practice.strip():
        practice = Organisation.objects.filter(
            kind=OrganisationKind.GP_PRACTICE, ods_code=person.gp_practice.strip().upper()
        ).first()
        if practice is None or practice.locality is None:
            raise ValidationError({"gp_practice": "Choose a GP practice known to JoinedUp"})
        return practice.locality, practice
    if person.postcode.strip():
        district = postcode_district(person.postcode)
        if district is None:
            raise ValidationError({"postcode": "Enter a real postcode, like XT1 4AB"})
        found = locality_for_district(district, dict(Locality.objects.values_list("pk", "postcode_districts")))
        if found is None:
            raise ValidationError({"postcode": "This postcode is outside the borough: choose the GP practice"})
        return Locality.objects.get(pk=found), None
    locality = Locality.objects.filter(code=person.locality.strip()).first() if person.locality.strip() else None
    if locality is None:
        raise ValidationError({"gp_practice": "Choose the client's GP practice, or give their postcode"})
    return locality, None


def _known_client(person: Person) -> tuple[Client | None, str | None]:
    """The client with this NHS number, if any (the raiser need not be able to see them)."""
    if not person.nhs_number.strip():
        return None, None
    try:
        digits = normalise(person.nhs_number)
    except InvalidNhsNumber as error:
        raise ValidationError({"nhs_number": str(error)}) from error
    return Client.objects.select_for_update().filter(nhs_number=digits).first(), digits


def _check_new_person(person: Person) -> None:
    problems = {}
    if not person.given_name.strip() or not person.family_name.strip():
        problems["family_name"] = "Enter the client's given and family names"
    today = timezone.localdate()
    if person.date_of_birth is None:
        problems["date_of_birth"] = "Enter the client's date of birth"
    elif person.date_of_birth > today:
        problems["date_of_birth"] = "Date of birth must be in the past"
    elif person.date_of_birth < today - timedelta(days=365 * 125):
        problems["date_of_birth"] = "Date of birth must be within the last 125 years"
    if problems:
        raise ValidationError(problems)


def _differs(client: Client, person: Person) -> bool:
    given = person.family_name.strip().lower(), person.date_of_birth
    return bool(given[0]) and (given[0] != client.family_name.lower() or given[1] not in (None, client.date_of_birth))


def _reported(person: Person | None) -> dict[str, str]:
    if person is None:
        return {}
    return {key: str(value) for key, value in asdict(person).items() if value not in ("", None)}


def _replay(actor: Actor, new: NewCrisis) -> Raised | None:
    if not new.idempotency_key:
        return None
    earlier = Crisis.objects.filter(raised_by_id=actor.user_id, idempotency_key=new.idempotency_key).first()
    if earlier is None:
        return None
    if earlier.request_digest != new.digest():
        raise ValidationError({"idempotency_key": "This key was already used to raise a different crisis"})
    with transaction.atomic():
        audit.record(
            actor, "replay", object_type="Crisis", object_id=earlier.pk, client_id=earlier.client_id,
            reason="raised the crisis (the same request again)",
        )  # fmt: skip
    return Raised(earlier, created=False)


def raise_crisis(actor: Actor, new: NewCrisis) -> Raised:
    """Raise a crisis: routed and owned at once, whatever the client's accountability."""
    if actor.user_id is None or not actor.works_with_clients:
        raise Refused("Crises are raised by practitioners")
    _check(new)
    replayed = _replay(actor, new)
    if replayed is not None:
        return replayed
    try:
        with transaction.atomic():
            return Raised(_raise(actor, new), created=True)
    except IntegrityError:
        replayed = _replay(actor, new)  # the same key raced in from a retry: answer as the first did
        if replayed is None:
            raise
        return replayed


@dataclass(frozen=True)
class _Found:
    client: Client
    is_new: bool = False
    differs: bool = False  # the raiser's details are not those of the record
    routed: Routed | None = None  # routed already (to choose who holds someone new)


def _client_for(actor: Actor, new: NewCrisis) -> _Found:
    """The crisis's client, locked: chosen by id (one the raiser may see), known by NHS number, or new."""
    if new.client_id is not None:
        client = Client.objects.select_for_update().filter(pk=new.client_id).first()
        if client is None or relationship_to(actor, client) is None:
            raise NotFound("client")
        return _Found(client)
    person = new.person
    assert person is not None
    known, digits = _known_client(person)
    if known is not None:
        return _Found(known, differs=_differs(known, person))
    _check_new_person(person)
    locality, practice = _placed(person)
    routed = route_crisis(new.situation, locality.pk, timezone.now())
    assert person.date_of_birth is not None
    team = holder_team(locality, person.date_of_birth, routed.route.team_id)
    minimal = MinimalClient(
        given_name=person.given_name, family_name=person.family_name, date_of_birth=person.date_of_birth,
        locality=locality, gp_practice=practice, nhs_number=digits, postcode=person.postcode,
        address=person.address, phone=person.phone,
    )  # fmt: skip
    client = register_minimal_client(actor, minimal, team, reason="Registered in a crisis", source=SOURCE)
    audit.record(
        actor, "create", object_type="Client", object_id=client.pk, client_id=client.pk,
        reason="registered in a crisis", detail={"accountable_team": team.pk, "minimal": True},
    )  # fmt: skip
    return _Found(client, is_new=True, routed=routed)


def _raise(actor: Actor, new: NewCrisis) -> Crisis:
    chosen = _client_for(actor, new)
    client = chosen.client
    now = timezone.now()
    routed = chosen.routed or route_crisis(new.situation, client.locality_id, now)
    found = routed.route
    crisis = Crisis.objects.create(
        client=client, locality_id=client.locality_id, situation=new.situation,
        sector=Situation(new.situation).sector.value, needed=new.needed.strip(),
        raised_by_id=actor.person_id, raised_channel=actor.channel, contact_name=new.contact_name.strip(),
        contact_phone=new.contact_phone.strip(), contact_organisation=new.contact_organisation.strip(),
        reported=_reported(new.person), details_differ=chosen.differs, idempotency_key=new.idempotency_key,
        request_digest=new.digest(), raised_at=now, acknowledge_due_at=clock.acknowledge_due(now),
        response_due_at=clock.response_due(now), basis=found.basis.value, route_gap=found.gap or "",
        service=found.service.value, rota=routed.rota, in_hours_team=routed.in_hours_team,
        on_call_team=routed.rota.team if routed.rota else None, owner_team_id=found.team_id,
        owner_id=found.person_id, escalation_chain=list(found.chain),
        next_escalation_at=clock.next_escalation(now, [], len(found.chain)),
    )  # fmt: skip
    responders.add(
        crisis,
        "routed",
        teams=[found.team_id, crisis.in_hours_team_id, crisis.on_call_team_id],
        people=[found.person_id],
    )
    if chosen.is_new:
        CrisisRegistration.objects.create(client=client, crisis=crisis, registered_at=now)
    _announce(actor, crisis, routed)
    return crisis


def _announce(actor: Actor, crisis: Crisis, routed: Routed) -> None:
    route = routed.route
    owner = crisis.owner.display_name if crisis.owner else f"the members of {crisis.owner_team.name}"
    summary = (
        f"Crisis #{crisis.pk} raised by {who(actor)}: {crisis.situation_label}. "
        f"Owned at once by {owner} ({route.basis.label.lower()})"
    )
    event(crisis, "raised", summary, actor, crisis.raised_at)
    add_timeline_event(crisis.client, "crisis_raised", summary, source=SOURCE, actor=actor, obj=crisis)
    audit.record(
        actor, "create", object_type="Crisis", object_id=crisis.pk, client_id=crisis.client_id,
        reason="raised a crisis", detail={"situation": crisis.situation, "basis": route.basis.value,
                                          "owner": crisis.owner_id, "gap": route.gap},
    )  # fmt: skip
    due = timezone.localtime(crisis.response_due_at)
    message = (
        f"Crisis: {crisis.situation_label} in {crisis.locality.name}. Acknowledge within 15 minutes; "
        f"response due by {due:%H:%M}"
    )
    members = crisis.owner_team.memberships.values_list("practitioner_id", flat=True)
    notify([crisis.owner_id] if crisis.owner_id else list(members), message, link=f"/crisis/{crisis.pk}/")
    if route.gap:
        alert_gap_at_raise(crisis, routed)
