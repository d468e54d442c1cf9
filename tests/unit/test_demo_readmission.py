"""The demo's bounce falls after the locality MDT's last meeting, whatever day the demo is seeded,
so that next Tuesday's proposed agenda shows it (and before the day the demo is seeded as of)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from joinedup.core.working_time import LONDON
from joinedup.demo.hospital import Story, _readmission
from joinedup.demo.mdt_meetings import tuesday_before


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_the_readmission_is_after_the_last_meeting_and_before_the_day(as_of: date) -> None:
    story = Story(datetime.combine(as_of, time(0, 0), LONDON))
    readmitted = _readmission(story)
    last_meeting_ends = datetime.combine(tuesday_before(as_of), time(13, 0), LONDON) + timedelta(minutes=90)
    assert last_meeting_ends < readmitted < story.anchor
    discharged = story.at(14, "16:00")
    assert timedelta(days=11) < readmitted - discharged < timedelta(days=30)  # a bounce: within the window
