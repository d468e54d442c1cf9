"""Team and locality pages: any signed-in user may read the directory."""

from __future__ import annotations

from joinedup.tasks.services import create_task, due_in_working_days
from tests.integration.pages import main_text, signed_in


def test_a_team_page_shows_members_duty_worker_and_open_work(b):
    create_task(b.actor("ot.north"), title="Team job", due_at=due_in_working_days(1), owner_team_id=b.therapy_north.pk)
    create_task(
        b.actor("ot.north"),
        title="Own job",
        due_at=due_in_working_days(1),
        owner_practitioner_id=b.people["ot.north"].pk,
    )
    response = signed_in(b, "ot.north").get(f"/teams/{b.therapy_north.pk}/")
    page = main_text(response)
    assert "North Community Therapy" in page
    assert "Duty worker Ot Northson" in page
    assert "Hosted by Community Health" in page
    assert "Open tasks for the team 1 ( see them )" in page
    assert "Ot Northson Duty worker Occupational therapist Community Health 1" in page


def test_a_locality_page_shows_practices_teams_and_the_mdt(b):
    page = main_text(signed_in(b, "commissioner").get(f"/localities/{b.north.pk}/"))
    assert "North Surgery F84001" in page
    assert "North MDT" in page and "North Community Therapy" in page
    assert "South Surgery" not in page


def test_my_teams_and_unknown_directory_pages(b):
    browser = signed_in(b, "coordinator.north")
    page = main_text(browser.get("/teams/"))
    assert "North MDT" in page and "South" in page
    assert browser.get("/teams/999999/").status_code == 404
    assert browser.get("/localities/999999/").status_code == 404
