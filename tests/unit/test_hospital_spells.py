"""The spell state machine: examples of each event, and properties over random streams of events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.hospital.events import DiagnosisNote, FeedEvent, Happening, Person
from joinedup.hospital.spells import Counter, Refused, SpellState, SpellStatus, apply

T0 = datetime(2025, 1, 6, 10, tzinfo=UTC)
PERSON = Person("9434765919")


def event(happening: Happening, hours: int = 0, **extra) -> FeedEvent:
    at = T0 + timedelta(hours=hours)
    defaults = {"facility": "RCB", "visit_number": "V1", "location": "WARD1"}
    return FeedEvent(happening, at, PERSON, **{**defaults, **extra})


def play(*events: FeedEvent) -> tuple[list[SpellState], list[str]]:
    spells: list[SpellState] = []
    keys = Counter()
    changes = []
    for e in events:
        try:
            changes.append(apply(e, 1, spells, keys, {"19": 0}).change.value)
        except Refused as refused:
            changes.append(f"refused:{refused.reason.value}")
    return spells, changes


def test_admit_move_discharge() -> None:
    spells, changes = play(
        event(Happening.ADMISSION),
        event(Happening.TRANSFER, 2, location="WARD2"),
        event(Happening.DISCHARGE, 30, location="WARD2", discharge_destination="19"),
    )
    assert changes == ["admitted", "moved", "discharged"]
    assert [(s.status, s.location, s.discharge_pathway) for s in spells] == [("discharged", "WARD2", 0)]


def test_a_discharge_before_its_admission_opens_the_stay_and_the_admission_fills_it_in() -> None:
    spells, changes = play(event(Happening.DISCHARGE, 30), event(Happening.ADMISSION))
    assert changes == ["discharged", "admission_after_discharge"]
    assert len(spells) == 1 and spells[0].status is SpellStatus.DISCHARGED and spells[0].admitted_at == T0


def test_cancels() -> None:
    _, changes = play(
        event(Happening.CANCEL_ADMISSION),
        event(Happening.ADMISSION),
        event(Happening.TRANSFER, 1, location="WARD2"),
        event(Happening.CANCEL_TRANSFER, 2),
        event(Happening.CANCEL_TRANSFER, 3),
        event(Happening.DISCHARGE, 4),
        event(Happening.CANCEL_DISCHARGE, 5),
        event(Happening.CANCEL_ADMISSION, 6),
        event(Happening.CANCEL_DISCHARGE, 7),
    )
    assert changes == [
        "refused:nothing_to_cancel", "admitted", "moved", "move_cancelled", "refused:nothing_to_cancel",
        "discharged", "discharge_cancelled", "admission_cancelled", "refused:nothing_to_cancel",
    ]  # fmt: skip


def test_diagnoses_new_in_the_stay_are_told_apart_from_known_ones() -> None:
    f03 = (DiagnosisNote("F03", "Dementia", "I10"),)
    spells: list[SpellState] = []
    keys = Counter()
    first = apply(event(Happening.ADMISSION, diagnoses=f03), 1, spells, keys, {})
    apply(event(Happening.DISCHARGE, 5), 1, spells, keys, {})
    again = apply(event(Happening.ADMISSION, 100, visit_number="V2", diagnoses=f03), 1, spells, keys, {})
    assert [new for _, new in first.diagnoses] == [True] and "diagnosis" in first.triggers
    assert [new for _, new in again.diagnoses] == [False] and "diagnosis" not in again.triggers


HAPPENINGS = [h for h in Happening if h is not Happening.MERGE]
events = st.lists(
    st.tuples(st.sampled_from(HAPPENINGS), st.sampled_from(["V1", "V2", ""]), st.sampled_from(["A", "B", ""])),
    max_size=25,
)


@settings(max_examples=300)
@given(events)
def test_any_stream_leaves_sound_spells(stream) -> None:
    spells, changes = play(*(event(h, n, visit_number=v, location=loc) for n, (h, v, loc) in enumerate(stream)))
    assert len(changes) == len(stream)
    for spell in spells:
        assert spell.status is not SpellStatus.DISCHARGED or spell.discharged_at is not None
        assert spell.discharge_pathway in (None, 0)
    open_by_visit = [
        (s.facility, s.visit_number) for s in spells if s.status is SpellStatus.ADMITTED and s.visit_number
    ]
    assert len(open_by_visit) == len(set(open_by_visit))
    keys = [s.key for s in spells]
    assert len(keys) == len(set(keys))


@settings(max_examples=200)
@given(events)
def test_refusals_change_nothing(stream) -> None:
    spells: list[SpellState] = []
    keys = Counter()
    for n, (h, v, loc) in enumerate(stream):
        before = [(s.key, s.status, s.location, tuple(s.earlier_locations)) for s in spells]
        try:
            apply(event(h, n, visit_number=v, location=loc), 1, spells, keys, {})
        except Refused:
            assert [(s.key, s.status, s.location, tuple(s.earlier_locations)) for s in spells] == before


@pytest.mark.parametrize("happening", HAPPENINGS)
def test_every_event_on_an_empty_record_is_applied_or_refused(happening: Happening) -> None:
    _, changes = play(event(happening))
    assert len(changes) == 1
