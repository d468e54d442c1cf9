"""The locality MDT's meetings: schedule, agenda, attendance, discussion, actions, decisions, minutes.

The coordinator (a member of the locality MDT with the MDT coordinator or team manager
role) runs the meeting: proposes and edits the agenda, records who attended, the
discussion and decision for each client, and actions, which become tasks. Any member of
the locality MDT reads the meeting; anyone with a relationship to a client may ask for
the client to be discussed (ADR 0038).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from joinedup.careplans.agenda import proposals_for
from joinedup.careplans.models import AgendaItem, AgendaItemStatus, AgendaRequest, Meeting, MeetingSeries, MeetingStatus
from joinedup.careplans.rules import agenda as rules
from joinedup.careplans.services.common import SOURCE, locked_client, text
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound, Refused
from joinedup.core.roles import Role
from joinedup.core.working_time import LONDON
from joinedup.directory.models import Locality, Team, TeamKind

MDT_SOURCE = "mdt"


def may_run(actor: Actor, locality_id: int) -> bool:
    """The locality MDT's coordinator or manager runs its meetings."""
    in_mdt = locality_id in actor.mdt_locality_ids
    return in_mdt and (actor.has_role(Role.MDT_COORDINATOR) or actor.has_role(Role.TEAM_MANAGER))


def require_runner(actor: Actor, meeting: Meeting) -> None:
    if meeting.locality_id not in actor.mdt_locality_ids:
        raise NotFound("meeting")
    if not may_run(actor, meeting.locality_id):
        raise Refused("The MDT coordinator runs the meeting: you can read it and add clients to discuss")


def create_series(
    actor: Actor,
    locality_id: int,
    *,
    title: str,
    first_date: date,
    start_time: time,
    duration_minutes: int = 90,
    every_weeks: int = 1,
    location: str = "",
) -> MeetingSeries:
    title = text(title, "title", 160, required="Give the meeting a name")
    location = text(location, "location", 200)
    try:
        rules.check_schedule(every_weeks, duration_minutes)
    except rules.ScheduleError as error:
        raise ValidationError({error.field: str(error)}) from error
    if not may_run(actor, locality_id):
        raise NotFound("locality")
    with transaction.atomic():
        locality = Locality.objects.get(pk=locality_id)
        team = Team.objects.filter(kind=TeamKind.MDT, locality=locality).first()
        if team is None:
            raise ValidationError({"locality": f"{locality.name} has no MDT"})
        series = MeetingSeries.objects.create(
            locality=locality,
            team=team,
            title=title,
            first_date=first_date,
            start_time=start_time,
            duration_minutes=duration_minutes,
            every_weeks=every_weeks,
            location=location,
            created_by_id=actor.person_id,
            created_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            object_type="MeetingSeries",
            object_id=series.pk,
            reason="MDT coordinator",
            detail={"locality": locality_id, "every_weeks": every_weeks, "first_date": first_date.isoformat()},
        )
    return series


def starts_at(series: MeetingSeries, day: date) -> datetime:
    return datetime.combine(day, series.start_time, tzinfo=LONDON)


def occurrence_of(actor: Actor, series_id: int, day: date) -> tuple[MeetingSeries, Meeting | None]:
    """A series of the actor's MDTs that meets on the day, and its meeting if opened (reads only)."""
    series = MeetingSeries.objects.select_related("locality").filter(pk=series_id).first()
    if series is None or series.locality_id not in actor.mdt_locality_ids:
        raise NotFound("meeting")
    if rules.occurrences(series.first_date, series.every_weeks, day, 1) != [day]:
        raise NotFound("meeting")
    return series, Meeting.objects.filter(series=series, starts_at=starts_at(series, day)).first()


