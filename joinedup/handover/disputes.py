""" "Belongs to" disputes: opened when a client bounces between two organisations, held meanwhile
by the default owner of the governance model, decided by the locality MDT (writes only)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.clients.services import add_timeline_event, set_accountability
from joinedup.core import audit
from joinedup.core.access import SYSTEM, Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.directory.models import OrganisationKind, Practitioner, Team, TeamKind
from joinedup.handover import config
from joinedup.handover.models import Dispute, DisputeState, Referral
from joinedup.handover.rules import (
    Handback,
    HandbackKind,
    OwnerRole,
    age_on,
    default_owner,
    detect_ping_pong,
    dispute_deadline,
)
from joinedup.tasks.services import create_task, notify

SOURCE = "handover"

_OWNER_ORGANISATIONS = {
    OwnerRole.NHS_COMMUNITY_PROVIDER: OrganisationKind.COMMUNITY_PROVIDER,
    OwnerRole.COUNCIL_ADULT_SOCIAL_CARE: OrganisationKind.ADULT_SOCIAL_CARE,
    OwnerRole.COUNCIL_CHILDRENS_SERVICES: OrganisationKind.CHILDRENS_SERVICES,
}


def locality_mdt(client: Client) -> Team:
    team = Team.objects.filter(kind=TeamKind.MDT, locality_id=client.locality_id).first()
    if team is None:
        raise ValidationError({"locality": f"{client.locality} has no MDT to decide disputes"})
    return team


def default_owner_team(client: Client) -> Team:
    """The team that holds a disputed client: a service team of the organisation the governance
    model names (in the client's locality first, then borough-wide, with a duty worker), else the MDT."""
    role = default_owner(config.governance_model(), age_on(client.date_of_birth, timezone.localdate()))
    kind = _OWNER_ORGANISATIONS.get(role)
    if kind is not None:
        candidates = Team.objects.filter(
            organisation__kind=kind, kind=TeamKind.SERVICE, duty_worker__isnull=False
        ).exclude(service__in=["brokerage", "integration"])
        local = candidates.filter(locality_id=client.locality_id).order_by("name").first()
        team = local or candidates.filter(locality__isnull=True).order_by("name").first()
        if team is not None:
            return team
    return locality_mdt(client)


def _handbacks(client: Client) -> list[Handback]:
    """Declines (the receiver hands the client back) and returns (a transfer of care accepted back
    to the organisation the client was last transferred from)."""
    declined = Referral.objects.filter(client=client, state="declined", decided_at__isnull=False).values_list(
        "pk", "receiving_team__organisation_id", "sending_team__organisation_id", "decided_at"
    )
    found = [Handback(frm, to, at, referral_id=pk) for pk, frm, to, at in declined if at is not None]
    transfers = (
        Referral.objects.filter(client=client, state="accepted", kind="transfer_of_care", decided_at__isnull=False)
        .order_by("decided_at", "id")
        .values_list("pk", "sending_team__organisation_id", "receiving_team__organisation_id", "decided_at")
    )
    previous: tuple[int, int] | None = None
    for pk, frm, to, at in transfers:
        if previous == (to, frm) and at is not None:
            found.append(Handback(frm, to, at, HandbackKind.RETURNED, referral_id=pk))
        previous = (frm, to)
    return found


def open_dispute_if_ping_pong(actor: Actor, referral: Referral) -> Dispute | None:
    """After a decline: open a dispute when the client keeps bouncing between the same two organisations."""
    client = Client.objects.select_for_update().get(pk=referral.client_id)
    if Dispute.objects.filter(client=client, state=DisputeState.OPEN).exists():
        return None
    last = Dispute.objects.filter(client=client).order_by("-decided_at").values_list("decided_at", flat=True).first()
    trigger = detect_ping_pong(
        _handbacks(client),
        timezone.now(),
        settings.JOINEDUP_PING_PONG_WINDOW_DAYS,
        settings.JOINEDUP_PING_PONG_THRESHOLD,
        since=last,
    )
    if trigger is None:
        return None
    now = timezone.now()
    mdt = locality_mdt(client)
    owner = default_owner_team(client)
    dispute = Dispute.objects.create(
        client=client,
        locality_id=client.locality_id,
        organisation_a_id=trigger.organisation_ids[0],
        organisation_b_id=trigger.organisation_ids[1],
        opened_at=now,
        decide_by=dispute_deadline(now),
        governance_model=config.governance_model().value,
        default_owner=owner,
    )
    dispute.referrals.set([h.referral_id for h in trigger.handbacks if h.referral_id])
    if client.accountable_team_id != owner.pk:
        set_accountability(
            client, owner, None, reason=f"Dispute #{dispute.pk}: default owner while the MDT decides", actor=actor
        )
    audit.record(
        actor,
        "create",
        object_type="Dispute",
        object_id=dispute.pk,
        client_id=client.pk,
        reason="referrals bounced between two organisations",
        detail={"organisations": list(trigger.organisation_ids), "default_owner": owner.pk},
    )
    add_timeline_event(
        client,
        "dispute_opened",
        f"Dispute #{dispute.pk} opened for {mdt.name} to decide; {owner.name} holds the client meanwhile",
        source=SOURCE,
        actor=actor,
        obj=dispute,
    )
    # The system opens the MDT's task: the declining practitioner may no longer see the client.
    create_task(
        SYSTEM,
        title=f"Decide who is accountable for {client.full_name} (dispute #{dispute.pk})",
        due_at=dispute.decide_by,
        owner_team_id=mdt.pk,
        client=client,
        source=SOURCE,
        source_ref=f"dispute:{dispute.pk}",
    )
    return dispute


def decide_dispute(actor: Actor, dispute_id: int, team_id: int, lead_id: int | None, reasons: str) -> Dispute:
    """The locality MDT decides: accountability is set and the decision recorded with its reasons."""
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("client").filter(pk=dispute_id).first()
        if dispute is None or dispute.locality_id not in actor.mdt_locality_ids:
            raise NotFound("dispute")
        if dispute.state != DisputeState.OPEN:
            raise Refused("This dispute has already been decided")
        if not reasons or not reasons.strip():
            raise ValidationError({"reasons": "Record the reasons for the decision"})
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ValidationError({"team": "Choose a team known to JoinedUp"})
        lead = Practitioner.objects.filter(pk=lead_id).first() if lead_id else None
        if lead_id and lead is None:
            raise ValidationError({"lead_professional": "Choose a practitioner known to JoinedUp"})
        client = Client.objects.select_for_update().get(pk=dispute.client_id)
        set_accountability(
            client,
            team,
            lead,
            reason=f"Dispute #{dispute.pk} decided by the locality MDT: {reasons.strip()}"[:300],
            actor=actor,
        )
        dispute.state = DisputeState.DECIDED
        dispute.decided_team, dispute.decided_lead = team, lead
        dispute.decision_reasons, dispute.decided_at, dispute.decided_by_id = (
            reasons.strip(),
            timezone.now(),
            actor.person_id,
        )
        dispute.save()
        audit.record(
            actor,
            "decide",
            object_type="Dispute",
            object_id=dispute.pk,
            client_id=client.pk,
            reason="member of the locality MDT",
            detail={"team": team.pk, "lead": lead_id},
        )
        add_timeline_event(
            client,
            "dispute_decided",
            f"Dispute #{dispute.pk} decided: {team.name} is accountable ({reasons.strip()})",
            source=SOURCE,
            actor=actor,
            obj=dispute,
        )
        notify(
            team.memberships.values_list("practitioner_id", flat=True),
            f"The MDT decided that {team.name} is accountable for {client.full_name}",
            client=client,
            link=f"/clients/{client.pk}/",
        )
    return dispute
