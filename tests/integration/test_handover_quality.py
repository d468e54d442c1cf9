"""The handover quality page: figures worked out by hand on a small seeded borough, who may see
it, its audit, the period filter and the chart."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import time_machine

from joinedup.core.errors import NotFound
from joinedup.core.models import AuditEvent
from joinedup.core.roles import Role
from joinedup.handover.disputes import decide_dispute
from joinedup.handover.information import DEFAULT_INFORMATION_ITEMS
from joinedup.handover.models import Dispute
from joinedup.handover.quality import handover_quality
from joinedup.handover.services import (
    NewReferral,
    accept_referral,
    create_referral,
    decline_referral,
    send_referral,
)
from tests.factories import client_in, practitioner
from tests.handover_factories import complete_information, mental_health_team, sent_referral
from tests.integration.api_client import audit_statements_per_event
from tests.integration.pages import main_text, signed_in

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=LONDON)
T0 = NOW - timedelta(days=10)
LONG_AGO = NOW - timedelta(days=40)  # outside the last 30 days, inside the last 90
SVG = "{http://www.w3.org/2000/svg}svg"
NO_NEED = "No eligible social care need"
PHYSICAL = "Primarily a physical health need"
IDENTIFYING = "Already known to us: Mrs Jones at number 4"


def _at(moment, action, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return action(*args, **kwargs)


def _every_item_answered(b, client):
    information = {item.key: f"Answer to {item.key}" for item in DEFAULT_INFORMATION_ITEMS}
    actor = b.actor("ot.north")
    draft = create_referral(
        actor, NewReferral(client.pk, mental_health_team(b).pk, "transfer_of_care", "urgent", information)
    )
    return send_referral(actor, draft.pk)


def _bounced_twice(b, client, moment):
    """Two declines of the same client between the community provider and the mental health trust."""
    for _ in range(2):
        referral = _at(moment, sent_referral, b, client)
        _at(moment + timedelta(hours=1), decline_referral, b.actor("mh.duty"), referral.pk, PHYSICAL, "District nurses")
    return Dispute.objects.get(client=client, state="open")


@pytest.fixture
def seeded(b):
    """Last 30 days: 8 referrals sent (one with every item answered, seven with one item not
    known); 3 accepted by the mental health team after 2, 4 and 10 hours; 5 declined (2 "no
    eligible need" and 1 identifying reason by social work from the south, 2 "physical" by the
    mental health team); a dispute opened and decided 3 days later. 40 days ago: 2 more referrals
    declined ("physical"), opening a dispute still open long past its decide-by date."""
    team = mental_health_team(b)
    with time_machine.travel(LONG_AGO - timedelta(days=1), tick=False):  # the clients came first
        north = [client_in(b) for _ in range(5)]
        south = [client_in(b, locality="south") for _ in range(3)]
    _bounced_twice(b, north.pop(), LONG_AGO)
    for hours, every_item in ((2, False), (4, True), (10, False)):
        referral = _at(T0, _every_item_answered if every_item else sent_referral, b, north.pop())
        _at(T0 + timedelta(hours=hours), accept_referral, b.actor("mh.duty"), referral.pk)
    for reason, client in zip((NO_NEED, NO_NEED, IDENTIFYING), south, strict=True):
        referral = _at(T0, sent_referral, b, client, by="ot.south", to=b.social_work)
        _at(T0 + timedelta(hours=1), decline_referral, b.actor("sw.council"), referral.pk, reason, "Voluntary sector")
    dispute = _bounced_twice(b, north.pop(), T0)
    _at(
        dispute.opened_at + timedelta(days=3),
        decide_dispute,
        b.actor("coordinator.north"),
        dispute.pk,
        team.pk,
        None,
        "CMHT",
    )
    b.people["manager.north"] = practitioner(
        "manager.north", b.community, roles=(Role.TEAM_MANAGER,), teams=(b.therapy_north,)
    )
    return b


def _row(rows, name):
    return next(row for row in rows if row.name == name)


def test_the_figures_of_the_last_30_days_are_those_worked_out_by_hand(seeded):
    b = seeded
    report = handover_quality(b.actor("commissioner"), 30, now=NOW)
    overall = report.overall
    assert overall.sent == 8
    assert overall.mean_completeness == pytest.approx((7 * 14 / 15 + 1) / 8)
    assert (overall.fully_answered, overall.share_fully_answered) == (1, pytest.approx(1 / 8))
    assert overall.accepted == 3 and overall.declined == 5
    assert overall.median_hours_to_accept == pytest.approx(4)
    assert overall.p90_hours_to_accept == pytest.approx(4 + 0.8 * (10 - 4))  # between the 2nd and 3rd
    assert (overall.disputes_opened, overall.disputes_decided, overall.disputes_overdue) == (1, 1, 1)
    assert overall.median_days_to_decision == pytest.approx(3)

    mental_health = _row(report.by_team, "North Community Mental Health")
    assert (mental_health.sent, mental_health.accepted, mental_health.declined) == (5, 3, 2)
    assert mental_health.median_hours_to_accept == pytest.approx(4)
    assert (mental_health.disputes_opened, mental_health.disputes_decided, mental_health.disputes_overdue) == (1, 1, 1)
    social_work = _row(report.by_team, "Adult Social Work")
    assert (social_work.sent, social_work.accepted, social_work.declined) == (3, 0, 3)
    assert social_work.median_hours_to_accept is None and social_work.mean_completeness == pytest.approx(14 / 15)
    assert [row.name for row in report.by_team] == ["Adult Social Work", "North Community Mental Health"]

    north, south = _row(report.by_locality, "North"), _row(report.by_locality, "South")
    assert (north.sent, north.accepted, north.declined, north.disputes_opened) == (5, 3, 2, 1)
    assert (south.sent, south.accepted, south.declined, south.disputes_opened) == (3, 0, 3, 0)
    assert north.median_days_to_decision == pytest.approx(3) and south.median_days_to_decision is None

    # Reasons by exact text; one given only once (it names someone) is counted, not shown.
    assert [(r.reason, r.count) for r in report.decline_reasons] == [(NO_NEED, 2), (PHYSICAL, 2)]
    assert report.other_declines == 1


def test_a_longer_period_takes_in_the_older_referrals_and_disputes(seeded):
    report = handover_quality(seeded.actor("commissioner"), 90, now=NOW)
    overall = report.overall
    assert (overall.sent, overall.declined, overall.accepted) == (10, 7, 3)
    assert (overall.disputes_opened, overall.disputes_decided, overall.disputes_overdue) == (2, 1, 1)
    assert [(r.reason, r.count) for r in report.decline_reasons] == [(PHYSICAL, 4), (NO_NEED, 2)]


def test_the_report_costs_the_same_number_of_queries_whatever_the_data(seeded, django_assert_max_num_queries):
    # Referral counts for the borough, by team and by locality; acceptance waits; dispute counts
    # (three) and decision times; decline reasons and their total; team and locality names.
    most = 12 + 2 + audit_statements_per_event()  # and one audit event, in a savepoint
    actor = seeded.actor("commissioner")
    with django_assert_max_num_queries(most):
        handover_quality(actor, 365, now=NOW)


def test_the_page_shows_the_figures_chart_and_tables_and_is_audited_once(seeded):
    b = seeded
    browser = signed_in(b, "manager.north")
    before = AuditEvent.objects.count()
    with time_machine.travel(NOW, tick=False):
        response = browser.get("/handover/quality/", {"period": "30"})
    assert response.status_code == 200
    page = main_text(response)
    assert "Referrals first sent 8" in page
    assert "Mean completeness at first send 94% of handover items answered" in page
    assert "Sent with every item answered 12% (1 of 8)" in page
    assert "Time to acceptance median 4.0 hours, 90th centile 8.8 hours" in page
    assert "Disputes decided 1, median 3.0 days from opening to decision" in page
    assert (
        "Receiving team North Community Mental Health Sent 5 Mean completeness 95% Every item answered 20% (1) "
        "Accepted 3 Median hours to accept 4.0 90th centile hours 8.8 Declined 2"
    ) in page
    assert (
        "Locality South Disputes opened 0 Decided 0 Median days to decision \N{EN DASH} Open past decide-by date 0"
        in page
    )
    assert f"{NO_NEED} 2" in page and f"{PHYSICAL} 2" in page
    assert "Mrs Jones" not in page and "Ada" not in page
    assert "1 other decline is not listed" in page

    body = response.content.decode()
    [(data, alt)] = re.findall(
        r'<img class="nhsuk-image__img"\s+src="data:image/svg\+xml;base64,([^"]+)"\s+alt="([^"]+)"', body
    )
    assert "North Community Mental Health: median 4.0 hours, 90th centile 8.8 hours" in alt
    svg = base64.b64decode(data)
    assert ElementTree.fromstring(svg).tag == SVG

    [event] = AuditEvent.objects.order_by("id")[before:]
    assert (event.action, event.client_id, event.actor_username, event.detail) == (
        "report",
        None,
        "manager.north",
        {"period_days": 30, "part": "page"},
    )


@pytest.mark.parametrize(("period", "days"), [("30", 30), ("365", 365), ("7", 90), ("soon", 90), ("", 90)])
def test_the_period_is_one_of_the_three_or_the_default(b, period, days):
    response = signed_in(b, "commissioner").get("/handover/quality/", {"period": period})
    assert response.status_code == 200
    assert f"Last {days} days, whole borough" in main_text(response)
    assert re.search(rf'<option value="{days}" selected', response.content.decode())


def test_an_empty_borough_has_a_page_and_a_chart_that_say_so(b):
    response = signed_in(b, "coordinator.north").get("/handover/quality/")
    assert response.status_code == 200
    page = main_text(response)
    assert "Referrals first sent 0 Mean completeness at first send No referral was sent" in page
    assert "Time to acceptance No referral was accepted" in page
    assert "No referrals or disputes in this period." in page
    assert "no referral was accepted in the last 90 days" in response.content.decode()


@pytest.mark.parametrize("name", ["commissioner", "coordinator.north", "manager.north"])
def test_the_chart_is_valid_svg_with_the_teams_on_it(seeded, name):
    browser = signed_in(seeded, name)
    with time_machine.travel(NOW, tick=False):
        response = browser.get("/handover/quality/chart.svg", {"period": "30"})
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag == SVG
    texts = "".join(root.itertext())
    assert "North Community Mental Health" in texts and "Time to acceptance by receiving team" in texts
    assert "Adult Social Work" not in texts  # accepted nothing: in the table, not on the chart
    assert AuditEvent.objects.filter(action="report", actor_username=name, detail__part="chart").count() == 1


@pytest.mark.parametrize("name", ["ot.north", "sw.council", "volunteer", "admin"])
def test_others_get_the_404_page_and_no_figures(b, name):
    browser = signed_in(b, name)
    for path in ("/handover/quality/", "/handover/quality/chart.svg"):
        response = browser.get(path)
        assert response.status_code == 404, path
        assert "Referrals first sent" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="report").exists()
    with pytest.raises(NotFound):
        handover_quality(b.actor(name), 90)


def test_signing_in_comes_first():
    from django.test import Client

    response = Client().get("/handover/quality/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_seed_fixture_uses_the_information_set_it_assumes():
    assert len(DEFAULT_INFORMATION_ITEMS) == 15
    assert complete_information()["access_to_home"]["not_known"] is True
