"""The managers' report (issue 5, item 9): by weekday and hour, time to acknowledge and to arrive, the
share with someone there within 2 hours, admissions avoided, by locality and situation; aggregates only."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from joinedup.core.errors import NotFound
from joinedup.core.models import AuditEvent
from joinedup.core.roles import Role
from joinedup.crisis import services
from joinedup.crisis.admissions import link_admission
from joinedup.crisis.charts import ALT, DRAW
from joinedup.crisis.report import crisis_report
from tests.crisis_factories import crisis_setup, raised
from tests.factories import client_in, practitioner

FRIDAY = datetime(2026, 11, 20, 15, 10, tzinfo=UTC)  # Friday 15:00-16:00 London
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
CHECKLIST = dict.fromkeys(
    ("rapid_response_visit", "bridging_package", "equipment", "carer_support", "virtual_ward"), "not_suitable"
)


def _crisis(b, at, *, ack=None, arrive=None, outcome=None, locality="north", situation="fall"):
    with time_machine.travel(at, tick=False):
        by = "ot.north" if locality == "north" else "ot.south"
        crisis = raised(b, by=by, client=client_in(b, locality=locality), situation=situation).crisis
    nurse = b.actor("rr.nurse")
    if ack is not None:
        with time_machine.travel(at + timedelta(minutes=ack), tick=False):
            services.acknowledge(nurse, crisis.pk)
    if arrive is not None:
        with time_machine.travel(at + timedelta(minutes=arrive), tick=False):
            services.record_arrival(nurse, crisis.pk)
    if outcome is not None:
        with time_machine.travel(at + timedelta(minutes=(arrive or 0) + 30), tick=False):
            if outcome == "admitted":
                services.record_admission_check(nurse, crisis.pk, CHECKLIST, "Needs hospital care for a fracture")
            services.record_outcome(nurse, crisis.pk, outcome)
    return crisis


@pytest.fixture
def manager(b):
    crisis_setup(b, around=FRIDAY)
    b.people["manager"] = practitioner("manager", b.community, roles=(Role.TEAM_MANAGER,))
    return b.actor("manager")


def test_the_figures_for_the_borough_by_locality_and_by_situation(b, manager):
    _crisis(b, FRIDAY, ack=5, arrive=60, outcome="stayed_home")
    _crisis(b, FRIDAY + timedelta(minutes=20), ack=10, arrive=150, outcome="admitted")
    stayed_then_admitted = _crisis(b, FRIDAY + timedelta(days=1), ack=20, arrive=100, outcome="stayed_home")
    _crisis(b, FRIDAY + timedelta(days=2), locality="south", situation="confusion")  # still open, not acknowledged
    link_admission(stayed_then_admitted.client_id, FRIDAY + timedelta(days=2), "msg-1")
    report = crisis_report(manager, 30, now=NOW)
    overall = report.overall
    assert (overall.raised, overall.due, overall.within_target) == (4, 4, 2)
    assert (overall.resolved, overall.avoided, overall.admitted, overall.admitted_after_staying) == (3, 1, 2, 1)
    assert overall.median_ack == 10 and overall.median_arrive == 100
    assert report.by_weekday_hour[4][15] == 2 and report.busiest == ("Friday", 15, 2)
    by_place = {row.name: row for row in report.by_locality}
    assert (by_place["North"].raised, by_place["South"].raised, by_place["South"].share_within_target) == (3, 1, 0)
    assert [(row.name, row.raised) for row in report.by_situation] == [
        ("Fall without serious injury", 3),
        ("Confusion or delirium", 1),
    ]


def test_the_period_counts_only_the_crises_raised_in_it(b, manager):
    _crisis(b, NOW - timedelta(days=40), ack=5, arrive=30, outcome="stayed_home")
    _crisis(b, NOW - timedelta(days=3), ack=5, arrive=30, outcome="stayed_home")
    assert crisis_report(manager, 30, now=NOW).overall.raised == 1
    assert crisis_report(manager, 90, now=NOW).overall.raised == 2
    with pytest.raises(ValueError, match="period"):
        crisis_report(manager, 7, now=NOW)


def test_only_managers_coordinators_and_commissioners_read_it_and_each_view_is_audited(b, manager):
    with pytest.raises(NotFound):
        crisis_report(b.actor("ot.north"), 30)
    crisis_report(b.actor("commissioner"), 30)
    event = AuditEvent.objects.filter(action="report", object_type="CrisisReport").get()
    assert event.client_id is None and event.actor_username == "commissioner"


def test_the_charts_draw_and_say_in_words_what_they_show(b, manager):
    _crisis(b, FRIDAY, ack=5, arrive=60, outcome="stayed_home")
    report = crisis_report(manager, 30, now=NOW)
    for name, draw in DRAW.items():
        svg = draw(report).decode()
        assert svg.startswith("<?xml") and "<svg" in svg, name
    assert "Busiest hour: Friday 15:00 to 16:00 with 1" in ALT["weekday-hour"](report)
    assert "North: median 5 minutes to acknowledge, 60 to arrive, 100% within 2 hours" in ALT["response-times"](report)
    empty = crisis_report(manager, 30, now=NOW + timedelta(days=400))
    assert "no crisis" in ALT["weekday-hour"](empty) and DRAW["outcomes"](empty)


def test_the_report_page_shows_figures_and_charts_and_names_no_client(b, manager):
    from tests.integration.pages import main_text, signed_in

    crisis = _crisis(b, FRIDAY, ack=5, arrive=60, outcome="stayed_home")
    browser = signed_in(b, "manager")
    page = browser.get("/crisis/report/?period=365")
    text = main_text(page)
    assert page.status_code == 200 and "Admissions avoided" in text and "Busiest hour" in text
    assert page.content.decode().count('src="data:image/svg+xml;base64,') == 3
    assert crisis.client.family_name.upper() not in text and crisis.client.family_name not in text
    chart = browser.get("/crisis/report/weekday-hour.svg?period=90")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert browser.get("/crisis/report/pie.svg").status_code == 404
    assert signed_in(b, "ot.north").get("/crisis/report/").status_code == 404
