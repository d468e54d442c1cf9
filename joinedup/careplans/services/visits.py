"""Visits: booking with the duplicate-assessment check, completing, cancelling; trusted assessment.

Booking an assessment that another organisation did or plans within the window
(JOINEDUP_DUPLICATE_ASSESSMENT_DAYS) is refused with the duplicates and a suggestion,
unless the practitioner books it anyway with a reason, which is kept on the visit
(ADR 0037). An assessment done by a practitioner whose trusted assessor competency
covered it that day may be accepted by another organisation without assessing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.careplans.models import TrustedAssessment, Visit
from joinedup.careplans.rules import visits as rules
from joinedup.careplans.services.common import SOURCE, editable_client, locked_client, text
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.directory.models import Practitioner, Team
from joinedup.directory.training import usable_competency
from joinedup.tasks.models import Task
from joinedup.tasks.services import create_task, due_in_working_days, notify


class DuplicateAssessment(Exception):
    """Another organisation did or plans the same kind of assessment within the window."""

    def __init__(self, found: list[rules.Duplicate]) -> None:
        super().__init__("; ".join(d.warning for d in found))
        self.duplicates = found


@dataclass(frozen=True)
class NewVisit:
    practitioner_id: int
    team_id: int
    kind: str
    starts_at: datetime
    duration_minutes: int = 60
    assessment: str = ""
    purpose: str = ""


def window_days() -> int:
    return settings.JOINEDUP_DUPLICATE_ASSESSMENT_DAYS


def facts(visit: Visit) -> rules.VisitFacts:
    return rules.VisitFacts(
        id=visit.pk,
        organisation_id=visit.organisation_id,
        organisation=visit.organisation.name,
        practitioner=visit.practitioner.display_name,
        kind=rules.VisitKind(visit.kind),
        assessment=rules.AssessmentKind(visit.assessment) if visit.assessment else None,
        day=timezone.localtime(visit.starts_at).date(),
        status=rules.VisitStatus(visit.status),
        trusted=visit.trusted_competency_id is not None,
    )


def find_duplicates(client_id: int, proposed: rules.Proposed, exclude: int | None = None) -> list[rules.Duplicate]:
    """Other organisations' assessments of the same kind near the proposed day (for a client already seen)."""
    if proposed.assessment is None:
        return []
    start, end = rules.window_around(proposed.day, window_days())
    others = (
        Visit.objects.filter(client_id=client_id, kind=rules.VisitKind.ASSESSMENT, assessment=proposed.assessment.value)
        .filter(starts_at__date__gte=start, starts_at__date__lte=end)
        .select_related("organisation", "practitioner")
    )
    found = [facts(v) for v in others if v.pk != exclude]
    return rules.duplicates(proposed, found, window_days())


def _checked(new: NewVisit) -> tuple[Practitioner, Team]:
    try:
        rules.check_visit(new.kind, new.assessment, new.starts_at, new.duration_minutes, timezone.now())
    except rules.VisitError as error:
        raise ValidationError({error.field: str(error)}) from error
    text(new.purpose, "purpose", 300)
    team = Team.objects.filter(pk=new.team_id).first()
    if team is None:
        raise ValidationError({"team": "Choose the team the visit is for"})
    person = Practitioner.objects.filter(pk=new.practitioner_id, is_active=True, memberships__team=team).first()
    if person is None:
        raise ValidationError({"practitioner": f"Choose who visits, from {team.name}"})
    return person, team


def proposed_of(new: NewVisit, person: Practitioner, team: Team) -> rules.Proposed:
    return rules.Proposed(
        organisation_id=person.organisation_id or team.organisation_id,
        kind=rules.VisitKind(new.kind),
        assessment=rules.AssessmentKind(new.assessment) if new.assessment else None,
        day=timezone.localtime(new.starts_at).date(),
    )


