"""A locality MDT meeting on a shared screen, in a real browser: from the proposed agenda to tasks.

Mia, Northgate's MDT coordinator, opens next Tuesday's meeting and finds its agenda proposed by the
rules (an open dispute, clients added by members, severe frailty, an overdue review); she confirms
an item, records who is here, starts the meeting, moves between clients with the keyboard, records
the discussion, the decision and an action, and closes the meeting; the minutes show it all, and the
action's owner finds it among her tasks.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, DemoServer
from tests.e2e.pages import serious_violations, sign_in, sign_out

pytestmark = pytest.mark.e2e
IMAGES = Path(os.environ.get("JOINEDUP_SCREENSHOTS_DIR", ROOT / "test-results" / "screenshots"))
COORDINATOR = "mia.mdt"
ACTION_OWNER = "olivia.ot"


def _accessible(page: Page, what: str) -> None:
    assert serious_violations(page) == [], what


def _shot(page: Page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=True)


def test_a_meeting_from_its_proposed_agenda_to_tasks(page: Page, demo_server: DemoServer) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text} {m.location}") if m.type == "error" else None)
    sign_in(page, demo_server, COORDINATOR)
    page.get_by_role("link", name="MDT meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MDT meetings")
    _accessible(page, "meetings")
    page.get_by_role("link", name=re.compile(r"^Northgate MDT, Tuesday")).first.click()

    # The agenda is already proposed, with the reasons.
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("Open disputes: Open dispute #")
    expect(agenda).to_contain_text("Added by a member: Olivia Okafor")
    expect(agenda).to_contain_text("Severe frailty")
    expect(agenda).to_contain_text("Overdue care plan reviews")
    expect(agenda).to_contain_text("Readmissions and bounces: Readmitted")  # whatever the weekday seeded
    expect(agenda).to_contain_text("Crises: Crisis on")
    _accessible(page, "meeting with its proposed agenda")
    _shot(page, "mdt-agenda")
    first = agenda.locator("ol > li").first
    client_name = first.get_by_role("link").first.inner_text().strip()
    first.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.locator("#agenda ol > li").first).to_contain_text("On the agenda")

    # Who is here, then start.
    attendance = page.locator("#attendance")
    attendance.get_by_role("checkbox", name=re.compile(r"^Mia Fletcher, ")).check()
    attendance.get_by_role("checkbox", name=re.compile(r"^Diane Marsh, ")).check()
    attendance.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_text("Attendance is recorded.")).to_be_visible()
    page.get_by_role("button", name="Start the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(client_name)
    _accessible(page, "the first client in the meeting")

    # The keyboard moves from client to client (htmx swaps the page; the name takes the focus).
    second = page.locator("a[data-meeting=next]").inner_text().removeprefix("Next: ")
    page.locator("body").press("n")
    expect(page.get_by_role("heading", level=1)).to_have_text(second)
    expect(page.locator("#client-heading")).to_be_focused()
    page.keyboard.press("p")
    expect(page.get_by_role("heading", level=1)).to_have_text(client_name)

    # Discussion, decision, and an action that becomes a task.
    page.get_by_label("Discussion").fill("Two falls at night; lives alone; daughter worried.")
    page.get_by_label("Decision").fill("Falls assessment at home this week.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The discussion and decision are recorded.")).to_be_visible()
    page.get_by_label("Action").fill("Falls assessment at home")
    owner = page.locator("#owner option", has_text="Olivia Okafor")
    page.locator("#owner").select_option(owner.get_attribute("value"))
    due = timezone.localdate() + timedelta(days=5)
    page.locator("#due_on-day").fill(str(due.day))
    page.locator("#due_on-month").fill(str(due.month))
    page.locator("#due_on-year").fill(str(due.year))
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions + ul, #actions ~ ul").first).to_contain_text(
        "Falls assessment at home: Olivia Okafor"
    )
    _accessible(page, "a client discussed, with an action")
    _shot(page, "mdt-meeting-client")

    # Close the meeting: the minutes.
    page.get_by_role("link", name=re.compile(r"^Northgate MDT$")).click()
    page.get_by_role("button", name="Close the meeting and make the minutes final").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Minutes: Northgate MDT")
    minutes = page.locator("main")
    expect(minutes).to_contain_text("Decision: Falls assessment at home this week.")
    expect(minutes).to_contain_text("Diane Marsh")
    _accessible(page, "minutes")
    _shot(page, "mdt-minutes")
    assert errors == [], errors
    sign_out(page)

    # The action's owner has it among her tasks.
    sign_in(page, demo_server, ACTION_OWNER)
    page.goto("/tasks/")
    expect(page.locator("main")).to_contain_text("Falls assessment at home")


def test_the_care_plan_and_visits_pages_are_accessible(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, demo_server, ACTION_OWNER)
    page.goto("/visits/")
    _accessible(page, "my visits")
    link = page.locator("main a[href*='/visits/']").first
    href = link.get_attribute("href") or ""
    client = href.split("/visits/")[0] + "/"
    for path in (
        "",
        "care-plan/",
        "care-plan/change/",
        "care-plan/review/",
        "care-team/",
        "visits/",
        "visits/new/",
        "frailty/",
    ):
        page.goto(client + path)
        expect(page.locator("h1")).to_be_visible()
        _accessible(page, client + path)
    page.goto(client + "care-plan/")
    _shot(page, "care-plan")
    page.goto("/training/")
    _accessible(page, "training")
