"""Every write to client data: one transaction each, its audit event inside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.clients import rules
from joinedup.clients.models import (
    Accountability,
    Client,
    ClientStatus,
    ConsentDecision,
    ConsentToShare,
    EmergencyAccess,
    Need,
    NeedCategory,
    NeedStatus,
    Sex,
    TimelineEvent,
)
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound, Refused
from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.directory.models import Locality, Organisation, OrganisationKind, Practitioner, Team
from joinedup.directory.queries import team_facts
from joinedup.tasks.services import notify

SOURCE = "clients"


def add_timeline_event(
    client: Client, kind: str, summary: str, *, source: str, actor: Actor, obj: Any = None
) -> TimelineEvent:
    """Add a line to the client's timeline (any part of JoinedUp, inside its own transaction)."""
    return TimelineEvent.objects.create(
        client=client,
        occurred_at=timezone.now(),
        kind=kind,
        summary=summary[:500],
        source=source,
        actor_id=actor.user_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
    )


def _require_relationship(actor: Actor, client: Client) -> str:
    reason = relationship_to(actor, client)
    if reason is None:
        raise NotFound("client")
    return reason


def _clean_nhs_number(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalise(value)
    except InvalidNhsNumber as error:
        raise ValidationError({"nhs_number": str(error)}) from error


def _check_unique_nhs_number(nhs_number: str | None, exclude_pk: int | None = None) -> None:
    others = Client.objects.filter(nhs_number=nhs_number)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if nhs_number and others.exists():
        raise ValidationError({"nhs_number": "A client with this NHS number is already recorded"})


def _gp_practice(ods_code_or_id: Any) -> Organisation:
    practice = Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE)
    found = (
        practice.filter(pk=ods_code_or_id).first()
        if isinstance(ods_code_or_id, int)
        else practice.filter(ods_code=str(ods_code_or_id).upper()).first()
    )
    if found is None or found.locality is None:
        raise ValidationError({"gp_practice": "Choose a GP practice known to JoinedUp"})
    return found


def _locality_of(practice: Organisation) -> Locality:
    if practice.locality is None:  # the database requires one for a GP practice
        raise ValidationError({"gp_practice": "This GP practice belongs to no locality"})
    return practice.locality


def _check_date_of_birth(value: date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError({"date_of_birth": "Date of birth must be in the past"})
    if value < today - timedelta(days=365 * 125):
        raise ValidationError({"date_of_birth": "Date of birth must be within the last 125 years"})


def _accountability_checked(team: Team, lead: Practitioner | None) -> None:
    try:
        rules.check_accountability(team_facts(team), lead.pk if lead else None)
    except rules.AccountabilityRefused as error:
        field = "lead_professional" if lead is not None else "accountable_team"
        raise ValidationError({field: str(error)}) from error


@dataclass(frozen=True)
class NewClient:
    given_name: str
    family_name: str
    date_of_birth: date
    gp_practice: Any  # ODS code or id
    accountable_team: Team
    lead_professional: Practitioner | None = None
    nhs_number: str | None = None
    sex: str = Sex.UNKNOWN
    address: str = ""
    postcode: str = ""
    phone: str = ""


def create_client(actor: Actor, new: NewClient) -> Client:
    """Register a client, with their first accountability, held by the actor's organisation."""
    if not actor.works_with_clients or actor.organisation_id is None:
        raise Refused("Only practitioners of an organisation can register clients")
    if not new.given_name.strip() or not new.family_name.strip():
        raise ValidationError({"family_name": "Enter the client's given and family names"})
    if new.sex not in Sex.values:
        raise ValidationError({"sex": "Choose female, male, other or not known"})
    nhs_number = _clean_nhs_number(new.nhs_number)
    _check_date_of_birth(new.date_of_birth)
    practice = _gp_practice(new.gp_practice)
    if new.accountable_team.pk not in actor.team_ids:
        # As on the page: a client is registered to one of your own teams; another team takes them on
        # only by accepting a referral, so that nobody is handed a client without knowing.
        raise ValidationError({"accountable_team": "Register the client to one of your own teams, then refer them"})
    _accountability_checked(new.accountable_team, new.lead_professional)
    with transaction.atomic():
        _check_unique_nhs_number(nhs_number)
        client = Client.objects.create(
            nhs_number=nhs_number,
            given_name=new.given_name.strip(),
            family_name=new.family_name.strip(),
            date_of_birth=new.date_of_birth,
            sex=new.sex,
            address=new.address.strip(),
            postcode=new.postcode.strip().upper(),
            phone=new.phone.strip(),
            gp_practice=practice,
            locality=_locality_of(practice),
            holding_organisation_id=actor.organisation_id,
            accountable_team=new.accountable_team,
            lead_professional=new.lead_professional,
        )
        Accountability.objects.create(
            client=client,
            team=new.accountable_team,
            lead_professional=new.lead_professional,
            since=timezone.now(),
            reason="Registered",
            recorded_by_id=actor.user_id,
        )
        add_timeline_event(
            client, "registered", f"Registered by {actor.name or actor.username}", source=SOURCE, actor=actor
        )
        audit.record(
            actor, "create", object_type="Client", object_id=client.pk, client_id=client.pk, reason="registration"
        )
    return client


EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "nhs_number",
    "gp_practice",
)


