"""The demo borough's hospital: the feed's integration team, GP practice teams, and some history.

The history is told as the hospital would tell it: HL7 v2 ADT messages from
Thameside University Hospitals, applied by the feed itself (hospital.ingest),
so the follow-up rules, bounce detection and feed exceptions all run. Then the
rows the follow-ups made (tasks, flags, notifications, timeline lines) are
dated to the moment of the story rather than the moment of seeding, so the same
seed gives the same borough.

- a discharge three days ago with dementia newly diagnosed (a memory review task
  for the GP practice, a draft referral to the memory service, a flag, the MDT told);
- a bounce: discharged with Alzheimer's disease, back in hospital 12 or 13 days later (after the
  locality MDT's last meeting);
- an overdue follow-up: discharged 24 days ago with vascular dementia;
- someone in hospital now, moved between wards, and an admission expected next week;
- feed exceptions for the integration team: no NHS number, a merge, a lab result sent by mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from joinedup.clients.models import Client, ClientStatus, Flag, TimelineEvent
from joinedup.demo.borough import LOCALITIES, BuiltBorough
from joinedup.directory.models import Service, Team, TeamKind, TeamMembership
from joinedup.hospital.adt.mapping import read
from joinedup.hospital.ingest import apply_batch
from joinedup.tasks.models import Notification, Task

FACILITY = "XTA"  # Thameside University Hospitals NHS Trust
_GPS = {"northgate": "gita.gp", "riverside": "george.gp", "southmere": "grace.gp"}


def _teams(built: BuiltBorough) -> int:
    """The integration team that owns feed exceptions, and a team for the practice of each locality's GP."""
    acute = built.organisations["acute"]
    dan = built.people["dan.discharge"]
    integration = Team.objects.create(
        name=settings.JOINEDUP_HOSPITAL_INTEGRATION_TEAM,
        kind=TeamKind.SERVICE,
        service=Service.INTEGRATION,
        organisation=acute,
        email="feed-integration@thameside.example",
        phone="020 7946 0990",
        duty_worker=dan,
        manager=dan,
    )
    TeamMembership.objects.create(team=integration, practitioner=dan, role_in_team="Feed exceptions")
    built.teams["feed_integration"] = integration
    for spec in LOCALITIES:
        ods, name = spec.practices[0]
        gp = built.people[_GPS[spec.code]]
        team = Team.objects.create(
            name=f"{name} practice team",
            kind=TeamKind.SERVICE,
            service=Service.PRIMARY_CARE,
            organisation=built.organisations[ods],
            locality=built.localities[spec.code],
            duty_worker=gp,
            manager=gp,
        )
        TeamMembership.objects.create(team=team, practitioner=gp, role_in_team="GP partner")
        built.teams[f"{spec.code}:practice"] = team
    return 1 + len(LOCALITIES)


@dataclass(frozen=True)
class Story:
    anchor: datetime  # midnight starting the as-of day, London

    def at(self, days_ago: int, clock: str) -> datetime:
        hours, minutes = (int(part) for part in clock.split(":"))
        return self.anchor - timedelta(days=days_ago) + timedelta(hours=hours, minutes=minutes)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _message(client: Client | None, trigger: str, when: datetime, control: str, **extra: str) -> str:
    """One ADT message of the demo hospital (HL7 v2.4, the NHS number in PID-3)."""
    if client is not None:
        practice = client.gp_practice.ods_code if client.gp_practice else ""
        pid3 = f"T{client.pk:07d}^^^XTA^MR~{client.nhs_number}^^^NHS^NH"
        name, born = f"{client.family_name.upper()}^{client.given_name.upper()}^^^^^L", f"{client.date_of_birth:%Y%m%d}"
    else:
        practice, pid3, name, born = "", "T9000001^^^XTA^MR", "DOE^JANE^^^^^L", "19390101"
    pv1 = ["PV1", "1", "I", extra.get("ward", ""), "", "", extra.get("prior", "")] + [""] * 39
    pv1[19], pv1[37] = extra.get("visit", f"V{control}"), extra.get("destination", "")
    pv1[44] = extra.get("admitted", "")
    pv1[45] = _stamp(when) if trigger == "A03" else ""
    segments = [
        f"MSH|^~\\&|PAS|{FACILITY}|JOINEDUP|THAMESIDE|{_stamp(when)}||{extra.get('type', 'ADT')}^{trigger}|"
        f"DEMO{control}|P|2.4",
        f"EVN|{trigger}|{_stamp(when)}||||{_stamp(when)}",
        f"PID|1||{pid3}||{name}||{born}|F",
        f"PD1||{extra.get('living', '')}|GP^^{practice}",
        "|".join(pv1).rstrip("|"),
    ]
    segments += [f"PV2||||||||{extra['expected']}"] if "expected" in extra else []
    segments += [f"DG1|1||{extra['diagnosis']}^I10||{_stamp(when)}|F"] if "diagnosis" in extra else []
    segments += [f"MRG|{extra['merge']}"] if "merge" in extra else []
    return "\r".join(segments) + "\r"


