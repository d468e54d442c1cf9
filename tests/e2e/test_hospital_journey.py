"""The hospital feed in a real browser: the MDT's worklists and a client's hospital journey,
then the integration team's feed exceptions (the demo hospital's messages, applied by the feed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, DemoServer
from tests.e2e.pages import serious_violations, sign_in, sign_out

pytestmark = pytest.mark.e2e
IMAGES = Path(os.environ.get("JOINEDUP_SCREENSHOTS_DIR", ROOT / "test-results" / "screenshots"))
MDT_COORDINATOR = "mia.mdt"  # Northgate, where the demo hospital's story happens
INTEGRATION = "dan.discharge"  # the demo's feed integration team


def _shot(page: Page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / name), full_page=True)


def test_the_mdt_follows_discharges_and_bounces(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, demo_server, MDT_COORDINATOR)
    page.get_by_role("link", name="Hospital", exact=True).click()
    expect(page.get_by_role("heading", name="Hospital", level=1)).to_be_visible()
    page.get_by_role("link", name="Overdue follow-ups").click()
    overdue = page.locator("tbody tr")
    expect(overdue.first).to_contain_text("Memory review after discharge")
    expect(overdue.first).to_contain_text("Overdue")
    assert serious_violations(page) == []
    _shot(page, "hospital-worklist.png")

    page.get_by_role("link", name="Bounced").click()
    bounce = page.locator("tbody tr").first
    expect(bounce).to_contain_text("Readmitted")
    bounce.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Hospital journey")).to_be_visible()
    expect(page.get_by_text("Bounced back into hospital").first).to_be_visible()
    expect(page.get_by_text("New in this stay").first).to_be_visible()
    assert serious_violations(page) == []
    _shot(page, "hospital-journey.png")

    page.get_by_role("link", name="Back to the record").click()
    expect(page.locator("#flags")).to_contain_text("Bounced back into hospital")
    expect(page.locator("#hospital")).to_contain_text("In hospital since")
    sign_out(page)


def test_the_integration_team_resolves_feed_exceptions(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, demo_server, INTEGRATION)
    page.goto("/hospital/feed-exceptions/")
    expect(page.get_by_role("heading", name="Feed exceptions")).to_be_visible()
    rows = page.locator("tbody tr")
    before = rows.count()
    assert before >= 3
    page.locator("tbody tr", has_text="No NHS number").get_by_role("link").click()
    expect(page.get_by_role("heading", name="No NHS number")).to_be_visible()
    expect(page.locator("pre").first).to_contain_text("MSH|")
    assert serious_violations(page) == []
    _shot(page, "hospital-feed-exception.png")

    page.get_by_role("button", name="Discard the message").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the message is discarded")
    assert serious_violations(page) == []
    page.get_by_label("Why is this message discarded?").fill("A test patient sent by the trust's PAS team")
    page.get_by_role("button", name="Discard the message").click()
    expect(page.get_by_role("heading", name="Feed exceptions")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(before - 1)
    sign_out(page)