def update_client(actor: Actor, client_id: int, changes: dict[str, Any]) -> Client:
    """Change demographics; a new GP practice moves the client to its locality."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This field cannot be changed here"})
    with transaction.atomic():
        client, reason = _locked_visible_client(actor, client_id)
        before = {name: str(getattr(client, name)) for name in changes}
        for name, value in changes.items():
            if name == "nhs_number":
                value = _clean_nhs_number(value)
                _check_unique_nhs_number(value, exclude_pk=client.pk)
            elif name == "gp_practice":
                value = _gp_practice(value)
                client.locality = _locality_of(value)
            elif name == "date_of_birth":
                _check_date_of_birth(value)
            elif name in ("given_name", "family_name"):
                value = str(value).strip()
                if not value:
                    raise ValidationError({name: "Enter a name"})
            elif name == "sex" and value not in Sex.values:
                raise ValidationError({"sex": "Choose female, male, other or not known"})
            elif name == "postcode":
                value = str(value).strip().upper()
            setattr(client, name, value)
        client.save()
        add_timeline_event(
            client, "details_updated", "Details updated: " + ", ".join(sorted(changes)), source=SOURCE, actor=actor
        )
        audit.record(
            actor,
            "update",
            object_type="Client",
            object_id=client.pk,
            client_id=client.pk,
            reason=reason,
            detail={"fields": sorted(changes), "before": before},
        )
    return client


def _locked_visible_client(actor: Actor, client_id: int) -> tuple[Client, str]:
    client = Client.objects.select_for_update().filter(pk=client_id).first()
    if client is None:
        raise NotFound("client")
    return client, _require_relationship(actor, client)


def record_need(actor: Actor, client_id: int, category: str, description: str) -> Need:
    if category not in NeedCategory.values:
        raise ValidationError({"category": "Choose the kind of need"})
    if not description or not description.strip():
        raise ValidationError({"description": "Describe the need"})
    if len(description) > 4000:
        raise ValidationError({"description": "Describe the need in 4,000 characters or fewer"})
    with transaction.atomic():
        client, reason = _locked_visible_client(actor, client_id)
        need = Need.objects.create(
            client=client,
            category=category,
            description=description.strip(),
            recorded_by_id=actor.person_id,
            recorded_at=timezone.now(),
        )
        add_timeline_event(
            client,
            "need_recorded",
            f"Need recorded: {need.get_category_display()}",
            source=SOURCE,
            actor=actor,
            obj=need,
        )
        audit.record(actor, "create", object_type="Need", object_id=need.pk, client_id=client.pk, reason=reason)
    return need


def update_need_status(actor: Actor, client_id: int, need_id: int, status: str) -> Need:
    if status not in NeedStatus.values:
        raise ValidationError({"status": "Choose open, met or no longer needed"})
    with transaction.atomic():
        client, reason = _locked_visible_client(actor, client_id)
        need = Need.objects.filter(pk=need_id, client=client).first()
        if need is None:
            raise NotFound("need")
        previous = need.status
        need.status = status
        need.save(update_fields=["status", "updated_at"])
        add_timeline_event(
            client,
            "need_updated",
            f"Need ({need.get_category_display()}) now {need.get_status_display().lower()}",
            source=SOURCE,
            actor=actor,
            obj=need,
        )
        audit.record(
            actor,
            "update",
            object_type="Need",
            object_id=need.pk,
            client_id=client.pk,
            reason=reason,
            detail={"status": [previous, status]},
        )
    return need


def record_consent(actor: Actor, client_id: int, decision: str, note: str = "") -> ConsentDecision:
    if decision not in ConsentToShare.values:
        raise ValidationError({"decision": "Choose given, refused or not yet asked"})
    if len(note) > 2000:
        raise ValidationError({"note": "Keep the note to 2,000 characters or fewer"})
    with transaction.atomic():
        client, reason = _locked_visible_client(actor, client_id)
        consent = ConsentDecision.objects.create(
            client=client,
            decision=decision,
            note=note.strip(),
            recorded_by_id=actor.person_id,
            recorded_at=timezone.now(),
        )
        client.consent_to_share = decision
        client.save(update_fields=["consent_to_share", "updated_at"])
        add_timeline_event(
            client,
            "consent_recorded",
            f"Consent to share: {consent.get_decision_display().lower()}",
            source=SOURCE,
            actor=actor,
            obj=consent,
        )
        audit.record(
            actor,
            "create",
            object_type="ConsentDecision",
            object_id=consent.pk,
            client_id=client.pk,
            reason=reason,
            detail={"decision": decision},
        )
    return consent


def set_accountability(
    client: Client, team: Team, lead: Practitioner | None, *, reason: str, actor: Actor
) -> Accountability:
    """Close the open accountability and open the new one. Call inside a transaction, client locked.

    Also the entry point for other parts (referral accepted, dispute decided).
    """
    _accountability_checked(team, lead)
    now = timezone.now()
    Accountability.objects.filter(client=client, until__isnull=True).update(until=now)
    accountability = Accountability.objects.create(
        client=client, team=team, lead_professional=lead, since=now, reason=reason, recorded_by_id=actor.user_id
    )
    client.accountable_team = team
    client.lead_professional = lead
    client.save(update_fields=["accountable_team", "lead_professional", "updated_at"])
    who = lead.display_name if lead else f"the duty worker of {team.name}"
    add_timeline_event(
        client,
        "accountability_changed",
        f"Accountable: {team.name}, lead {who} ({reason})",
        source=SOURCE,
        actor=actor,
        obj=accountability,
    )
    return accountability


def change_accountability(
    actor: Actor, client_id: int, team_id: int, lead_id: int | None, reason: str
) -> Accountability:
    """A member of the accountable team or the locality MDT changes who answers for the client."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Give the reason for the change"})
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"team": "Choose a team known to JoinedUp"})
    lead = Practitioner.objects.filter(pk=lead_id, is_active=True).first() if lead_id else None
    if lead_id and lead is None:
        raise ValidationError({"lead_professional": "Choose an active practitioner"})
    with transaction.atomic():
        client, relationship = _locked_visible_client(actor, client_id)
        if client.accountable_team_id not in actor.team_ids and client.locality_id not in actor.mdt_locality_ids:
            raise Refused("Only the accountable team or the locality MDT can change who is accountable")
        accountability = set_accountability(client, team, lead, reason=reason.strip(), actor=actor)
        audit.record(
            actor,
            "update",
            object_type="Accountability",
            object_id=accountability.pk,
            client_id=client.pk,
            reason=relationship,
            detail={"team": team.pk, "lead": lead.pk if lead else None, "why": reason.strip()},
        )
        recipients = list(team.memberships.values_list("practitioner_id", flat=True))
        notify(
            recipients,
            f"{team.name} is now accountable for {client.full_name}",
            client=client,
            link=f"/clients/{client.pk}/",
        )
    return accountability