def book_visit(actor: Actor, client_id: int, new: NewVisit, *, duplicate_reason: str = "") -> Visit:
    """Book a visit; a duplicate assessment is refused (DuplicateAssessment) unless a reason is given."""
    person, team = _checked(new)
    duplicate_reason = text(duplicate_reason, "duplicate_reason", 500)
    with transaction.atomic():
        client, reason = editable_client(actor, client_id)
        found = find_duplicates(client.pk, proposed_of(new, person, team))
        if found and not duplicate_reason:
            raise DuplicateAssessment(found)
        visit = Visit.objects.create(
            client=client,
            practitioner=person,
            team=team,
            organisation_id=person.organisation_id or team.organisation_id,
            kind=new.kind,
            assessment=new.assessment,
            starts_at=new.starts_at,
            duration_minutes=new.duration_minutes,
            purpose=new.purpose.strip(),
            duplicate_of=[d.other.id for d in found],
            duplicate_reason=duplicate_reason if found else "",
            booked_by_id=actor.person_id,
            booked_at=timezone.now(),
        )
        label = (
            visit.get_assessment_display().lower() + " assessment"
            if new.assessment
            else visit.get_kind_display().lower()
        )
        when = f"{timezone.localtime(new.starts_at):%d %B %Y at %H:%M}"
        add_timeline_event(
            client,
            "visit_booked",
            f"Visit booked: {label} by {person.display_name} on {when}",
            source=SOURCE,
            actor=actor,
            obj=visit,
        )
        audit.record(
            actor,
            "create",
            object_type="Visit",
            object_id=visit.pk,
            client_id=client.pk,
            reason=reason,
            detail={"kind": new.kind, "assessment": new.assessment, "duplicates": visit.duplicate_of},
        )
        if person.pk != actor.user_id:
            notify(
                [person.pk],
                f"Visit to {client.full_name} booked for you on {when}",
                client=client,
                link=f"/clients/{client.pk}/visits/",
            )
    return visit


def _locked_visit(actor: Actor, visit_id: int) -> tuple[Visit, str]:
    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None:
        raise NotFound("visit")
    _, reason = editable_client(actor, visit.client_id)
    return Visit.objects.select_for_update().select_related("client", "practitioner").get(pk=visit_id), reason


def _hours(value: str | Decimal | None) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValidationError({"recommended_hours": "Give the hours a week as a number, like 10.5"}) from error
    if not Decimal(0) < hours <= Decimal(168) or hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({"recommended_hours": "Give the hours a week, from 0.1 to 168, to one decimal place"})
    return hours


def complete_visit(actor: Actor, visit_id: int, outcome: str, recommended_hours: str | Decimal | None = None) -> Visit:
    """The visit happened. An assessment by a practitioner whose competency covers it is marked trusted."""
    outcome = text(outcome, "outcome", 4000, required="Record what happened or what was found")
    hours = _hours(recommended_hours)
    with transaction.atomic():
        visit, reason = _locked_visit(actor, visit_id)
        if visit.status != rules.VisitStatus.PLANNED:
            raise Refused("Only a planned visit can be recorded as done")
        if hours is not None and visit.assessment != rules.AssessmentKind.PACKAGE_OF_CARE:
            raise ValidationError({"recommended_hours": "Only a package of care assessment recommends hours"})
        visit.status, visit.outcome, visit.recommended_hours = rules.VisitStatus.DONE, outcome, hours
        visit.closed_at = timezone.now()
        kind = rules.TRUSTED_FOR.get(rules.AssessmentKind(visit.assessment)) if visit.assessment else None
        day = timezone.localtime(visit.starts_at).date()
        competency = usable_competency(visit.practitioner_id, kind, day) if kind else None
        if (
            competency is not None
            and competency.hours_limit is not None
            and (hours is None or hours > competency.hours_limit)
        ):
            competency = None  # beyond what this assessor may set: the other organisation assesses
        visit.trusted_competency = competency
        visit.save()
        trusted = " (trusted assessor)" if competency else ""
        add_timeline_event(
            visit.client, "visit_done", f"Visit done{trusted}: {outcome[:300]}", source=SOURCE, actor=actor, obj=visit
        )
        audit.record(
            actor,
            "update",
            object_type="Visit",
            object_id=visit.pk,
            client_id=visit.client_id,
            reason=reason,
            detail={"status": "done", "trusted_competency": competency.pk if competency else None},
        )
    return visit


