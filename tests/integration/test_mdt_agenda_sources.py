"""The MDT agenda's sources from the hospital feed and the crisis pathway, from seeded events: clients
readmitted or bounced since the last meeting, and crises raised since then or still open."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.careplans.agenda import agenda_sources, proposals_for
from joinedup.careplans.models import AgendaItem
from joinedup.careplans.rules.agenda import PRIORITY_CRISIS, PRIORITY_READMISSION, Period, Proposal
from joinedup.careplans.services import meetings
from joinedup.core.working_time import LONDON
from joinedup.crisis import services as crisis_services
from joinedup.crisis.agenda_sources import crises
from joinedup.hospital.agenda_sources import readmissions, readmissions_and_bounces
from joinedup.hospital.models import BounceEvent, Spell
from tests.careplan_factories import series_for
from tests.crisis_factories import crisis_setup, raised
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.hl7_messages import Adt, Patient

pytestmark = pytest.mark.django_db

N1, N2, N3, N4, N5, N6 = VALID_NHS_NUMBERS
# The last meeting was on Tuesday 25 February 2025, this one is on Tuesday 4 March, both at 13:00.
SINCE_LAST = Period(datetime(2025, 2, 25, 13, tzinfo=LONDON), datetime(2025, 3, 4, 13, tzinfo=LONDON))


def admitted(nhs: str, at: str, visit: str, practice: str = "F84001") -> Adt:
    return Adt("A01", Patient(nhs, practice=practice), at=at, visit=visit)


def discharged(nhs: str, at: str, visit: str, practice: str = "F84001", **extra) -> Adt:
    return Adt("A03", Patient(nhs, practice=practice), at=at, visit=visit, destination="19", **extra)


def by_client(proposals: list[Proposal]) -> dict[int, list[Proposal]]:
    found: dict[int, list[Proposal]] = {}
    for proposal in proposals:
        found.setdefault(proposal.client_id, []).append(proposal)
    return found


def test_both_sources_are_registered_by_their_apps():
    assert {s.key: s.label for s in agenda_sources()}.items() >= {
        ("readmissions", "Readmissions and bounces"),
        ("crises", "Crises"),
    }


def test_a_readmission_in_the_period_is_proposed_with_its_dates(feed):
    b = feed.b
    readmitted = client_in(b, nhs_number=N1)
    feed.send(admitted(N1, "20250210100000", "V1"), discharged(N1, "20250222110000", "V1"))
    feed.send(admitted(N1, "20250303100000", "V2"))
    assert BounceEvent.objects.filter(client=readmitted).count() == 1  # within 30 days: the feed's bounce

    found = readmissions_and_bounces(b.north.pk, SINCE_LAST)
    assert [(p.client_id, p.source, p.priority) for p in found] == [
        (readmitted.pk, "readmissions", PRIORITY_READMISSION)
    ]
    assert found[0].reason == "Readmitted 3 March, 9 days after discharge on 22 February (a bounce); still in hospital"
    assert found[0].ref.startswith("spell:")
    assert found[0] in proposals_for(b.north.pk, SINCE_LAST)


def test_before_the_period_outside_the_window_or_cancelled_is_not_proposed(feed):
    b = feed.b
    before, long_after, cancelled = (
        client_in(b, nhs_number=N1),
        client_in(b, nhs_number=N2),
        client_in(b, nhs_number=N3),
    )
    # Readmitted before the last meeting (and home again): the last meeting had it.
    feed.send(admitted(N1, "20250201100000", "V1"), discharged(N1, "20250205110000", "V1"))
    feed.send(admitted(N1, "20250210100000", "V2"), discharged(N1, "20250214110000", "V2"))
    # Back in hospital 59 days after the last discharge, nothing left to follow up: not a readmission.
    feed.send(admitted(N2, "20241225100000", "V3"), discharged(N2, "20250101110000", "V3"))
    feed.send(admitted(N2, "20250301100000", "V4"))
    # Readmitted in the period, then the admission was cancelled (entered in error).
    feed.send(admitted(N3, "20250220100000", "V5"), discharged(N3, "20250224110000", "V5"))
    feed.send(admitted(N3, "20250302100000", "V6"))
    feed.send(Adt("A11", Patient(N3), at="20250302120000", visit="V6"))

    assert BounceEvent.objects.filter(client=before).exists()  # a bounce, but before the period
    assert not BounceEvent.objects.filter(client=long_after).exists()
    assert readmissions_and_bounces(b.north.pk, SINCE_LAST) == []
    assert cancelled.pk not in by_client(proposals_for(b.north.pk, SINCE_LAST))


def test_a_client_of_another_locality_is_proposed_to_their_own_mdt_only(feed):
    b = feed.b
    south = client_in(b, locality="south", nhs_number=N4)
    practice = b.practice_south.ods_code
    feed.send(admitted(N4, "20250215100000", "V1", practice), discharged(N4, "20250220110000", "V1", practice))
    feed.send(admitted(N4, "20250301090000", "V2", practice), discharged(N4, "20250303150000", "V2", practice))

    assert readmissions_and_bounces(b.north.pk, SINCE_LAST) == []
    assert [p.reason for p in readmissions_and_bounces(b.south.pk, SINCE_LAST)] == [
        "Readmitted 1 March, 9 days after discharge on 20 February (a bounce); discharged again on 3 March"
    ]
    assert south.pk not in by_client(proposals_for(b.north.pk, SINCE_LAST))


def test_a_bounce_before_the_follow_up_was_done_is_proposed_beyond_the_window(feed):
    b = feed.b
    bounced = client_in(b, nhs_number=N5)
    dementia = (("F03", "Unspecified dementia"),)
    feed.send(admitted(N5, "20250105100000", "V1"), discharged(N5, "20250110110000", "V1", diagnoses=dementia))
    feed.send(admitted(N5, "20250226100000", "V2"))  # 47 days on; the memory review is still open

    (proposal,) = readmissions_and_bounces(b.north.pk, SINCE_LAST)
    assert proposal.client_id == bounced.pk
    assert proposal.reason == (
        "Readmitted 26 February, 47 days after discharge on 10 January "
        "(a bounce, before the discharge follow-up was done); still in hospital"
    )


def test_a_readmission_told_out_of_order_is_proposed_though_the_feed_saw_no_bounce(feed):
    """The discharge of the first stay comes after the second admission: no bounce when the admission
    arrived, but a readmission all the same."""
    b = feed.b
    late = client_in(b, nhs_number=N6)
    feed.send(admitted(N6, "20250220100000", "V1"))
    feed.send(admitted(N6, "20250227100000", "V2"))
    feed.send(discharged(N6, "20250226160000", "V1"))
    assert not BounceEvent.objects.filter(client=late).exists()

    assert [(p.client_id, p.reason) for p in readmissions_and_bounces(b.north.pk, SINCE_LAST)] == [
        (late.pk, "Readmitted 27 February, 1 day after discharge on 26 February; still in hospital")
    ]


FRIDAY = datetime(2026, 11, 20, 15, tzinfo=UTC)  # in hours
THIS_WEEK = Period(datetime(2026, 11, 17, 13, tzinfo=LONDON), datetime(2026, 11, 24, 13, tzinfo=LONDON))


def raised_at(b, moment: datetime, **kwargs):
    with time_machine.travel(moment, tick=False):
        return raised(b, **kwargs).crisis


def test_a_crisis_in_the_period_is_proposed_with_its_outcome(b):
    crisis_setup(b, around=FRIDAY)
    home, still_open, older_open = client_in(b), client_in(b), client_in(b)
    resolved = raised_at(b, FRIDAY, client=home)
    with time_machine.travel(FRIDAY + timedelta(hours=2), tick=False):
        crisis_services.record_outcome(b.actor("rr.nurse"), resolved.pk, "stayed_home")
    raised_at(b, FRIDAY + timedelta(hours=1), client=still_open, situation="carer_breakdown")
    raised_at(b, FRIDAY - timedelta(days=10), client=older_open, situation="confusion")

    found = {p.client_id: p for p in crises(b.north.pk, THIS_WEEK)}
    assert set(found) == {home.pk, still_open.pk, older_open.pk}
    assert found[home.pk].reason == "Crisis on 20 November: Fall without serious injury. Outcome: stayed at home"
    assert found[home.pk].priority == PRIORITY_CRISIS and found[home.pk].ref == f"crisis:{resolved.pk}"
    assert found[still_open.pk].reason == "Crisis on 20 November: Unpaid carer breakdown. Still open: raised"
    assert found[older_open.pk].reason.startswith("Crisis on 10 November: ")  # before the period, still open


def test_crises_closed_before_the_period_cancelled_or_of_another_locality_are_not_proposed(b):
    crisis_setup(b, around=FRIDAY)
    earlier, cancelled, south = client_in(b), client_in(b), client_in(b, locality="south")
    old = raised_at(b, FRIDAY - timedelta(days=10), client=earlier)
    crisis_services.record_outcome(b.actor("rr.nurse"), old.pk, "other", "Went to stay with her daughter")
    mistaken = raised_at(b, FRIDAY, client=cancelled)
    crisis_services.cancel(b.actor("ot.north"), mistaken.pk, "Raised for the wrong person")
    raised_at(b, FRIDAY, client=south, by="ot.south")

    assert crises(b.north.pk, THIS_WEEK) == []
    assert [p.client_id for p in crises(b.south.pk, THIS_WEEK)] == [south.pk]


def test_an_admission_after_the_crisis_is_named(b):
    crisis_setup(b, around=FRIDAY)
    client = client_in(b)
    crisis = raised_at(b, FRIDAY, client=client)
    type(crisis).objects.filter(pk=crisis.pk).update(admitted_at=FRIDAY + timedelta(days=1))
    (proposal,) = crises(b.north.pk, THIS_WEEK)
    assert proposal.reason.endswith("; admitted to hospital on 21 November")


def _hl7(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%Y%m%d%H%M%S")


def test_next_tuesdays_agenda_has_the_readmission_and_the_crisis_most_pressing_first(feed):
    b = feed.b
    today = timezone.localdate()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    crisis_setup(b)
    readmitted, in_crisis = client_in(b, nhs_number=N1), client_in(b)
    back = datetime.combine(tuesday - timedelta(days=8), time(10), LONDON)  # after last Tuesday's meeting
    feed.send(admitted(N1, _hl7(back - timedelta(days=12)), "V1"), discharged(N1, _hl7(back - timedelta(days=4)), "V1"))
    feed.send(admitted(N1, _hl7(back + timedelta(days=2)), "V2"))
    raised(b, client=in_crisis)

    coordinator = b.actor("coordinator.north")
    meeting = meetings.open_occurrence(coordinator, series_for(b).pk, tuesday)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    assert [(i.client_id, [r["source"] for r in i.reasons]) for i in items] == [
        (in_crisis.pk, ["crises"]),
        (readmitted.pk, ["readmissions"]),
    ]
    assert items[1].reasons[0]["reason"].startswith(f"Readmitted {(back + timedelta(days=2)).day} ")
    assert items[0].reasons[0]["reason"].endswith("Fall without serious injury. Still open: raised")


def test_reading_the_sources_costs_the_same_queries_however_many_events(feed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    b = feed.b
    crisis_setup(b, around=FRIDAY)

    def add(nhs: str) -> None:
        client = client_in(b, nhs_number=nhs)
        feed.send(admitted(nhs, "20250220100000", f"A{nhs}"), discharged(nhs, "20250224110000", f"A{nhs}"))
        feed.send(admitted(nhs, "20250302100000", f"B{nhs}"))
        raised_at(b, FRIDAY, client=client)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            readmissions_and_bounces(b.north.pk, SINCE_LAST)
            crises(b.north.pk, THIS_WEEK)
        return len(captured.captured_queries)

    add(N1)
    one = queries()
    for nhs in (N2, N3, N4):
        add(nhs)
    assert len(readmissions_and_bounces(b.north.pk, SINCE_LAST)) == 4 and len(crises(b.north.pk, THIS_WEEK)) == 4
    assert queries() == one


stays = st.lists(st.tuples(st.integers(-60, 12), st.integers(0, 20), st.booleans()), min_size=1, max_size=4)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["north", "south"]), stays), min_size=1, max_size=4))
def test_the_readmissions_proposed_are_exactly_the_stays_begun_in_the_period_within_the_window(b, clients):
    """Stays as (day admitted relative to the period's start, nights, still in hospital), for clients of
    both localities: North's proposals are the North stays admitted in the period within 30 days of an
    earlier discharge of the same client, and nothing else."""
    start, window = SINCE_LAST.start, timedelta(days=30)
    expected: set[tuple[int, datetime]] = set()
    made: set[int] = set()  # the database keeps earlier examples' clients: compare this example's
    for locality, spells in clients:
        client = client_in(b, locality=locality)
        made.add(client.pk)
        discharges: list[datetime] = []
        for day, nights, still_in in sorted(spells):
            admitted_at = start + timedelta(days=day, hours=1)
            if discharges and discharges[-1] > admitted_at:
                continue  # one stay at a time
            discharged_at = None if still_in else admitted_at + timedelta(days=nights, hours=2)
            Spell.objects.create(
                client=client, facility="RCB", kind="inpatient", status="admitted" if still_in else "discharged",
                opened_by="admission", admitted_at=admitted_at, discharged_at=discharged_at, created_at=start,
                updated_at=start,
            )  # fmt: skip
            earlier = [d for d in discharges if admitted_at - window <= d <= admitted_at]
            if locality == "north" and SINCE_LAST.start <= admitted_at < SINCE_LAST.end and earlier:
                expected.add((client.pk, admitted_at))
            if discharged_at is None:
                break  # still in hospital: no later stay
            discharges.append(discharged_at)
    found = [r for r in readmissions(b.north.pk, SINCE_LAST) if r.client_id in made]
    assert {(r.client_id, r.admitted_at) for r in found} == expected
    assert all(r.bounce is None and r.discharged_before <= r.admitted_at for r in found)
