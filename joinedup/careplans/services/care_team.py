"""The client's care team: members added by hand, and taken off with a reason.

The rest of the team is derived from accountability, accepted referrals, the plan's
interventions and visits (careplans.queries.care_team), and changes with them.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.careplans.models import CareTeamMember
from joinedup.careplans.services.common import SOURCE, editable_client, text
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.directory.models import Practitioner, Team
from joinedup.tasks.services import notify


def add_member(
    actor: Actor,
    client_id: int,
    *,
    role: str,
    practitioner_id: int | None = None,
    team_id: int | None = None,
    since: date | None = None,
) -> CareTeamMember:
    """Add a practitioner or a team to the client's care team: they may then read the record and plan."""
    role = text(role, "role", 120, required="Say what part they play, e.g. 'Community pharmacist'")
    if (practitioner_id is None) == (team_id is None):
        raise ValidationError({"member": "Choose a practitioner or a team"})
    since = since or timezone.localdate()
    if since > timezone.localdate():
        raise ValidationError({"since": "The date they joined cannot be in the future"})
    person = Practitioner.objects.filter(pk=practitioner_id, is_active=True).first() if practitioner_id else None
    team = Team.objects.filter(pk=team_id).first() if team_id else None
    if person is None and team is None:
        raise ValidationError({"member": "Choose an active practitioner or a team known to JoinedUp"})
    with transaction.atomic():
        client, reason = editable_client(actor, client_id)
        today = timezone.localdate()
        current = CareTeamMember.objects.filter(client=client).filter(Q(until__isnull=True) | Q(until__gt=today))
        if current.filter(practitioner=person, team=team).exists():
            raise ValidationError({"member": "They are already in the care team"})
        member = CareTeamMember.objects.create(
            client=client,
            practitioner=person,
            team=team,
            role=role,
            since=since,
            added_by_id=actor.person_id,
            added_at=timezone.now(),
        )
        name = person.display_name if person else team.name  # type: ignore[union-attr]
        add_timeline_event(
            client, "care_team_joined", f"{name} joined the care team ({role})", source=SOURCE, actor=actor, obj=member
        )
        audit.record(
            actor,
            "create",
            object_type="CareTeamMember",
            object_id=member.pk,
            client_id=client.pk,
            reason=reason,
            detail={"practitioner": practitioner_id, "team": team_id, "role": role},
        )
        recipients = [person.pk] if person else list(team.memberships.values_list("practitioner_id", flat=True))  # type: ignore[union-attr]
        notify(
            [r for r in recipients if r != actor.user_id],
            f"You are in the care team of {client.full_name} ({role})",
            client=client,
            link=f"/clients/{client.pk}/",
        )
    return member


def end_member(actor: Actor, client_id: int, member_id: int, why: str) -> CareTeamMember:
    why = text(why, "reason", 300, required="Say why they leave the care team")
    with transaction.atomic():
        client, reason = editable_client(actor, client_id)
        member = CareTeamMember.objects.select_for_update().filter(pk=member_id, client=client).first()
        if member is None:
            raise NotFound("care team member")
        if member.until is not None and member.until <= timezone.localdate():
            raise Refused("They have already left the care team")
        member.until, member.end_reason = max(timezone.localdate(), member.since), why
        member.save(update_fields=["until", "end_reason"])
        add_timeline_event(
            client, "care_team_left", f"{member.role} left the care team: {why}", source=SOURCE, actor=actor, obj=member
        )
        audit.record(
            actor,
            "update",
            object_type="CareTeamMember",
            object_id=member.pk,
            client_id=client.pk,
            reason=reason,
            detail={"until": member.until.isoformat(), "why": why},
        )
    return member