def cancel_visit(actor: Actor, visit_id: int, why: str) -> Visit:
    why = text(why, "reason", 300, required="Say why the visit is cancelled")
    with transaction.atomic():
        visit, reason = _locked_visit(actor, visit_id)
        if visit.status != rules.VisitStatus.PLANNED:
            raise Refused("Only a planned visit can be cancelled")
        visit.status, visit.cancel_reason, visit.closed_at = rules.VisitStatus.CANCELLED, why, timezone.now()
        visit.save(update_fields=["status", "cancel_reason", "closed_at"])
        add_timeline_event(
            visit.client, "visit_cancelled", f"Visit cancelled: {why}", source=SOURCE, actor=actor, obj=visit
        )
        audit.record(
            actor,
            "update",
            object_type="Visit",
            object_id=visit.pk,
            client_id=visit.client_id,
            reason=reason,
            detail={"status": "cancelled", "why": why},
        )
    return visit


def accept_trusted_assessment(actor: Actor, visit_id: int, note: str = "") -> TrustedAssessment:
    """The actor's organisation accepts a trusted assessor's assessment, recorded as such, without its own."""
    note = text(note, "note", 500)
    with transaction.atomic():
        visit, reason = _locked_visit(actor, visit_id)
        if actor.organisation_id is None:
            raise Refused("Only a practitioner of an organisation can accept an assessment for it")
        try:
            rules.check_acceptance(
                rules.AssessmentKind(visit.assessment) if visit.assessment else None,
                rules.VisitStatus(visit.status),
                visit.organisation_id,
                actor.organisation_id,
            )
        except rules.VisitError as error:
            raise Refused(str(error)) from error
        if visit.trusted_competency_id is None:
            raise Refused("This assessment was not made by an in-date trusted assessor: assess, or ask them to")
        if TrustedAssessment.objects.filter(visit=visit, accepting_organisation_id=actor.organisation_id).exists():
            raise Refused("Your organisation has already accepted this assessment")
        accepted = TrustedAssessment.objects.create(
            visit=visit,
            competency_id=visit.trusted_competency_id,
            accepting_organisation_id=actor.organisation_id,
            accepted_by_id=actor.person_id,
            accepted_at=timezone.now(),
            note=note,
        )
        add_timeline_event(
            visit.client,
            "trusted_assessment_accepted",
            f"{visit.get_assessment_display()} assessment by {visit.practitioner.display_name} (trusted "
            f"assessor) accepted by {accepted.accepting_organisation.name} without a second assessment",
            source=SOURCE,
            actor=actor,
            obj=visit,
        )
        audit.record(
            actor,
            "accept",
            object_type="TrustedAssessment",
            object_id=accepted.pk,
            client_id=visit.client_id,
            reason=reason,
            detail={"visit": visit.pk, "competency": visit.trusted_competency_id},
        )
    return accepted


def ask_to_share(actor: Actor, client_id: int, visit_id: int) -> Task:
    """Instead of assessing again: a task for the practitioner of the other assessment to share it."""
    with transaction.atomic():
        client, _ = locked_client(actor, client_id)
        visit = Visit.objects.select_related("practitioner", "organisation").filter(pk=visit_id, client=client).first()
        if visit is None or not visit.assessment:
            raise NotFound("assessment")
        who = actor.name or actor.username
        return create_task(
            actor,
            title=f"Share your {visit.get_assessment_display().lower()} assessment of {client.full_name} with {who}",
            due_at=due_in_working_days(2),
            owner_practitioner_id=visit.practitioner_id,
            client=client,
            details=f"{who} was about to assess {client.full_name} again and asked for yours instead.",
            source=SOURCE,
            source_ref=f"visit:{visit.pk}",
        )
