"""The pages of care plans, the care team, visits, MDT meetings and training: journeys and broken input."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from joinedup.careplans.models import AgendaItem, CarePlan, Meeting, Visit
from joinedup.careplans.services import meetings, visits
from joinedup.core.models import AuditEvent
from joinedup.tasks.models import Task
from tests.careplan_factories import levels, plan_for, series_for
from tests.factories import client_in
from tests.integration.pages import error_links, main_text, signed_in
from tests.integration.test_mdt_meetings import next_tuesday
from tests.integration.test_visits_and_training import assess

HTMX = {"HTTP_HX_REQUEST": "true"}


def _date(prefix: str, day) -> dict[str, str]:
    return {f"{prefix}[day]": str(day.day), f"{prefix}[month]": str(day.month), f"{prefix}[year]": str(day.year)}


def _plan_form(**extra: str) -> dict[str, str]:
    data = {
        "what_matters": "Staying at home",
        "goal_1_client_words": "To make my own breakfast again",
        "goal_1_baseline": "-1",
        "goal_1_weight": "1",
        **_date("review_due", timezone.localdate() + timedelta(days=30)),
    }
    for level, words in levels().items():
        key = {-2: "minus_2", -1: "minus_1", 0: "0", 1: "plus_1", 2: "plus_2"}[level]
        data[f"goal_1_level_{key}"] = words
    return {**data, **extra}


def test_an_ot_writes_a_plan_with_the_client_and_records_agreement(b):
    client = client_in(b)
    ot = signed_in(b, "ot.north")
    record = main_text(ot.get(f"/clients/{client.pk}/"))
    assert "No care plan. Write a care plan with" in record
    response = ot.post(f"/clients/{client.pk}/care-plan/new/", _plan_form())
    assert response.status_code == 302 and response["Location"].endswith("/care-plan/#agreement")
    page = main_text(ot.get(f"/clients/{client.pk}/care-plan/"))
    assert "Goal 1: “To make my own breakfast again”" in page and "Not yet recorded" in page
    today = timezone.localdate()
    ot.post(
        f"/clients/{client.pk}/care-plan/agreement/",
        {"agreement": "agreed", "who": "Ada herself", **_date("when", today)},
    )
    assert CarePlan.objects.get(client=client).versions.get().agreement == "agreed"
    assert "Care team" in main_text(ot.get(f"/clients/{client.pk}/"))


def test_a_broken_plan_shows_the_error_summary_and_saves_nothing(b):
    client = client_in(b)
    ot = signed_in(b, "ot.north")
    response = ot.post(f"/clients/{client.pk}/care-plan/new/", _plan_form(goal_1_level_plus_1=""))
    assert response.status_code == 200
    assert error_links(response) == {"Describe level +1 (somewhat more than expected)": "#goal_1_level_plus_1"}
    response = ot.post(f"/clients/{client.pk}/care-plan/new/", _plan_form(**{"review_due[month]": "13"}))
    assert "#review_due-day" in error_links(response).values()
    assert not CarePlan.objects.filter(client=client).exists()


def test_a_review_with_a_goal_left_unscored_is_refused_on_the_page(b):
    client = client_in(b)
    plan_for(b, client)
    ot = signed_in(b, "ot.north")
    data = {
        "score_1": "1",
        **_date("held_on", timezone.localdate()),
        **_date("next_review_due", timezone.localdate() + timedelta(days=30)),
    }
    response = ot.post(f"/clients/{client.pk}/care-plan/review/", data)
    assert error_links(response) == {"Score goal 2 on its scale": "#score_2"}
    response = ot.post(f"/clients/{client.pk}/care-plan/review/", {**data, "score_2": "0"})
    assert response.status_code == 302
    assert "54.0" in main_text(ot.get(f"/clients/{client.pk}/care-plan/"))


def test_pages_of_a_client_out_of_scope_are_not_found_and_the_refusal_is_audited(b):
    client = client_in(b)
    plan_for(b, client)
    stranger = signed_in(b, "ot.south")
    for path in ("care-plan/", "care-plan/change/", "care-team/", "visits/", "visits/new/", "frailty/"):
        assert stranger.get(f"/clients/{client.pk}/{path}").status_code == 404, path
    assert AuditEvent.objects.filter(client_id=client.pk, outcome="refused").exists()


def test_booking_warns_of_a_duplicate_and_offers_to_share_instead(b):
    client = client_in(b)
    first = visits.book_visit(b.actor("ot.north"), client.pk, assess(b, "sw.council", b.social_work, 2))
    ot = signed_in(b, "ot.north")
    day = timezone.localdate() + timedelta(days=5)
    data = {
        "visitor": f"{b.therapy_north.pk}-{b.people['ot.north'].pk}",
        "kind": "assessment",
        "assessment": "equipment",
        "at": "10:30",
        "duration_minutes": "60",
        **_date("day", day),
    }
    response = ot.post(f"/clients/{client.pk}/visits/new/", data)
    page = main_text(response)
    assert "This assessment may be a duplicate" in page and "Council Adult Social Care plans" in page
    assert f'action="/clients/{client.pk}/visits/{first.pk}/share/"' in response.content.decode()
    assert Visit.objects.filter(client=client).count() == 1
    ot.post(f"/clients/{client.pk}/visits/{first.pk}/share/")
    assert Task.objects.filter(owner_practitioner=b.people["sw.council"], source_ref=f"visit:{first.pk}").exists()
    response = ot.post(f"/clients/{client.pk}/visits/new/", {**data, "duplicate_reason": "Needs changed since"})
    assert response.status_code == 302 and Visit.objects.filter(client=client).count() == 2
    response = ot.post(f"/clients/{client.pk}/visits/new/", {**data, "at": "25:00"})
    assert error_links(response) == {"Enter the time like 09:30 or 14:00": "#at"}


def test_a_meeting_on_the_shared_screen_from_agenda_to_actions(b):
    client = client_in(b)
    meetings.request_discussion(b.actor("ot.north"), client.pk, "Falls at night")
    series = series_for(b)
    coordinator = signed_in(b, "coordinator.north")
    occurrence = f"/mdt/series/{series.pk}/{next_tuesday().isoformat()}/"
    shown = coordinator.get(occurrence)  # not opened yet: a GET shows it and changes nothing
    assert "has not been opened yet" in main_text(shown) and not Meeting.objects.exists()
    response = coordinator.post(occurrence)
    meeting_url = response["Location"]
    assert coordinator.get(occurrence)["Location"] == meeting_url  # opened: a GET goes to it
    page = main_text(coordinator.get(meeting_url))
    assert "Added by a member: Ot Northson: Falls at night" in page
    item = AgendaItem.objects.get(client=client)
    coordinator.post(f"{meeting_url}attendance/", {"present": [str(b.people["coordinator.north"].pk)]})
    response = coordinator.post(f"{meeting_url}start/")
    assert response["Location"] == f"{meeting_url}items/{item.pk}/"
    live = coordinator.get(response["Location"], **HTMX)
    assert 'hx-boost="true"' in live.content.decode() and "Why the MDT is discussing Ada" in main_text(live)
    response = coordinator.post(f"{meeting_url}items/{item.pk}/discussion/", {"note": "", "decision": ""})
    assert error_links(response) == {"Write what was discussed": "#note", "Write what the MDT decided": "#decision"}
    coordinator.post(f"{meeting_url}items/{item.pk}/discussion/", {"note": "Two falls", "decision": "Falls assessment"})
    due = timezone.localdate() + timedelta(days=3)
    owner = f"p-{b.people['ot.north'].pk}"
    coordinator.post(
        f"{meeting_url}items/{item.pk}/actions/", {"title": "Falls assessment", "owner": owner, **_date("due_on", due)}
    )
    assert Task.objects.get(source="mdt").owner_practitioner == b.people["ot.north"]
    coordinator.post(f"{meeting_url}close/")
    minutes = main_text(coordinator.get(f"{meeting_url}minutes/"))
    assert "Decision: Falls assessment" in minutes and "Falls assessment Ot Northson" in minutes
    assert signed_in(b, "ot.north").get(meeting_url).status_code == 404  # not in the MDT


def test_training_pages_and_the_team_matrix(b):
    ot = signed_in(b, "ot.north")
    me = b.people["ot.north"].pk
    response = ot.post(
        f"/practitioners/{me}/training/new/", {"course": "", **_date("completed_on", timezone.localdate())}
    )
    assert error_links(response) == {"Choose a course from the list": "#course"}
    ot.post(
        f"/practitioners/{me}/training/new/",
        {"course": "dementia_awareness", **_date("completed_on", timezone.localdate())},
    )
    assert "Dementia awareness In date" in main_text(ot.get(f"/practitioners/{me}/training/"))
    assert ot.get(f"/teams/{b.therapy_north.pk}/training/").status_code == 404
    assert (
        signed_in(b, "coordinator.north").get(f"/practitioners/{b.people['ot.south'].pk}/training/").status_code == 404
    )


def test_frailty_whose_score_is_out_of_its_band_is_refused_on_the_page_and_in_the_api(b):
    from joinedup.careplans.models import FrailtyRecord
    from tests.integration.api_client import api_as, field_of

    client = client_in(b)
    ot = signed_in(b, "ot.north")
    data = {"band": "mild", "efi_score": "0.40", "source": "GP record", **_date("assessed_on", timezone.localdate())}
    response = ot.post(f"/clients/{client.pk}/frailty/", data)
    assert error_links(response) == {"An eFI score of 0.40 is in the severe band": "#band"}
    response = ot.post(f"/clients/{client.pk}/frailty/", {**data, "band": "severe"})
    assert response.status_code == 302
    api = api_as(b, "ot.north")
    body = {"client_id": client.pk, "band": "extreme", "assessed_on": timezone.localdate().isoformat()}
    assert field_of(api.post("/care-plans/frailty", body)) == ["body", "band"]
    assert field_of(api.post("/care-plans/frailty", {**body, "band": "fit", "efi_score": "1.5"})) == [
        "body",
        "efi_score",
    ]
    assert FrailtyRecord.objects.filter(client=client).count() == 1


def test_a_meeting_that_is_not_in_the_schedule_is_not_found_and_nothing_is_made(b):
    series = series_for(b)
    coordinator = signed_in(b, "coordinator.north")
    wednesday = next_tuesday() + timedelta(days=1)
    for day in ("not-a-date", "2026-02-30", wednesday.isoformat()):  # broken, impossible, not a meeting day
        url = f"/mdt/series/{series.pk}/{day}/"
        assert coordinator.get(url).status_code == 404, day
        assert coordinator.post(url).status_code == 404, day
    outsider = signed_in(b, "ot.south")  # in no MDT: not found, whatever the day
    assert outsider.post(f"/mdt/series/{series.pk}/{next_tuesday().isoformat()}/").status_code == 404
    assert not Meeting.objects.exists()
