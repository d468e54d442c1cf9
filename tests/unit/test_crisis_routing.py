"""Crisis routing (issue 5, item 2): every crisis has an owner at once, at any instant of any day.

The 20:00 cut-off of urgent community response, Friday 17:00 for social care, a bank holiday
Monday, the clock changes, gaps in the rota, and the escalation chain; then properties over
any instant from 2024 to 2030, any rota (gaps included) and any team.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from joinedup.core.working_time import bank_holidays
from joinedup.crisis.rules import (
    DEFAULT_SERVICE_HOURS,
    SECTOR_SERVICE,
    Basis,
    NonexistentLocalTime,
    RotaFacts,
    ServiceHoursConfigError,
    ServiceKey,
    Shift,
    Situation,
    TeamOnDuty,
    closed_periods,
    london_moment,
    route,
    service_hours_from_config,
    uncovered,
)

LONDON = ZoneInfo("Europe/London")
RAPID = TeamOnDuty(team_id=10, duty_worker_id=101, manager_id=109)
SOCIAL = TeamOnDuty(team_id=20, duty_worker_id=201, manager_id=209)
MDT = TeamOnDuty(team_id=90, duty_worker_id=901, manager_id=909)
ON_CALL, SECOND, MANAGER, FALLBACK = 301, 302, 309, 399


def at(y, m, d, hh=0, mm=0, fold=0):
    return datetime(y, m, d, hh, mm, tzinfo=LONDON, fold=fold)


def rota(*shifts: Shift, team_id: int = 30) -> RotaFacts:
    return RotaFacts(rota_id=1, team_id=team_id, manager_id=MANAGER, fallback_id=FALLBACK, shifts=tuple(shifts))


def night(day: date, person: int = ON_CALL, position: int = 1) -> Shift:
    """On call from 17:00 one day to 09:00 the next, London time (covering both services' closures)."""
    starts = datetime.combine(day, time(17), tzinfo=LONDON).astimezone(UTC)
    ends = datetime.combine(day + timedelta(days=1), time(9), tzinfo=LONDON).astimezone(UTC)
    return Shift(person, starts, ends, position)


def routed(situation, moment, *, team=RAPID, on_call=None):
    return route(situation, moment, hours=DEFAULT_SERVICE_HOURS, in_hours_team=team, rota=on_call, last_resort=MDT)


# --- the cut-offs -------------------------------------------------------------------------------


def test_urgent_community_response_answers_until_20_00_then_the_on_call():
    friday = date(2026, 11, 20)
    on_call = rota(night(friday))
    before = routed("fall", at(2026, 11, 20, 19, 59), on_call=on_call)
    after = routed("fall", at(2026, 11, 20, 20, 0), on_call=on_call)
    assert (before.basis, before.team_id, before.person_id) == (Basis.IN_HOURS, RAPID.team_id, RAPID.duty_worker_id)
    assert (after.basis, after.team_id, after.person_id) == (Basis.ON_CALL, 30, ON_CALL)
    assert before.gap is None and after.gap is None


def test_social_care_answers_until_friday_17_00_then_the_on_call():
    friday = date(2026, 11, 20)
    on_call = rota(night(friday))
    before = routed("care_package_breakdown", at(2026, 11, 20, 16, 59), team=SOCIAL, on_call=on_call)
    after = routed("care_package_breakdown", at(2026, 11, 20, 17, 0), team=SOCIAL, on_call=on_call)
    assert (before.basis, before.person_id) == (Basis.IN_HOURS, SOCIAL.duty_worker_id)
    assert (after.basis, after.person_id) == (Basis.ON_CALL, ON_CALL)


def test_a_bank_holiday_monday_closes_social_care_but_not_urgent_community_response():
    monday = date(2026, 8, 31)  # summer bank holiday
    assert monday in bank_holidays()
    on_call = rota(Shift(ON_CALL, at(2026, 8, 28, 17).astimezone(UTC), at(2026, 9, 1, 9).astimezone(UTC)))
    social = routed("no_food_or_heating", at(2026, 8, 31, 10, 0), team=SOCIAL, on_call=on_call)
    health = routed("frailty", at(2026, 8, 31, 10, 0), on_call=on_call)
    assert (social.basis, social.person_id) == (Basis.ON_CALL, ON_CALL)
    assert (health.basis, health.person_id) == (Basis.IN_HOURS, RAPID.duty_worker_id)


def test_the_cut_off_follows_the_london_clock_across_the_clock_changes():
    # 19:30 UTC is 20:30 in summer (closed) and 19:30 in winter (open).
    summer = routed("fall", datetime(2026, 10, 24, 19, 30, tzinfo=UTC), on_call=rota())
    winter = routed("fall", datetime(2026, 10, 26, 19, 30, tzinfo=UTC), on_call=rota())
    assert summer.basis is Basis.FALLBACK and winter.basis is Basis.IN_HOURS


def test_a_night_shift_covers_the_hour_skipped_and_both_hours_repeated():
    spring = rota(night(date(2026, 3, 28)))  # Saturday 17:00 to Sunday 09:00 across the clocks going forward
    autumn = rota(night(date(2026, 10, 24)))  # and going back
    assert spring.shifts[0].ends_at - spring.shifts[0].starts_at == timedelta(hours=15)
    assert autumn.shifts[0].ends_at - autumn.shifts[0].starts_at == timedelta(hours=17)
    assert routed("fall", at(2026, 3, 29, 3, 0), on_call=spring).person_id == ON_CALL
    for fold in (0, 1):  # 01:30 happens twice on 25 October 2026
        assert routed("fall", at(2026, 10, 25, 1, 30, fold=fold), on_call=autumn).person_id == ON_CALL


# --- gaps and the chain --------------------------------------------------------------------------


def test_a_gap_in_the_rota_goes_to_the_named_fallback_and_says_so():
    found = routed("fall", at(2026, 11, 20, 22, 0), on_call=rota())
    assert (found.basis, found.team_id, found.person_id) == (Basis.FALLBACK, 30, FALLBACK)
    assert found.gap == "Nobody is on call on the rota"
    assert found.chain == (MANAGER, None)


def test_no_rota_at_all_goes_to_the_locality_mdt_and_says_so():
    found = routed("fall", at(2026, 11, 20, 22, 0), on_call=None)
    assert (found.basis, found.team_id, found.person_id) == (Basis.LAST_RESORT, MDT.team_id, MDT.duty_worker_id)
    assert "no on-call rota" in (found.gap or "")


def test_in_hours_without_a_duty_worker_the_on_call_takes_it_and_the_gap_is_reported():
    nobody = TeamOnDuty(team_id=10, duty_worker_id=None, manager_id=109)
    day = rota(Shift(ON_CALL, at(2026, 11, 20, 8).astimezone(UTC), at(2026, 11, 20, 20).astimezone(UTC)))
    found = routed("fall", at(2026, 11, 20, 11, 0), team=nobody, on_call=day)
    assert (found.basis, found.person_id) == (Basis.ON_CALL, ON_CALL)
    assert found.gap == "The in-hours team has no duty worker"


def test_the_chain_is_the_second_on_call_then_the_manager():
    friday = date(2026, 11, 20)
    found = routed("fall", at(2026, 11, 20, 23, 0), on_call=rota(night(friday), night(friday, SECOND, position=2)))
    assert found.person_id == ON_CALL and found.chain == (SECOND, MANAGER)


def test_in_hours_the_chain_is_whoever_is_on_the_rota_now_then_the_team_manager():
    friday = date(2026, 11, 20)
    day_shift = Shift(SECOND, at(2026, 11, 20, 8).astimezone(UTC), at(2026, 11, 20, 20).astimezone(UTC), 2)
    found = routed("fall", at(2026, 11, 20, 11, 0), on_call=rota(night(friday), day_shift))
    assert found.chain == (SECOND, RAPID.manager_id)
    alone = routed("fall", at(2026, 11, 20, 11, 0), on_call=rota())
    assert alone.chain == (RAPID.manager_id, None)


def test_routing_refuses_a_naive_moment():
    with pytest.raises(ValueError, match="timezone-aware"):
        routed("fall", datetime(2026, 11, 20, 11, 0))


# --- properties -----------------------------------------------------------------------------------

# Instants from 2024 to 2030, drawn more often near the clock changes and on bank holidays.
_CLOCK_CHANGES = [
    datetime(y, m, d, 1, tzinfo=UTC)
    for y, m, d in ((2024, 3, 31), (2024, 10, 27), (2025, 3, 30), (2025, 10, 26), (2026, 3, 29), (2026, 10, 25))
]
_HOLIDAYS = [datetime.combine(d, time(0), tzinfo=LONDON) for d in sorted(bank_holidays()) if 2024 <= d.year <= 2030]
instants = st.one_of(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes),
        st.sampled_from(_CLOCK_CHANGES),
        st.integers(-24 * 60, 24 * 60),
    ),
    st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes), st.sampled_from(_HOLIDAYS), st.integers(0, 24 * 60 - 1)
    ),
)
people = st.integers(min_value=1, max_value=8)