def use_emergency_access(actor: Actor, client_id: int, reason: str) -> EmergencyAccess:
    """Break glass: time-limited access with a mandatory reason, audited and shown to the accountable team."""
    if not actor.may_use_emergency_access:
        raise Refused("Your role does not allow emergency access")
    if not reason or len(reason.strip()) < 10:
        raise ValidationError({"reason": "Give the reason for emergency access (at least 10 characters)"})
    with transaction.atomic():
        client = Client.objects.filter(pk=client_id).first()
        if client is None or actor.user_id is None:
            raise NotFound("client")
        now = timezone.now()
        grant = EmergencyAccess.objects.create(
            practitioner_id=actor.person_id,
            client=client,
            reason=reason.strip(),
            started_at=now,
            expires_at=now + timedelta(minutes=settings.JOINEDUP_EMERGENCY_ACCESS_MINUTES),
        )
        add_timeline_event(
            client,
            "emergency_access",
            f"Emergency access by {actor.name or actor.username}: {grant.reason}",
            source=SOURCE,
            actor=actor,
            obj=grant,
        )
        audit.record(
            actor,
            "emergency_access",
            object_type="Client",
            object_id=client.pk,
            client_id=client.pk,
            reason=grant.reason,
            detail={"expires_at": grant.expires_at.isoformat()},
        )
        team = client.accountable_team
        recipients = set(team.memberships.values_list("practitioner_id", flat=True))
        if team.manager_id:
            recipients.add(team.manager_id)
        notify(
            sorted(recipients - {actor.user_id}),
            f"Emergency access to {client.full_name} by {actor.name or actor.username}: {grant.reason}"[:400],
            client=client,
            link=f"/clients/{client.pk}/access-history/",
        )
    return grant


