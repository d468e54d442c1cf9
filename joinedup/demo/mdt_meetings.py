"""The demo's MDT meetings: a weekly series per locality, last Tuesday's minutes, and what next Tuesday's
agenda rules will find (an open dispute, members' requests, newly severe frailty)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from joinedup.careplans.models import AgendaItem, AgendaRequest, Attendee, FrailtyRecord, Meeting, MeetingSeries
from joinedup.careplans.services.meetings import apply_proposals
from joinedup.clients.models import Client, TimelineEvent
from joinedup.core.access import actor_for
from joinedup.core.working_time import LONDON
from joinedup.demo.borough import LOCALITIES, BuiltBorough
from joinedup.directory.models import Practitioner
from joinedup.handover.models import Dispute
from joinedup.tasks.models import Task


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), LONDON)


def _people(built: BuiltBorough, *names: str) -> list[Practitioner]:
    return [built.people[name] for name in names]


def tuesday_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 1) % 7 or 7)


def seed_series(built: BuiltBorough, as_of: date) -> dict[str, MeetingSeries]:
    found = {}
    for spec in LOCALITIES:
        coordinator = next(
            p
            for name, p in built.people.items()
            if name.endswith(".mdt") and built.teams[f"{spec.code}:mdt"].memberships.filter(practitioner=p).exists()
        )
        found[spec.code] = MeetingSeries.objects.create(
            locality=built.localities[spec.code],
            team=built.teams[f"{spec.code}:mdt"],
            title=f"{spec.name} MDT",
            first_date=tuesday_before(as_of) - timedelta(weeks=8),
            start_time=time(13, 0),
            duration_minutes=90,
            every_weeks=1,
            location=f"{spec.name} Health Centre, meeting room 2, and online",
            created_by=coordinator,
            created_at=_at(as_of - timedelta(weeks=9)),
        )
    return found


def seed_past_meeting(series: MeetingSeries, clients: list[Client], built: BuiltBorough, day: date) -> int:
    mia = built.people["mia.mdt"]
    start = _at(day, 13)
    meeting = Meeting.objects.create(
        series=series,
        locality=series.locality,
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        location=series.location,
        status="closed",
        agenda_proposed_at=start - timedelta(days=1),
        started_at=start,
        closed_at=start + timedelta(minutes=85),
        closed_by=mia,
    )
    for person in _people(built, "mia.mdt", "diane.dn", "sophie.sw", "marcus.mh", "gita.gp"):
        Attendee.objects.create(
            meeting=meeting,
            practitioner=person,
            name=person.display_name,
            profession=person.get_profession_display(),
            organisation=person.organisation.name if person.organisation else "",
        )
    phil = built.people["phil.pharmacist"]
    Attendee.objects.create(
        meeting=meeting,
        practitioner=phil,
        name=phil.display_name,
        present=False,
        profession=phil.get_profession_display(),
        organisation=phil.organisation.name if phil.organisation else "",
    )
    decisions = (
        (
            "Two falls at night; lives alone; daughter worried",
            "Falls assessment and a pendant alarm",
            "Falls assessment at home",
            "olivia.ot",
            3,
        ),
        (
            "Carer (husband) exhausted; respite discussed",
            "Carer's assessment; respite week to be found",
            "Carer's assessment",
            "sophie.sw",
            5,
        ),
        (
            "Eight medicines; dizzy in the mornings",
            "Structured medication review",
            "Medication review",
            "phil.pharmacist",
            7,
        ),
    )
    tasks = 0
    for position, (client, (note, decision, action, owner, days)) in enumerate(
        zip(clients, decisions, strict=False), start=1
    ):
        reason = {
            "source": "member",
            "reason": f"Olivia Okafor: {note.split(';')[0]}",
            "priority": 60,
            "ref": "",
        }
        item = AgendaItem.objects.create(
            meeting=meeting,
            client=client,
            position=position,
            status="discussed",
            reasons=[reason],
            note=note,
            decision=decision,
            discussed_at=start + timedelta(minutes=10 * position),
            recorded_by=mia,
        )
        Task.objects.create(
            title=action,
            client=client,
            owner_practitioner=built.people[owner],
            source="mdt",
            source_ref=f"agenda-item:{item.pk}",
            due_at=_at(day + timedelta(days=days), 17),
            created_by=mia,
            created_at=start + timedelta(minutes=10 * position),
        )
        TimelineEvent.objects.create(
            client=client,
            occurred_at=start,
            kind="mdt_discussed",
            source="mdt",
            summary=f"Discussed at the locality MDT: {decision}",
            actor=mia,
            object_type="AgendaItem",
            object_id=str(item.pk),
        )
        tasks += 1
    return tasks + 1


def seed_for_the_next_meeting(clients: list[Client], built: BuiltBorough, as_of: date, since: date) -> None:
    """What next Tuesday's agenda rules will find: a dispute, requests, newly severe frailty."""
    olivia = built.people["olivia.ot"]
    disputed = clients[3 % len(clients)]
    Dispute.objects.create(
        client=disputed,
        locality=disputed.locality,
        organisation_a=built.organisations["community"],
        organisation_b=built.organisations["mental_health"],
        opened_at=_at(as_of - timedelta(days=2)),
        decide_by=_at(as_of + timedelta(days=4), 17),
        governance_model="lead_agency",
        default_owner=disputed.accountable_team,
    )
    for client, reason in (
        (clients[4 % len(clients)], "Hoarding and refusing care; safeguarding concern"),
        (clients[5 % len(clients)], "Discharged yesterday; no package of care in place"),
    ):
        AgendaRequest.objects.create(
            locality=client.locality,
            client=client,
            reason=reason,
            requested_by=olivia,
            requested_at=_at(as_of - timedelta(days=1)),
        )
    frail = clients[6 % len(clients)]
    FrailtyRecord.objects.create(
        client=frail,
        band="moderate",
        efi_score=Decimal("0.310"),
        assessed_on=since - timedelta(days=300),
        source="GP record",
        recorded_by=olivia,
        recorded_at=_at(since - timedelta(days=300)),
    )
    FrailtyRecord.objects.create(
        client=frail,
        band="severe",
        efi_score=Decimal("0.420"),
        assessed_on=since + timedelta(days=2),
        source="GP record",
        recorded_by=olivia,
        recorded_at=_at(since + timedelta(days=2)),
    )


def seed_next_meeting(series: MeetingSeries, coordinator: Practitioner, day: date) -> int:
    """Next Tuesday's meeting with the agenda its rules propose, in the coordinator's scope (what she may see)."""
    start = _at(day, 13)
    meeting = Meeting.objects.create(
        series=series,
        locality=series.locality,
        starts_at=start,
        ends_at=start + timedelta(minutes=series.duration_minutes),
        location=series.location,
    )
    return len(apply_proposals(actor_for(coordinator, "system"), meeting))