@st.composite
def rotas(draw, around: datetime):
    """Any rota near a moment: shifts that may overlap, leave gaps, or be missing altogether."""
    shifts = []
    for number in range(draw(st.integers(0, 6))):
        start = around + timedelta(minutes=draw(st.integers(-48 * 60, 48 * 60)))
        length = timedelta(minutes=draw(st.integers(1, 72 * 60)))
        shifts.append(Shift(draw(people), start, start + length, draw(st.sampled_from([1, 2])), number + 1))
    return RotaFacts(1, 30, draw(people), draw(people), tuple(shifts))


maybe_person = st.one_of(st.none(), people)
teams = st.one_of(st.none(), st.builds(TeamOnDuty, st.just(10), maybe_person, maybe_person))


@settings(max_examples=600, deadline=None)
@given(data=st.data(), moment=instants, situation=st.sampled_from(list(Situation)))
def test_every_crisis_has_an_owner_at_once_whatever_the_moment_rota_or_team(data, moment, situation):
    on_call = data.draw(st.one_of(st.none(), rotas(moment)))
    team = data.draw(teams)
    last_resort = TeamOnDuty(90, data.draw(st.one_of(st.none(), people)), data.draw(st.one_of(st.none(), people)))
    found = route(situation, moment, hours=DEFAULT_SERVICE_HOURS, in_hours_team=team, rota=on_call,
                  last_resort=last_resort)  # fmt: skip
    open_now = DEFAULT_SERVICE_HOURS[SECTOR_SERVICE[situation.sector]].is_open(moment)
    covering = on_call.on_call(moment) if on_call else []
    # Always a team at once; a named person whenever anyone could be named.
    assert found.team_id in {10, 30, 90}
    if on_call is not None or (open_now and team and team.duty_worker_id):
        assert found.person_id is not None
    # The first choice that can take it, and never silently anything else.
    if open_now and team is not None and team.duty_worker_id is not None:
        assert (found.basis, found.person_id, found.gap) == (Basis.IN_HOURS, team.duty_worker_id, None)
    elif covering:
        assert found.basis is Basis.ON_CALL and found.person_id == covering[0].person_id
        assert covering[0].covers(moment.astimezone(UTC))
        assert (found.gap is None) == (not open_now)
    elif on_call is not None:
        assert (found.basis, found.person_id) == (Basis.FALLBACK, on_call.fallback_id) and found.gap
    else:
        assert found.basis is Basis.LAST_RESORT and found.gap
    # Two escalation levels, nobody twice, never the owner.
    named = [p for p in found.chain if p is not None]
    assert len(found.chain) == 2 and len(named) == len(set(named)) and found.person_id not in named


