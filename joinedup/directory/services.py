"""Changes to teams that touch accountability: members joining and leaving, duty workers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from joinedup.clients import rules
from joinedup.clients.models import Client, ClientStatus
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.directory.models import Practitioner, Team, TeamMembership
from joinedup.directory.queries import team_facts


def add_member(actor: Actor, team: Team, practitioner: Practitioner, role_in_team: str = "") -> TeamMembership:
    with transaction.atomic():
        membership, _ = TeamMembership.objects.get_or_create(
            team=team, practitioner=practitioner, defaults={"role_in_team": role_in_team}
        )
        audit.record(
            actor,
            "create",
            object_type="TeamMembership",
            object_id=membership.pk,
            detail={"team": team.pk, "practitioner": practitioner.pk},
        )
    return membership


def set_duty_worker(actor: Actor, team: Team, practitioner: Practitioner | None) -> Team:
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        without_lead = Client.objects.filter(
            accountable_team=team, lead_professional__isnull=True, status=ClientStatus.ACTIVE
        ).count()
        try:
            rules.check_duty_worker_change(team_facts(team), practitioner.pk if practitioner else None, without_lead)
        except rules.AccountabilityRefused as error:
            raise ValidationError({"duty_worker": str(error)}) from error
        team.duty_worker = practitioner
        team.save(update_fields=["duty_worker"])
        audit.record(
            actor,
            "update",
            object_type="Team",
            object_id=team.pk,
            detail={"duty_worker": practitioner.pk if practitioner else None},
        )
    return team


def remove_member(actor: Actor, team: Team, practitioner: Practitioner) -> None:
    """The member leaves; clients they led fall back to the team's duty worker, on the record."""
    from joinedup.clients.services import set_accountability  # clients.services imports this app's queries

    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        led = list(Client.objects.select_for_update().filter(accountable_team=team, lead_professional=practitioner))
        without_lead = Client.objects.filter(
            accountable_team=team, lead_professional__isnull=True, status=ClientStatus.ACTIVE
        ).count()
        try:
            rules.check_member_leaving(team_facts(team), practitioner.pk, len(led), without_lead)
        except rules.AccountabilityRefused as error:
            raise ValidationError({"practitioner": str(error)}) from error
        TeamMembership.objects.filter(team=team, practitioner=practitioner).delete()
        for client in led:
            reason = f"{practitioner.display_name} left {team.name}"
            accountability = set_accountability(client, team, None, reason=reason, actor=actor)
            audit.record(
                actor,
                "update",
                object_type="Accountability",
                object_id=accountability.pk,
                client_id=client.pk,
                reason="team membership ended",
                detail={"why": reason},
            )
        audit.record(
            actor,
            "delete",
            object_type="TeamMembership",
            detail={"team": team.pk, "practitioner": practitioner.pk, "clients_reassigned": len(led)},
        )


def deactivate_practitioner(actor: Actor, practitioner: Practitioner) -> None:
    """Someone leaves: out of every team (clients they led fall back to duty workers), then deactivated.

    All or nothing: if any team would be left without a duty worker, nothing changes.
    """
    with transaction.atomic():
        for membership in TeamMembership.objects.filter(practitioner=practitioner).select_related("team"):
            remove_member(actor, membership.team, practitioner)
        practitioner.is_active = False
        practitioner.save(update_fields=["is_active"])
        audit.record(
            actor, "update", object_type="Practitioner", object_id=practitioner.pk, detail={"is_active": False}
        )
