"""Training records and competencies: writes (one transaction each, audited) and who may make them.

A practitioner records their own training; a manager of one of their teams may record it
for them, and is the only one who grants or withdraws a competency. Staff records, not
client data: refusals are NotFound like everywhere else, so a stranger cannot tell whether
a colleague exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.core.roles import Role
from joinedup.directory import rules
from joinedup.directory.models import Competency, Practitioner, Team, TeamMembership, TrainingRecord

MAX_TEXT = 300


def manages(actor: Actor, practitioner_id: int) -> bool:
    """A team manager who shares a team with the practitioner, or the named manager of one of their teams."""
    if actor.user_id is None:
        return False
    teams = set(TeamMembership.objects.filter(practitioner_id=practitioner_id).values_list("team_id", flat=True))
    if Team.objects.filter(pk__in=teams, manager_id=actor.user_id).exists():
        return True
    return actor.has_role(Role.TEAM_MANAGER) and bool(teams & actor.team_ids)


def may_read_training(actor: Actor, practitioner_id: int) -> bool:
    """Oneself, one's managers, and MDT coordinators of a team one is in (who plan who assesses)."""
    if actor.user_id == practitioner_id or manages(actor, practitioner_id):
        return True
    if not actor.has_role(Role.MDT_COORDINATOR):
        return False
    return TeamMembership.objects.filter(practitioner_id=practitioner_id, team_id__in=actor.team_ids).exists()


def _practitioner(practitioner_id: int) -> Practitioner:
    found = Practitioner.objects.filter(pk=practitioner_id, is_active=True).first()
    if found is None:
        raise NotFound("practitioner")
    return found


@dataclass(frozen=True)
class NewTraining:
    course: str
    completed_on: date
    evidence: str = ""


def record_training(actor: Actor, practitioner_id: int, new: NewTraining) -> TrainingRecord:
    if new.course not in rules.Course.__members__.values():
        raise ValidationError({"course": "Choose a course from the list"})
    if new.completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The date completed cannot be in the future"})
    if len(new.evidence) > MAX_TEXT:
        raise ValidationError({"evidence": f"Keep the evidence to {MAX_TEXT} characters or fewer"})
    course = rules.Course(new.course)
    with transaction.atomic():
        person = _practitioner(practitioner_id)
        if actor.user_id != person.pk and not manages(actor, person.pk):
            raise NotFound("practitioner")
        record = TrainingRecord.objects.create(
            practitioner=person,
            course=course.value,
            completed_on=new.completed_on,
            expires_on=rules.training_expiry(course, new.completed_on),
            evidence=new.evidence.strip(),
            recorded_by_id=actor.person_id,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            object_type="TrainingRecord",
            object_id=record.pk,
            reason="own record" if actor.user_id == person.pk else "team manager",
            detail={"practitioner": person.pk, "course": course.value, "completed_on": new.completed_on.isoformat()},
        )
    return record


@dataclass(frozen=True)
class NewCompetency:
    kind: str
    granted_on: date
    expires_on: date
    evidence: str
    hours_limit: str | Decimal | None = None


def _hours(value: str | Decimal | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValidationError({"hours_limit": "Give the hours as a number, like 14 or 10.5"}) from error
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({"hours_limit": "Give the hours to one decimal place at most"})
    return hours


def grant_competency(actor: Actor, practitioner_id: int, new: NewCompetency) -> Competency:
    if new.kind not in rules.CompetencyKind.__members__.values():
        raise ValidationError({"kind": "Choose a competency from the list"})
    kind = rules.CompetencyKind(new.kind)
    hours = _hours(new.hours_limit)
    if len(new.evidence) > 2000:
        raise ValidationError({"evidence": "Keep the evidence to 2,000 characters or fewer"})
    try:
        rules.check_grant(kind, new.granted_on, new.expires_on, float(hours) if hours else None, new.evidence)
    except rules.CompetencyError as error:
        raise ValidationError({error.field: str(error)}) from error
    with transaction.atomic():
        person = _practitioner(practitioner_id)
        if not manages(actor, person.pk):
            if may_read_training(actor, person.pk):
                raise Refused("Only a manager of one of their teams can grant a competency")
            raise NotFound("practitioner")
        competency = Competency.objects.create(
            practitioner=person,
            kind=kind.value,
            hours_limit=hours,
            evidence=new.evidence.strip(),
            granted_on=new.granted_on,
            expires_on=new.expires_on,
            granted_by_id=actor.person_id,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            object_type="Competency",
            object_id=competency.pk,
            reason="team manager",
            detail={"practitioner": person.pk, "kind": kind.value, "expires_on": new.expires_on.isoformat()},
        )
    return competency


def revoke_competency(actor: Actor, competency_id: int, reason: str, *, of: int | None = None) -> Competency:
    """Withdraw a competency from today (`of`: the practitioner it must belong to, when the caller names one)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the competency is withdrawn"})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": f"Keep the reason to {MAX_TEXT} characters or fewer"})
    with transaction.atomic():
        competency = Competency.objects.select_for_update().filter(pk=competency_id).first()
        if competency is None or not manages(actor, competency.practitioner_id):
            raise NotFound("competency")
        if of is not None and competency.practitioner_id != of:
            raise NotFound("competency")
        if competency.revoked_on is not None:
            raise Refused("This competency is already withdrawn")
        competency.revoked_on = timezone.localdate()
        competency.revoked_by_id = actor.person_id
        competency.revoke_reason = reason.strip()
        competency.save(update_fields=["revoked_on", "revoked_by", "revoke_reason"])
        audit.record(
            actor,
            "revoke",
            object_type="Competency",
            object_id=competency.pk,
            reason="team manager",
            detail={"practitioner": competency.practitioner_id, "why": reason.strip()},
        )
    return competency


def completions_of(practitioner_ids: list[int]) -> dict[int, list[rules.Completion]]:
    """Each practitioner's completions as the rules read them (one query)."""
    found: dict[int, list[rules.Completion]] = {pk: [] for pk in practitioner_ids}
    rows = TrainingRecord.objects.filter(practitioner_id__in=practitioner_ids).values_list(
        "practitioner_id", "course", "completed_on", "expires_on"
    )
    for person, course, completed, expires in rows:
        found[person].append(rules.Completion(rules.Course(course), completed, expires))
    return found


def facts_of(competency: Competency) -> rules.CompetencyFacts:
    return rules.CompetencyFacts(
        kind=rules.CompetencyKind(competency.kind),
        granted_on=competency.granted_on,
        expires_on=competency.expires_on,
        revoked_on=competency.revoked_on,
        hours_limit=float(competency.hours_limit) if competency.hours_limit is not None else None,
    )


def usable_competency(practitioner_id: int, kind: rules.CompetencyKind, on: date) -> Competency | None:
    """The practitioner's competency of this kind that can be relied on for an assessment on that day."""
    candidates = Competency.objects.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
        practitioner_id=practitioner_id,
        kind=kind.value,
        granted_on__lte=on,
        expires_on__gt=on,
    ).order_by("-expires_on")
    completions = completions_of([practitioner_id])[practitioner_id]
    return next((c for c in candidates if rules.competency_usable(facts_of(c), completions, on).ok), None)
