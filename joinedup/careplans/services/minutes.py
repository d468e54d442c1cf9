"""In the meeting: who attended, the discussion and decision per client, actions, disputes decided, closing.

Actions become tasks through tasks.services (source "mdt", source_ref "agenda-item:<id>").
A dispute on the agenda is decided through handover.disputes.decide_dispute, which sets
accountability; the item records the decision in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.careplans.models import AgendaItem, AgendaItemStatus, AgendaRequest, Attendee, Meeting, MeetingStatus
from joinedup.careplans.services.common import due_at, text
from joinedup.careplans.services.meetings import MDT_SOURCE, locked_item, require_runner
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.directory.models import Practitioner, TeamMembership
from joinedup.handover.disputes import decide_dispute
from joinedup.tasks.models import Task
from joinedup.tasks.services import create_task


def _locked_meeting(actor: Actor, meeting_id: int, *, open_only: bool = True) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("series").filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound("meeting")
    require_runner(actor, meeting)
    if open_only and meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise Refused("The minutes of this meeting are final")
    return meeting


def _start(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status, meeting.started_at = MeetingStatus.IN_PROGRESS, timezone.now()
        meeting.save(update_fields=["status", "started_at"])


def start_meeting(actor: Actor, meeting_id: int) -> Meeting:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _start(meeting)
        audit.record(actor, "start", object_type="Meeting", object_id=meeting.pk, reason="MDT coordinator")
    return meeting


@dataclass(frozen=True)
class Guest:
    name: str
    profession: str
    organisation: str


def record_attendance(
    actor: Actor, meeting_id: int, present: Sequence[int], apologies: Sequence[int] = (), guest: Guest | None = None
) -> list[Attendee]:
    """Who is here and who sent apologies, of the MDT's members; and a guest from outside it, if any."""
    if set(present) & set(apologies):
        raise ValidationError({"apologies": "Someone cannot be both here and sending apologies"})
    if guest is not None:
        guest = Guest(
            text(guest.name, "guest_name", 160, required="Give the guest's name"),
            text(guest.profession, "guest_profession", 120, required="Give the guest's profession or role"),
            text(guest.organisation, "guest_organisation", 200, required="Give the guest's organisation"),
        )
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        chosen = set(present) | set(apologies)
        people = {
            p.pk: p for p in Practitioner.objects.filter(pk__in=chosen, is_active=True).select_related("organisation")
        }
        members = set(
            TeamMembership.objects.filter(team_id=meeting.series.team_id).values_list("practitioner_id", flat=True)
        )
        strangers = sorted(chosen - (set(people) & members))
        if strangers:
            raise ValidationError({"present": "Choose members of the MDT; add anyone else as a guest"})
        Attendee.objects.filter(meeting=meeting, practitioner__isnull=False).delete()
        Attendee.objects.bulk_create(
            Attendee(
                meeting=meeting,
                practitioner=p,
                name=p.display_name,
                profession=p.get_profession_display() or "Not recorded",
                organisation=p.organisation.name if p.organisation else "Not recorded",
                present=p.pk in present,
            )
            for p in people.values()
        )
        if guest is not None:
            Attendee.objects.create(
                meeting=meeting,
                name=guest.name,
                profession=guest.profession,
                organisation=guest.organisation,
                present=True,
            )
        audit.record(
            actor,
            "update",
            object_type="Meeting",
            object_id=meeting.pk,
            reason="MDT coordinator",
            detail={"present": sorted(present), "apologies": sorted(apologies), "guest": guest is not None},
        )
    return list(meeting.attendees.all())