@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=instants, hours=st.integers(1, 96), service=st.sampled_from(list(ServiceKey)))
def test_uncovered_is_exactly_the_closed_time_nobody_is_first_on_call(data, start, hours, service):
    end = start + timedelta(hours=hours)
    on_call = data.draw(rotas(start))
    service_hours = DEFAULT_SERVICE_HOURS[service]
    gaps = uncovered(on_call, service_hours, start, end)
    for _ in range(20):
        moment = start + timedelta(seconds=data.draw(st.integers(0, int((end - start).total_seconds()) - 1)))
        expected = not service_hours.is_open(moment) and not on_call.on_call(moment)
        assert any(a <= moment < b for a, b in gaps) == expected, moment
    assert all(a < b for a, b in gaps)


def test_closed_periods_of_social_care_over_a_bank_holiday_weekend():
    periods = closed_periods(DEFAULT_SERVICE_HOURS[ServiceKey.SOCIAL_CARE], at(2026, 8, 28, 12), at(2026, 9, 2, 12))
    assert [(a.astimezone(LONDON), b.astimezone(LONDON)) for a, b in periods] == [
        (at(2026, 8, 28, 17), at(2026, 9, 1, 9)),  # Friday 17:00 to Tuesday 09:00: the bank holiday Monday too
        (at(2026, 9, 1, 17), at(2026, 9, 2, 9)),
    ]


# --- local times typed on the rota, and the service hours setting -------------------------------------


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_first():
    with pytest.raises(NonexistentLocalTime, match="clocks go forward"):
        london_moment(date(2026, 3, 29), time(1, 30))
    assert london_moment(date(2026, 10, 25), time(1, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert london_moment(date(2026, 7, 1), time(20)) == datetime(2026, 7, 1, 19, tzinfo=UTC)


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.times())
def test_a_london_time_that_exists_comes_back_the_same(day, clock):
    clock = clock.replace(second=0, microsecond=0)
    try:
        moment = london_moment(day, clock)
    except NonexistentLocalTime:
        assume(False)
    assert moment.astimezone(LONDON).replace(tzinfo=None) == datetime.combine(day, clock)


def test_service_hours_are_configurable_per_service():
    hours = service_hours_from_config(
        {"social_care": {"opens": "08:30", "closes": "18:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat"]}}
    )
    assert hours[ServiceKey.SOCIAL_CARE].closes == time(18) and 5 in hours[ServiceKey.SOCIAL_CARE].days
    assert hours[ServiceKey.URGENT_COMMUNITY_RESPONSE] == DEFAULT_SERVICE_HOURS[ServiceKey.URGENT_COMMUNITY_RESPONSE]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"out_of_hours_gp": {"opens": "08:00"}}, "unknown service 'out_of_hours_gp'"),
        ({"social_care": {"opens": "nine", "closes": "17:00"}}, "social_care: hours.opens: 'nine' is not a time"),
        ({"social_care": {"opens": "18:00", "closes": "08:00"}}, "must close after it opens"),
        ({"social_care": {}}, "give opens, closes"),
        ([], "must be an object"),
    ],
)
def test_broken_service_hours_are_refused_naming_the_problem(config, problem):
    with pytest.raises(ServiceHoursConfigError, match=problem):
        service_hours_from_config(config)
