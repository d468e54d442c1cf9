"""Pure rules of the locality MDT's work: the agenda, the schedule, duplicate assessments, agreement, frailty."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from dateutil.rrule import WEEKLY, rrule
from hypothesis import example, given
from hypothesis import strategies as st

from joinedup.careplans.rules import agenda, plans, visits
from joinedup.careplans.rules.visits import AssessmentKind, VisitFacts, VisitKind, VisitStatus

# --- agenda -----------------------------------------------------------------------------------------

proposals = st.lists(
    st.builds(
        agenda.Proposal,
        client_id=st.integers(min_value=1, max_value=30),
        source=st.sampled_from(["disputes", "crises", "readmissions", "overdue_reviews", "frailty", "member"]),
        reason=st.sampled_from(["a", "b", "c"]),
        priority=st.integers(min_value=0, max_value=100),
        ref=st.sampled_from(["", "x:1", "x:2"]),
    ),
    max_size=60,
)
client_sets = st.sets(st.integers(min_value=1, max_value=30), max_size=30)


@given(proposals, client_sets, client_sets)
def test_the_agenda_never_lists_a_client_the_coordinator_may_not_see_or_removed(found, visible, removed):
    items = agenda.merge(found, visible, removed)
    listed = [item.client_id for item in items]
    assert set(listed) <= visible - removed
    assert len(listed) == len(set(listed))  # one item per client
    assert set(listed) == {p.client_id for p in found} & (visible - removed)  # and nobody is lost


@example(
    found=[
        agenda.Proposal(19, "disputes", "a", 1),
        agenda.Proposal(19, "disputes", "a", 0),  # the same reason again, more pressing: that one counts
    ],
    visible={19},
)
@given(proposals, client_sets)
def test_every_reason_is_kept_once_and_the_most_pressing_comes_first(found, visible):
    items = agenda.merge(found, visible)
    for item in items:
        keys = [(r.source, r.ref, "" if r.ref else r.reason) for r in item.reasons]
        assert len(keys) == len(set(keys))
        assert item.priority == min(p.priority for p in found if p.client_id == item.client_id)
    assert [i.priority for i in items] == sorted(i.priority for i in items)


def test_a_client_with_a_dispute_comes_before_one_added_by_a_member():
    items = agenda.merge(
        [
            agenda.Proposal(1, "member", "Added by Olivia", agenda.PRIORITY_ADDED_BY_MEMBER),
            agenda.Proposal(2, "disputes", "Open dispute #3", agenda.PRIORITY_DISPUTE, "dispute:3"),
            agenda.Proposal(1, "frailty", "Severe frailty", agenda.PRIORITY_FRAILTY),
        ],
        visible={1, 2},
    )
    assert [i.client_id for i in items] == [2, 1]
    assert [r.source for r in items[1].reasons] == ["frailty", "member"]


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(1, 8),
    st.integers(-100, 400),
    st.integers(1, 6),
)
def test_the_schedule_agrees_with_dateutil_rrule(first, every, offset, count):
    after = first + timedelta(days=offset)
    rule = rrule(WEEKLY, interval=every, dtstart=datetime.combine(first, datetime.min.time()))
    expected = [d.date() for d in rule.xafter(datetime.combine(after, datetime.min.time()), count=count, inc=True)]
    assert agenda.occurrences(first, every, after, count) == expected


def test_a_period_runs_from_the_previous_meeting_or_four_weeks_back():
    now = datetime(2026, 3, 3, 13, tzinfo=UTC)
    assert agenda.lookback(now - timedelta(days=7), now) == agenda.Period(now - timedelta(days=7), now)
    assert agenda.lookback(None, now).start == now - timedelta(days=28)
    with pytest.raises(ValueError):
        agenda.Period(now, now)


@pytest.mark.parametrize(
    ("every", "minutes", "field"), [(0, 60, "every_weeks"), (9, 60, "every_weeks"), (1, 10, "duration_minutes")]
)
def test_a_schedule_out_of_bounds_is_refused_naming_the_field(every, minutes, field):
    with pytest.raises(agenda.ScheduleError) as error:
        agenda.check_schedule(every, minutes)
    assert error.value.field == field


# --- duplicate assessments ----------------------------------------------------------------------------

DAY = date(2026, 3, 10)


def visit(
    id: int,
    org: int,
    day: date,
    *,
    kind=VisitKind.ASSESSMENT,
    assessment=AssessmentKind.EQUIPMENT,
    status=VisitStatus.DONE,
) -> VisitFacts:
    return VisitFacts(
        id, org, f"Org {org}", f"Person {id}", kind, assessment if kind is VisitKind.ASSESSMENT else None, day, status
    )


def proposed(org: int = 1, day: date = DAY, assessment=AssessmentKind.EQUIPMENT) -> visits.Proposed:
    return visits.Proposed(org, VisitKind.ASSESSMENT, assessment, day)


def test_another_organisations_assessment_of_the_same_kind_within_28_days_is_a_duplicate():
    others = [
        visit(1, 2, DAY - timedelta(days=28)),  # done 28 days before: within
        visit(2, 2, DAY + timedelta(days=3), status=VisitStatus.PLANNED),  # planned: within
        visit(3, 2, DAY - timedelta(days=29)),  # too long ago
        visit(4, 1, DAY),  # our own organisation
        visit(5, 2, DAY, assessment=AssessmentKind.FALLS),  # another kind
        visit(6, 2, DAY, status=VisitStatus.CANCELLED),  # cancelled
        visit(7, 2, DAY, kind=VisitKind.TREATMENT),  # not an assessment
    ]
    found = visits.duplicates(proposed(), others, 28)
    assert [d.other.id for d in found] == [2, 1]  # nearest first
    assert "Org 2 plans a equipment and adaptations assessment on 13 March 2026" in found[0].warning
    assert found[1].suggestion.startswith("Ask Person 1 to share that assessment")


def test_the_window_is_configurable_and_zero_turns_the_check_off():
    others = [visit(1, 2, DAY - timedelta(days=10))]
    assert visits.duplicates(proposed(), others, 7) == []
    assert len(visits.duplicates(proposed(), others, 14)) == 1
    assert visits.duplicates(proposed(), others, 0) == []


facts = st.builds(
    visit,
    id=st.integers(1, 10_000),
    org=st.integers(1, 4),
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 6, 1)),
    assessment=st.sampled_from(list(AssessmentKind)),
    status=st.sampled_from(list(VisitStatus)),
)


@given(st.lists(facts, max_size=30), st.integers(1, 60), st.integers(1, 4), st.sampled_from(list(AssessmentKind)))
def test_a_duplicate_is_exactly_another_organisations_live_assessment_of_that_kind_in_the_window(
    others, window, org, kind
):
    found = {d.other.id for d in visits.duplicates(proposed(org, DAY, kind), others, window)}
    expected = {
        o.id
        for o in others
        if o.organisation_id != org
        and o.assessment is kind
        and o.status is not VisitStatus.CANCELLED
        and abs((o.day - DAY).days) <= window
    }
    assert found == expected


def test_days_with_several_visits_are_the_ones_to_combine():
    assert visits.same_day_groups([(DAY, 1), (DAY, 2), (DAY + timedelta(days=1), 3)]) == {DAY: [1, 2]}


def test_a_trusted_assessment_is_accepted_only_when_done_by_another_organisation_of_a_trusted_kind():
    assert (
        visits.check_acceptance(AssessmentKind.EQUIPMENT, VisitStatus.DONE, 1, 2).value == "trusted_assessor_equipment"
    )
    for args in (
        (AssessmentKind.FALLS, VisitStatus.DONE, 1, 2),
        (AssessmentKind.EQUIPMENT, VisitStatus.PLANNED, 1, 2),
        (AssessmentKind.EQUIPMENT, VisitStatus.DONE, 1, 1),
    ):
        with pytest.raises(visits.VisitError):
            visits.check_acceptance(*args)


@pytest.mark.parametrize(
    ("kind", "assessment", "minutes", "field"),
    [
        ("visit", "", 60, "kind"),
        ("assessment", "", 60, "assessment"),
        ("treatment", "equipment", 60, "assessment"),
        ("review", "", 2, "duration_minutes"),
    ],
)
def test_a_visit_is_checked_field_by_field(kind, assessment, minutes, field):
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(visits.VisitError) as error:
        visits.check_visit(kind, assessment, now + timedelta(days=1), minutes, now)
    assert error.value.field == field


# --- agreement and frailty ------------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_agreement_needs_who_and_a_note_when_not_agreed_or_unable():
    assert plans.check_agreement("agreed", "Ada herself", NOW, NOW, "") is plans.Agreement.AGREED
    cases = [
        ("pending", "Ada", NOW, "", "agreement"),
        ("agreed", " ", NOW, "", "who"),
        ("agreed", "Ada", NOW + timedelta(days=1), "", "when"),
        ("not_agreed", "Ada", NOW, "", "note"),
        ("unable", "Her daughter", NOW, " ", "note"),
    ]
    for agreement, who, when, note, field in cases:
        with pytest.raises(plans.AgreementError) as error:
            plans.check_agreement(agreement, who, when, NOW, note)
        assert error.value.field == field


@pytest.mark.parametrize(
    ("score", "band"),
    [
        ("0", "fit"),
        ("0.12", "fit"),
        ("0.13", "mild"),
        ("0.24", "mild"),
        ("0.25", "moderate"),
        ("0.36", "moderate"),
        ("0.37", "severe"),
        ("1", "severe"),
    ],
)
def test_efi_bands_follow_the_published_cut_offs(score, band):
    assert plans.band_for_score(Decimal(score)).value == band


def test_a_frailty_band_must_agree_with_its_score():
    today = date(2026, 3, 1)
    assert plans.check_frailty("severe", Decimal("0.40"), today, today) is plans.FrailtyBand.SEVERE
    with pytest.raises(plans.AgreementError) as error:
        plans.check_frailty("mild", Decimal("0.40"), today, today)
    assert error.value.field == "band"
    with pytest.raises(plans.AgreementError):
        plans.check_frailty("severe", None, today + timedelta(days=1), today)


def test_support_workers_and_emergency_access_read_plans_but_do_not_change_them():
    assert plans.may_edit_plan({"practitioner"}, "member of the accountable team")
    assert not plans.may_edit_plan({"support_worker"}, "member of the care team (connector)")
    assert not plans.may_edit_plan({"practitioner"}, "emergency access: fell at home")
    assert not plans.may_edit_plan({"practitioner"}, None)