def record_discussion(actor: Actor, item_id: int, note: str, decision: str) -> AgendaItem:
    """The discussion note and the decision for one client; requests to discuss them are answered."""
    note = text(note, "note", 4000, required="Write what was discussed")
    decision = text(decision, "decision", 2000, required="Write what the MDT decided")
    with transaction.atomic():
        item = locked_item(actor, item_id)
        if item.status == AgendaItemStatus.REMOVED:
            raise Refused("This client was taken off the agenda: put them back on first")
        _start(Meeting.objects.select_for_update().get(pk=item.meeting_id))
        item.note, item.decision, item.status = note, decision, AgendaItemStatus.DISCUSSED
        item.discussed_at, item.recorded_by_id = item.discussed_at or timezone.now(), actor.person_id
        item.save(update_fields=["note", "decision", "status", "discussed_at", "recorded_by"])
        AgendaRequest.objects.filter(client_id=item.client_id, discussed_in__isnull=True).update(discussed_in=item)
        add_timeline_event(
            item.client,
            "mdt_discussed",
            f"Discussed at the locality MDT: {decision}"[:500],
            source=MDT_SOURCE,
            actor=actor,
            obj=item,
        )
        audit.record(
            actor,
            "update",
            object_type="AgendaItem",
            object_id=item.pk,
            client_id=item.client_id,
            reason="MDT coordinator",
            detail={"status": "discussed"},
        )
    return item


@dataclass(frozen=True)
class NewAction:
    title: str
    due_on: date
    owner_practitioner_id: int | None = None
    owner_team_id: int | None = None


def add_action(actor: Actor, item_id: int, action: NewAction) -> Task:
    """An action from the discussion: a task with its owner and due date, linked to the agenda item."""
    title = text(action.title, "title", 200, required="Say what needs doing")
    if action.due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date cannot be in the past"})
    if (action.owner_practitioner_id is None) == (action.owner_team_id is None):
        raise ValidationError({"owner": "Choose who owns the action: a practitioner or a team"})
    with transaction.atomic():
        item = locked_item(actor, item_id)
        if item.status == AgendaItemStatus.REMOVED:
            raise Refused("This client was taken off the agenda: put them back on first")
        task = create_task(
            actor,
            title=title,
            due_at=due_at(action.due_on),
            owner_practitioner_id=action.owner_practitioner_id,
            owner_team_id=action.owner_team_id,
            client=item.client,
            details=f"Action from the locality MDT meeting of {timezone.localtime(item.meeting.starts_at):%d %B %Y}",
            source=MDT_SOURCE,
            source_ref=f"agenda-item:{item.pk}",
        )
    return task


def decide_dispute_in_meeting(
    actor: Actor, item_id: int, team_id: int, lead_id: int | None, reasons: str
) -> AgendaItem:
    """The MDT decides the item's dispute: accountability is set (handover.disputes), the item records it."""
    with transaction.atomic():
        item = locked_item(actor, item_id)
        if item.dispute_id is None:
            raise NotFound("dispute")
        dispute = decide_dispute(actor, item.dispute_id, team_id, lead_id, reasons)
        line = f"Dispute #{dispute.pk} decided: {dispute.decided_team.name} is accountable ({reasons.strip()})"  # type: ignore[union-attr]
        item.decision = f"{item.decision}\n{line}".strip()[:2000]
        item.save(update_fields=["decision"])
        audit.record(
            actor,
            "update",
            object_type="AgendaItem",
            object_id=item.pk,
            client_id=item.client_id,
            reason="MDT coordinator",
            detail={"dispute": dispute.pk},
        )
    return item


def close_meeting(actor: Actor, meeting_id: int) -> Meeting:
    """The minutes are final. Clients not discussed stay listed, and members' requests stay open for next time."""
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        if not meeting.attendees.filter(present=True).exists():
            raise ValidationError({"present": "Record who attended before closing the meeting"})
        meeting.status, meeting.closed_at, meeting.closed_by_id = MeetingStatus.CLOSED, timezone.now(), actor.person_id
        meeting.save(update_fields=["status", "closed_at", "closed_by"])
        audit.record(actor, "close", object_type="Meeting", object_id=meeting.pk, reason="MDT coordinator")
    return meeting