# --- Clients registered by the system from another system's records (the FHIR import) ---------


@dataclass(frozen=True)
class ImportedClient:
    """A person another system sent, with the team that will answer for them and why."""

    given_name: str
    family_name: str
    date_of_birth: date
    accountable_team: Team
    locality: Locality
    why_this_team: str
    gp_practice: Organisation | None = None
    nhs_number: str | None = None
    sex: str = Sex.UNKNOWN
    address: str = ""
    postcode: str = ""
    phone: str = ""
    status: str = ClientStatus.ACTIVE


def _imported_problem(new: ImportedClient, taken: set[str], answering: dict[int, str | None]) -> str | None:
    """Why this person cannot be registered (the checks create_client makes), or None."""
    try:
        if not new.given_name.strip() or not new.family_name.strip():
            raise ValidationError({"family_name": "Enter the client's given and family names"})
        if new.sex not in Sex.values or new.status not in ClientStatus.values:
            raise ValidationError({"sex": "Choose female, male, other or not known"})
        _check_date_of_birth(new.date_of_birth)
        if new.nhs_number is not None and new.nhs_number in taken:
            raise ValidationError({"nhs_number": "A client with this NHS number is already recorded"})
    except ValidationError as error:
        return "; ".join(error.messages)
    team = new.accountable_team
    if team.pk not in answering:
        try:
            rules.check_accountability(team_facts(team), None)
            answering[team.pk] = None
        except rules.AccountabilityRefused as error:
            answering[team.pk] = str(error)
    return answering[team.pk]