def open_occurrence(actor: Actor, series_id: int, day: date) -> Meeting:
    """The meeting of a series on a day (made the first time anyone opens it); its agenda is proposed then."""
    series, _ = occurrence_of(actor, series_id, day)
    with transaction.atomic():
        start = starts_at(series, day)
        meeting, made = Meeting.objects.get_or_create(
            series=series,
            starts_at=start,
            defaults={
                "locality_id": series.locality_id,
                "location": series.location,
                "ends_at": start + timedelta(minutes=series.duration_minutes),
            },
        )
        if made:
            audit.record(actor, "create", object_type="Meeting", object_id=meeting.pk, reason="locality MDT")
    if (
        meeting.agenda_proposed_at is None
        and meeting.status == MeetingStatus.PLANNED
        and may_run(actor, meeting.locality_id)
    ):
        propose_agenda(actor, meeting.pk)
        meeting.refresh_from_db()
    return meeting


def _previous_start(meeting: Meeting) -> datetime | None:
    return (
        Meeting.objects.filter(locality_id=meeting.locality_id, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )


def _reason_dicts(item: rules.ProposedItem) -> list[dict[str, object]]:
    return [{"source": r.source, "reason": r.reason, "priority": r.priority, "ref": r.ref} for r in item.reasons]


def _dispute_of(reasons: list[dict[str, object]]) -> int | None:
    refs = [str(r["ref"]) for r in reasons if str(r.get("ref", "")).startswith("dispute:")]
    return int(refs[0].split(":")[1]) if refs else None


def apply_proposals(actor: Actor, meeting: Meeting) -> list[AgendaItem]:
    """Run every agenda source for the period since the locality's last meeting and write what they propose.

    Only clients the actor may see are proposed; clients the coordinator removed stay removed; a client
    already on the agenda gains the new reasons. Returns the items added or changed; the caller audits them
    (propose_agenda), or the demo seed's one audit event covers them.
    """
    proposals = proposals_for(meeting.locality_id, rules.lookback(_previous_start(meeting), meeting.starts_at))
    asked = {p.client_id for p in proposals}
    visible = set(visible_clients(actor, among=asked).values_list("pk", flat=True)) if asked else set()
    items = {item.client_id: item for item in AgendaItem.objects.select_for_update().filter(meeting=meeting)}
    removed = {cid for cid, item in items.items() if item.status == AgendaItemStatus.REMOVED}
    position = max((item.position for item in items.values()), default=0)
    changed: list[AgendaItem] = []
    for proposed in rules.merge(proposals, visible, excluded=removed):
        reasons = _reason_dicts(proposed)
        existing = items.get(proposed.client_id)
        if existing is None:
            position += 1
            changed.append(
                AgendaItem.objects.create(
                    meeting=meeting,
                    client_id=proposed.client_id,
                    position=position,
                    reasons=reasons,
                    dispute_id=_dispute_of(reasons),
                )
            )
            continue
        known = {(r["source"], r["ref"], r["reason"]) for r in existing.reasons}
        new = [r for r in reasons if (r["source"], r["ref"], r["reason"]) not in known]
        if new:
            existing.reasons = [*existing.reasons, *new]
            existing.dispute_id = existing.dispute_id or _dispute_of(existing.reasons)
            existing.save(update_fields=["reasons", "dispute"])
            changed.append(existing)
    meeting.agenda_proposed_at = timezone.now()
    meeting.save(update_fields=["agenda_proposed_at"])
    return changed


def propose_agenda(actor: Actor, meeting_id: int) -> int:
    """The coordinator's agenda, proposed by the rules (apply_proposals) and audited; returns items added or updated."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None:
            raise NotFound("meeting")
        require_runner(actor, meeting)
        if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS):
            raise Refused("The agenda of a closed meeting cannot change")
        changed = apply_proposals(actor, meeting)
        entries = [Entry("propose", "AgendaItem", i.pk, i.client_id, "MDT agenda rules") for i in changed]
        summary = Entry("propose", "Meeting", meeting.pk, None, "MDT agenda rules", detail={"items": len(changed)})
        audit.record_many(actor, [summary, *entries])
    return len(changed)


def locked_item(actor: Actor, item_id: int) -> AgendaItem:
    item = AgendaItem.objects.select_for_update().select_related("meeting", "client").filter(pk=item_id).first()
    if item is None:
        raise NotFound("agenda item")
    require_runner(actor, item.meeting)
    if item.meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise Refused("The minutes of this meeting are final")
    return item


def add_client(actor: Actor, meeting_id: int, client_id: int, why: str) -> AgendaItem:
    """The coordinator puts a client on the agenda (a client of the locality the coordinator may see)."""
    why = text(why, "reason", 500, required="Say why the MDT should discuss them")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None:
            raise NotFound("meeting")
        require_runner(actor, meeting)
        if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
            raise Refused("The minutes of this meeting are final")
        client, reason = locked_client(actor, client_id)
        if client.locality_id != meeting.locality_id:
            raise ValidationError({"client": f"{client.full_name} is a client of another locality"})
        reasons = [
            {
                "source": "member",
                "reason": f"{actor.name or actor.username}: {why}",
                "priority": rules.PRIORITY_ADDED_BY_MEMBER,
                "ref": "",
            }
        ]
        item = AgendaItem.objects.filter(meeting=meeting, client=client).first()
        if item is None:
            top = AgendaItem.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"] or 0
            item = AgendaItem.objects.create(
                meeting=meeting,
                client=client,
                position=top + 1,
                reasons=reasons,
                status=AgendaItemStatus.LISTED,
                added_by_id=actor.person_id,
            )
        else:
            item.reasons, item.status, item.removed_reason = [*item.reasons, *reasons], AgendaItemStatus.LISTED, ""
            item.save(update_fields=["reasons", "status", "removed_reason"])
        audit.record(
            actor,
            "update",
            object_type="AgendaItem",
            object_id=item.pk,
            client_id=client.pk,
            reason=reason,
            detail={"added": why},
        )
    return item


def request_discussion(actor: Actor, client_id: int, why: str) -> AgendaRequest:
    """Anyone with a relationship to the client asks the locality MDT to discuss them at its next meeting."""
    why = text(why, "reason", 500, required="Say why the MDT should discuss them")
    with transaction.atomic():
        client, reason = locked_client(actor, client_id)
        if AgendaRequest.objects.filter(client=client, discussed_in__isnull=True).exists():
            raise Refused(f"{client.full_name} is already waiting to be discussed at the next MDT meeting")
        request = AgendaRequest.objects.create(
            locality_id=client.locality_id,
            client=client,
            reason=why,
            requested_by_id=actor.person_id,
            requested_at=timezone.now(),
        )
        add_timeline_event(
            client,
            "mdt_requested",
            f"Asked the locality MDT to discuss: {why}",
            source=SOURCE,
            actor=actor,
            obj=request,
        )
        audit.record(
            actor, "create", object_type="AgendaRequest", object_id=request.pk, client_id=client.pk, reason=reason
        )
    return request


ITEM_ACTIONS = ("list", "remove", "up", "down")


def change_item(actor: Actor, item_id: int, action: str, why: str = "") -> AgendaItem:
    """The coordinator confirms a proposed item, removes one (with a reason) or moves it up or down."""
    if action not in ITEM_ACTIONS:
        raise ValidationError({"action": "Choose list, remove, up or down"})
    with transaction.atomic():
        item = locked_item(actor, item_id)
        if action == "remove":
            item.status = AgendaItemStatus.REMOVED
            item.removed_reason = text(why, "reason", 300, required="Say why the client comes off the agenda")
        elif action == "list":
            item.status, item.removed_reason = AgendaItemStatus.LISTED, ""
        else:
            _move(item, -1 if action == "up" else 1)
        item.save(update_fields=["status", "removed_reason", "position"])
        audit.record(
            actor,
            "update",
            object_type="AgendaItem",
            object_id=item.pk,
            client_id=item.client_id,
            reason="MDT coordinator",
            detail={"action": action},
        )
    return item


def _move(item: AgendaItem, step: int) -> None:
    siblings = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting=item.meeting)
        .exclude(status=AgendaItemStatus.REMOVED)
        .order_by("position", "id")
    )
    index = next((n for n, other in enumerate(siblings) if other.pk == item.pk), None)
    if index is None or not 0 <= index + step < len(siblings):
        return
    other = siblings[index + step]
    item.position, other.position = other.position, item.position
    other.save(update_fields=["position"])