def _apply_dated(messages: list[str], moment: datetime) -> None:
    """Apply messages through the feed, then date what its follow-ups made to the story's moment."""
    started = timezone.now()
    received = [item for text in messages for item in read(text)[0]]
    apply_batch(received)
    Task.objects.filter(created_at__gte=started).update(created_at=moment)
    Notification.objects.filter(created_at__gte=started).update(created_at=moment)
    Flag.objects.filter(raised_at__gte=started).update(raised_at=moment)
    TimelineEvent.objects.filter(occurred_at__gte=started).update(occurred_at=moment)


def _people(as_of_anchor: datetime) -> list[Client]:
    """Five older clients of Northgate with NHS numbers, in a fixed order."""
    born_before = (as_of_anchor - timedelta(days=365 * 70)).date()
    chosen = (
        Client.objects.filter(
            locality__code="northgate",
            status=ClientStatus.ACTIVE,
            nhs_number__isnull=False,
            date_of_birth__lte=born_before,
            gp_practice__isnull=False,
        )
        .select_related("gp_practice")
        .order_by("id")[:5]
    )
    return list(chosen)


def _readmission(story: Story) -> datetime:
    """When the bounced person comes back in: after the locality MDT's last Tuesday meeting (13:00,
    90 minutes), so that next Tuesday's proposed agenda has the bounce whatever day the demo is seeded."""
    since_tuesday = (story.anchor.weekday() - 1) % 7 or 7
    if since_tuesday == 1:  # seeded on a Wednesday: the evening after the meeting
        return story.at(1, "18:45")
    return story.at(min(2, since_tuesday - 1), "08:45")


def _history(story: Story, people: list[Client]) -> int:
    new, bounced, overdue, inpatient, expected = people
    readmitted = _readmission(story)
    steps: list[tuple[datetime, Callable[[], list[str]]]] = [
        (story.at(30, "10:10"), lambda: [_message(overdue, "A01", story.at(30, "10:10"), "101", ward="ELM")]),
        (
            story.at(24, "11:00"),
            lambda: [
                _message(
                    overdue,
                    "A03",
                    story.at(24, "11:00"),
                    "102",
                    visit="V101",
                    destination="19",
                    diagnosis="F01.9^Vascular dementia",
                )
            ],
        ),
        (story.at(20, "09:30"), lambda: [_message(bounced, "A01", story.at(20, "09:30"), "201", ward="OAK")]),
        (
            story.at(14, "16:00"),
            lambda: [
                _message(
                    bounced,
                    "A03",
                    story.at(14, "16:00"),
                    "202",
                    visit="V201",
                    destination="19",
                    diagnosis="G30.1^Alzheimer's disease with late onset",
                )
            ],
        ),
        (story.at(9, "10:00"), lambda: [_message(new, "A01", story.at(9, "10:00"), "301", ward="ELM^BAY1^BED4")]),
        (
            story.at(7, "14:20"),
            lambda: [
                _message(
                    new, "A02", story.at(7, "14:20"), "302", visit="V301", ward="OAK^BAY3^BED2", prior="ELM^BAY1^BED4"
                )
            ],
        ),
        (
            story.at(5, "12:00"),
            lambda: [
                _message(
                    new,
                    "A08",
                    story.at(5, "12:00"),
                    "303",
                    visit="V301",
                    ward="OAK^BAY3^BED2",
                    diagnosis="F03.90^Unspecified dementia",
                    living="A",
                )
            ],
        ),
        (
            story.at(3, "15:30"),
            lambda: [
                _message(
                    new,
                    "A03",
                    story.at(3, "15:30"),
                    "304",
                    visit="V301",
                    ward="OAK^BAY3^BED2",
                    destination="19",
                    living="A",
                )
            ],
        ),
        (readmitted, lambda: [_message(bounced, "A01", readmitted, "203", ward="MAPLE^BAY2")]),
        (story.at(1, "10:10"), lambda: [_message(inpatient, "A01", story.at(1, "10:10"), "401", ward="AMU^BAY1")]),
        (
            story.at(1, "13:15"),
            lambda: [
                _message(
                    inpatient,
                    "A02",
                    story.at(1, "13:15"),
                    "402",
                    visit="V401",
                    ward="WILLOW^BAY4^BED1",
                    prior="AMU^BAY1",
                )
            ],
        ),
        (
            story.at(1, "15:00"),
            lambda: [
                _message(
                    expected,
                    "A05",
                    story.at(1, "15:00"),
                    "501",
                    ward="DAY SURGERY",
                    expected=_stamp(story.at(-5, "08:00")),
                ),
                _message(None, "A01", story.at(1, "15:30"), "601", ward="AMU^BAY3"),
                _message(new, "A40", story.at(1, "16:00"), "701", merge="T9000001^^^XTA^MR"),
                _message(new, "R01", story.at(1, "16:10"), "801", type="ORU"),
            ],
        ),
    ]
    for moment, messages in steps:
        _apply_dated(messages(), moment)
    return sum(len(messages()) for _, messages in steps)


def seed_hospital(built: BuiltBorough, anchor: datetime) -> dict[str, int]:
    """Add the hospital's teams and history to a freshly seeded borough (in the seed's transaction)."""
    counts = {"hospital teams": _teams(built)}
    people = _people(anchor)
    if len(people) == 5:
        counts["hospital messages"] = _history(Story(anchor), people)
    return counts
