"""The access alert rules without a database (ADR 0045): frequent viewing by London day, the same
household, and the review of an alert."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.governance.rules import (
    ACKNOWLEDGE,
    CLOSE,
    NOTE_MAX,
    AlertChangeError,
    AlertStatus,
    Household,
    check_note,
    counts_as_record_view,
    frequent_viewing,
    london_day,
    next_status,
    same_household,
    surname_parts,
)

SUMMER_MIDNIGHT = datetime(2026, 7, 1, 23, 0, tzinfo=UTC)  # 00:00 on 2 July in London (BST)


def test_a_day_is_a_london_day():
    assert london_day(SUMMER_MIDNIGHT - timedelta(seconds=1)) == date(2026, 7, 1)
    assert london_day(SUMMER_MIDNIGHT) == date(2026, 7, 2)
    assert london_day(datetime(2026, 1, 1, 23, 59, tzinfo=UTC)) == date(2026, 1, 1)  # GMT in winter
    with pytest.raises(ValueError):
        london_day(datetime(2026, 1, 1))


def test_more_than_the_threshold_in_one_day_is_an_alert_and_names_the_view_that_went_over():
    start = datetime(2026, 3, 3, 9, tzinfo=UTC)
    views = [(100 + n, 7, 42, start + timedelta(minutes=n)) for n in range(4)]
    assert frequent_viewing(views, 4) == {}
    found = frequent_viewing(views, 3)
    crossing = found[(7, 42, date(2026, 3, 3))]
    assert (crossing.count, crossing.event_id, crossing.at) == (4, 103, start + timedelta(minutes=3))


def test_views_either_side_of_london_midnight_are_two_days():
    views = [(1, 7, 42, SUMMER_MIDNIGHT - timedelta(minutes=5)), (2, 7, 42, SUMMER_MIDNIGHT + timedelta(minutes=5))]
    assert frequent_viewing(views, 1) == {}
    with pytest.raises(ValueError):
        frequent_viewing(views, -1)


def test_only_a_successful_look_at_the_record_counts():
    assert counts_as_record_view("view", "success", "Client")
    assert counts_as_record_view("view", "success", "CarePlan")
    assert not counts_as_record_view("view", "refused", "Client")
    assert not counts_as_record_view("list", "success", "Client")
    assert not counts_as_record_view("view", "success", "AccessAlert")  # a reviewer reading an alert


views_strategy = st.lists(
    st.tuples(
        st.integers(1, 3),
        st.integers(1, 3),
        st.datetimes(datetime(2026, 3, 28), datetime(2026, 3, 31), timezones=st.just(UTC)),  # clocks go forward
    ),
    max_size=40,
)


@given(views=views_strategy, threshold=st.integers(0, 6))
def test_an_alert_is_raised_iff_a_day_has_more_views_than_the_threshold(views, threshold):
    numbered = [(number, who, client, when) for number, (who, client, when) in enumerate(views)]
    found = frequent_viewing(numbered, threshold)
    per_day = Counter((who, client, london_day(when)) for who, client, when in views)
    assert set(found) == {key for key, count in per_day.items() if count > threshold}
    for key, crossing in found.items():
        assert crossing.count == per_day[key]
        # The view that went over is the (threshold + 1)th of that day, by event id.
        same_day = sorted(n for n, who, client, when in numbered if (who, client, london_day(when)) == key)
        assert crossing.event_id == same_day[threshold]


# --- The same household -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("staff", "client", "expected"),
    [
        (Household("Okafor", "12 Elm Road", "NW10 6AB"), Household("OKAFOR", "12 elm road", ""), "address"),
        (Household("Okafor", "", "nw106ab"), Household("Okafor", "Flat 2, 12 Elm Road", "NW10 6AB"), "postcode"),
        (Household("O'Brien", "3 Mill Lane", ""), Household("OBrien", "3 Mill Lane.", ""), "address"),
        (Household("Smith-Jones", "", "E1 1AA"), Household("Jones", "", "E1 1AA"), "postcode"),
        (Household("Müller", "", "E1 1AA"), Household("Muller", "", "e1 1aa"), "postcode"),
        (Household("Okafor", "12 Elm Road", "NW10 6AB"), Household("Okoye", "12 Elm Road", "NW10 6AB"), None),
        (Household("Okafor", "12 Elm Road", "NW10 6AB"), Household("Okafor", "14 Elm Road", "NW10 6AD"), None),
        (Household("Okafor", "", ""), Household("Okafor", "", ""), None),  # nothing known of the home
        (Household("", "12 Elm Road", ""), Household("", "12 Elm Road", ""), None),
    ],
)
def test_same_surname_and_the_same_address_or_postcode(staff, client, expected):
    assert same_household(staff, client) == expected


def test_a_letter_with_no_lower_case_twin_matches_when_typed_in_capitals():
    # Found by Hypothesis: "A" + dotless i (U+0131), typed as "AI", did not match.
    assert surname_parts("A\u0131") == surname_parts("AI") == {"ai"}


def test_surname_parts_ignore_case_accents_and_apostrophes():
    assert surname_parts("O'Brien-Smith") == {"obrien", "smith"}
    assert surname_parts("  de la  Cruz ") == {"de", "la", "cruz"}
    assert surname_parts("") == frozenset()


names = st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=2, max_size=12)
places = st.text(alphabet="abcdefghij0123456789 ,.", max_size=30)


def _shouted(home: Household) -> Household:
    """The same home, typed differently: capitals, spaces around and inside the postcode."""
    postcode = " ".join(home.postcode)
    return Household(f"  {home.surname.upper()} ", f" {home.address.upper()} ", postcode.lower())


@given(surname=names, other=names, address=places, postcode=st.text(alphabet="ABC123", max_size=7))
def test_how_a_home_is_typed_does_not_change_the_match(surname, other, address, postcode):
    staff = Household(surname, address, postcode)
    client = Household(other, address, postcode)
    assert same_household(staff, client) == same_household(_shouted(staff), client)
    assert same_household(staff, client) == same_household(client, staff)
    if not surname_parts(surname) & surname_parts(other):
        assert same_household(staff, client) is None


# --- Reviewing an alert ---------------------------------------------------------------------------


def test_an_alert_is_acknowledged_then_closed_and_closed_is_final():
    assert next_status(AlertStatus.OPEN, ACKNOWLEDGE) == AlertStatus.ACKNOWLEDGED
    assert next_status(AlertStatus.OPEN, CLOSE) == AlertStatus.CLOSED
    assert next_status(AlertStatus.ACKNOWLEDGED, CLOSE) == AlertStatus.CLOSED
    with pytest.raises(AlertChangeError, match="already acknowledged"):
        next_status(AlertStatus.ACKNOWLEDGED, ACKNOWLEDGE)
    with pytest.raises(AlertChangeError, match="closed"):
        next_status(AlertStatus.CLOSED, CLOSE)
    with pytest.raises(AlertChangeError, match="No such change"):
        next_status(AlertStatus.OPEN, "reopen")


@given(st.lists(st.sampled_from([ACKNOWLEDGE, CLOSE, "reopen", "delete"]), max_size=8))
def test_no_sequence_of_changes_reopens_an_alert(changes):
    status, seen = AlertStatus.OPEN, [AlertStatus.OPEN]
    for change in changes:
        try:
            status = next_status(status, change)
        except AlertChangeError:
            continue
        seen.append(status)
    order = [AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.CLOSED]
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)  # never backwards
    assert seen.count(AlertStatus.CLOSED) <= 1


@pytest.mark.parametrize(
    ("note", "message"),
    [(None, "Write a note"), ("", "Write a note"), ("   \n ", "Write a note"), ("x" * (NOTE_MAX + 1), "1000")],
)
def test_a_missing_or_overlong_note_is_refused(note, message):
    with pytest.raises(AlertChangeError, match=message):
        check_note(note)


def test_a_note_is_trimmed():
    assert check_note("  Spoke to the OT: her mother.  ") == "Spoke to the OT: her mother."
