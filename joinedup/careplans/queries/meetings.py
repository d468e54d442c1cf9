"""Reads of the MDT's meetings: the list, a meeting with its agenda, one client in the meeting, minutes.

For members of the meeting's locality MDT; a client on the agenda whom the reader may not see
(consent refused since it was proposed, say) is left out of what they read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from joinedup.careplans.agenda import source_labels
from joinedup.careplans.models import AgendaItem, AgendaItemStatus, Attendee, Meeting, MeetingSeries, MeetingStatus
from joinedup.careplans.queries.plans import PlanPage, plan_page
from joinedup.careplans.rules.agenda import occurrences
from joinedup.careplans.services.meetings import MDT_SOURCE, may_run
from joinedup.clients.queries import ClientRecord, client_record
from joinedup.core import audit
from joinedup.core.access import Actor, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.directory.models import Practitioner, TeamMembership
from joinedup.handover.models import Dispute
from joinedup.tasks.models import Task

UPCOMING = 4


@dataclass(frozen=True)
class Occurrence:
    series: MeetingSeries
    day: date
    meeting: Meeting | None


def meetings(actor: Actor, today: date | None = None) -> tuple[list[Occurrence], list[Meeting]]:
    """The next meetings of each series of the actor's localities, and the past ones (newest first)."""
    today = today or timezone.localdate()
    series = list(
        MeetingSeries.objects.filter(locality_id__in=actor.mdt_locality_ids, active=True).select_related("locality")
    )
    made = {(m.series_id, timezone.localtime(m.starts_at).date()): m for m in Meeting.objects.filter(series__in=series)}
    upcoming = [
        Occurrence(s, day, made.get((s.pk, day)))
        for s in series
        for day in occurrences(s.first_date, s.every_weeks, today, UPCOMING)
    ]
    past = list(
        Meeting.objects.filter(locality_id__in=actor.mdt_locality_ids, starts_at__lt=timezone.now())
        .exclude(pk__in=[o.meeting.pk for o in upcoming if o.meeting])
        .select_related("series", "locality")
        .order_by("-starts_at")[:20]
    )
    return sorted(upcoming, key=lambda o: (o.day, o.series.title)), past


@dataclass
class MeetingPage:
    meeting: Meeting
    items: list[AgendaItem]
    attendees: list[Attendee]
    members: list[TeamMembership]
    may_run: bool
    hidden: int = 0  # items about clients the reader may not see
    actions: dict[int, list[Task]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=source_labels)

    @property
    def listed(self) -> list[AgendaItem]:
        return [i for i in self.items if i.status != AgendaItemStatus.REMOVED]

    @property
    def removed(self) -> list[AgendaItem]:
        return [i for i in self.items if i.status == AgendaItemStatus.REMOVED]

    @property
    def is_open(self) -> bool:
        return self.meeting.status in (MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)

    def neighbours(self, item: AgendaItem) -> tuple[AgendaItem | None, AgendaItem | None]:
        listed = self.listed
        index = next((n for n, i in enumerate(listed) if i.pk == item.pk), None)
        if index is None:
            return None, None
        return (listed[index - 1] if index > 0 else None), (listed[index + 1] if index + 1 < len(listed) else None)


def _meeting(actor: Actor, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related("series", "locality", "closed_by").filter(pk=meeting_id).first()
    if meeting is None or meeting.locality_id not in actor.mdt_locality_ids:
        with transaction.atomic():
            audit.record(
                actor,
                "view",
                object_type="Meeting",
                object_id=meeting_id,
                outcome="refused",
                reason="not a member of the locality MDT",
            )
        raise NotFound("meeting")
    return meeting


def meeting_page(actor: Actor, meeting_id: int, *, purpose: str = "meeting") -> MeetingPage:
    meeting = _meeting(actor, meeting_id)
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("client", "client__accountable_team"))
    ids = {i.client_id for i in items}
    visible = set(visible_clients(actor, among=ids).values_list("pk", flat=True)) if ids else set()
    shown = [i for i in items if i.client_id in visible]
    refs = [f"agenda-item:{i.pk}" for i in shown]
    actions: dict[int, list[Task]] = {}
    for task in Task.objects.filter(source=MDT_SOURCE, source_ref__in=refs).select_related(
        "owner_practitioner", "owner_team"
    ):
        actions.setdefault(int(task.source_ref.split(":")[1]), []).append(task)
    with transaction.atomic():
        audit.record_many(
            actor,
            [
                Entry("view", "Meeting", meeting.pk, None, "locality MDT", detail={"part": purpose}),
                *(Entry("list", "AgendaItem", i.pk, i.client_id, f"MDT {purpose}") for i in shown),
            ],
        )
    return MeetingPage(
        meeting=meeting,
        items=shown,
        attendees=list(meeting.attendees.all()),
        members=list(
            TeamMembership.objects.filter(team_id=meeting.series.team_id, practitioner__is_active=True)
            .select_related("practitioner__organisation")
            .order_by("practitioner__last_name")
        ),
        may_run=may_run(actor, meeting.locality_id),
        hidden=len(items) - len(shown),
        actions=actions,
    )


@dataclass
class ItemView:
    page: MeetingPage
    item: AgendaItem
    record: ClientRecord
    plan: PlanPage
    dispute: Dispute | None
    previous: AgendaItem | None
    next: AgendaItem | None


def item_view(actor: Actor, meeting_id: int, item_id: int) -> ItemView:
    """One client in the meeting: the agenda around them, their record, plan and dispute (each read audited)."""
    page = meeting_page(actor, meeting_id, purpose="discussion")
    item = next((i for i in page.items if i.pk == item_id), None)
    if item is None:
        raise NotFound("agenda item")
    record = client_record(actor, item.client_id, timeline_limit=10)
    dispute = (
        Dispute.objects.select_related("organisation_a", "organisation_b", "default_owner", "decided_team")
        .filter(pk=item.dispute_id)
        .first()
        if item.dispute_id
        else None
    )
    previous, following = page.neighbours(item)
    return ItemView(page, item, record, plan_page(actor, item.client_id), dispute, previous, following)


def runners_and_members(meeting: Meeting) -> list[Practitioner]:
    return list(
        Practitioner.objects.filter(memberships__team_id=meeting.series.team_id, is_active=True).order_by("last_name")
    )


def minutes_title(meeting: Meeting) -> str:
    local: datetime = timezone.localtime(meeting.starts_at)
    return f"Minutes: {meeting.series.title}, {local.day} {local:%B %Y}"