def register_imported_clients(
    actor: Actor, imported: list[ImportedClient], *, source: str
) -> tuple[list[Client | None], dict[int, str]]:
    """Register people sent by another system, in bulk, inside the caller's transaction.

    Each gets the same checks as create_client, no lead professional (the team's duty worker answers:
    invariant 1), an accountability that says why this team, a timeline line and an audit event.
    Returns the clients in the order given (None where refused) and the refusals by position.
    """
    numbers = [n.nhs_number for n in imported if n.nhs_number]
    taken = {n for n in Client.objects.filter(nhs_number__in=numbers).values_list("nhs_number", flat=True) if n}
    answering: dict[int, str | None] = {}
    refused: dict[int, str] = {}
    accepted: list[tuple[int, ImportedClient]] = []
    for position, new in enumerate(imported):
        problem = _imported_problem(new, taken, answering)
        if problem is not None:
            refused[position] = problem
            continue
        if new.nhs_number:
            taken.add(new.nhs_number)
        accepted.append((position, new))
    clients = Client.objects.bulk_create([_imported_row(new) for _, new in accepted])
    now = timezone.now()
    Accountability.objects.bulk_create(
        Accountability(client=c, team=n.accountable_team, since=now, reason=n.why_this_team[:300])
        for c, (_, n) in zip(clients, accepted, strict=True)
    )
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            client=c, occurred_at=now, kind="registered", summary=f"Registered from {source}"[:500], source=SOURCE
        )
        for c in clients
    )
    audit.record_many(
        actor,
        [Entry("create", "Client", c.pk, c.pk, f"imported from {source}"[:500]) for c in clients],
    )
    result: list[Client | None] = [None] * len(imported)
    for client, (position, _) in zip(clients, accepted, strict=True):
        result[position] = client
    return result, refused


def _imported_row(new: ImportedClient) -> Client:
    return Client(
        nhs_number=new.nhs_number,
        given_name=new.given_name.strip(),
        family_name=new.family_name.strip(),
        date_of_birth=new.date_of_birth,
        sex=new.sex,
        address=new.address.strip(),
        postcode=new.postcode.strip().upper(),
        phone=new.phone.strip(),
        gp_practice=new.gp_practice,
        locality=new.locality,
        holding_organisation_id=new.accountable_team.organisation_id,
        accountable_team=new.accountable_team,
        lead_professional=None,
        status=new.status,
    )


@dataclass(frozen=True)
class MinimalClient:
    """What is known of someone met in an urgent situation: enough to find and help them."""

    given_name: str
    family_name: str
    date_of_birth: date
    locality: Locality
    gp_practice: Organisation | None = None
    nhs_number: str | None = None
    postcode: str = ""
    address: str = ""
    phone: str = ""


def register_minimal_client(
    actor: Actor, minimal: MinimalClient, accountable_team: Team, *, reason: str, source: str
) -> Client:
    """Register a client with the details known so far, to be completed later (call inside a transaction).

    Invariant 1 holds from the first moment: `accountable_team` answers through its duty worker
    (no lead professional is named yet), and it holds the record. The caller decides the team
    (crisis.registration.holder_for_new_client) and writes its own audit event.
    """
    if not minimal.given_name.strip() or not minimal.family_name.strip():
        raise ValidationError({"family_name": "Enter the client's given and family names"})
    nhs_number = _clean_nhs_number(minimal.nhs_number)
    _check_date_of_birth(minimal.date_of_birth)
    _accountability_checked(accountable_team, None)
    _check_unique_nhs_number(nhs_number)
    client = Client.objects.create(
        nhs_number=nhs_number,
        given_name=minimal.given_name.strip(),
        family_name=minimal.family_name.strip(),
        date_of_birth=minimal.date_of_birth,
        address=minimal.address.strip(),
        postcode=minimal.postcode.strip().upper(),
        phone=minimal.phone.strip(),
        gp_practice=minimal.gp_practice,
        locality=minimal.locality,
        holding_organisation_id=accountable_team.organisation_id,
        accountable_team=accountable_team,
    )
    Accountability.objects.create(
        client=client, team=accountable_team, since=timezone.now(), reason=reason[:300], recorded_by_id=actor.user_id
    )
    summary = f"Registered with minimal details by {actor.name or actor.username} ({reason}); details to be completed"
    add_timeline_event(client, "registered", summary, source=source, actor=actor)
    return client
