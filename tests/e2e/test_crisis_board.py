"""The crisis board live, in two browsers (issue 5, items 7 and 10).

An on-call nurse watches the Northgate board on a tablet; a GP raises a crisis at her desk for
someone the system has not met. Without reloading, the tablet's board shows it within the polling
interval; the nurse opens it and acknowledges; the GP sees who has it. axe finds no serious
problem on the way, and the screenshots are kept in test-results/screenshots/.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import ROOT, DemoServer
from tests.e2e.pages import serious_violations, sign_in

pytestmark = pytest.mark.e2e
IMAGES = Path(os.environ.get("JOINEDUP_SCREENSHOTS_DIR", ROOT / "test-results" / "screenshots"))
POLL_SECONDS = 10  # JOINEDUP_CRISIS_BOARD_POLL_SECONDS, the default
TABLET = {"width": 820, "height": 1180}  # a 10.9-inch tablet, upright
ON_CALL_NURSE, GP, MANAGER = "owen.oncall", "gita.gp", "rachel.manager"


def _context(browser: Browser, server: DemoServer, viewport: dict[str, int], *, touch: bool = False) -> BrowserContext:
    return browser.new_context(
        base_url=server.url, viewport=viewport, has_touch=touch, locale="en-GB", timezone_id="Europe/London"
    )


def _raise_for_someone_new(page: Page, family_name: str) -> str:
    page.goto("/crisis/new/")
    expect(page.get_by_role("heading", name="Raise a crisis")).to_be_visible()
    assert serious_violations(page) == [], "raise form"
    page.get_by_label("Fall without serious injury").check()
    page.locator("#needed").fill("Fell in the kitchen at 15:40, not hurt, cannot get up; lives alone")
    page.locator("#given_name").fill("Maud")
    page.locator("#family_name").fill(family_name)
    page.locator("#date_of_birth-day").fill("7")
    page.locator("#date_of_birth-month").fill("2")
    page.locator("#date_of_birth-year").fill("1937")
    page.locator("#gp_practice").select_option(label="Wharfside Surgery")
    page.get_by_role("button", name="Raise crisis").click()
    expect(page.locator(".nhsuk-notification-banner").get_by_text(re.compile(r"Crisis #\d+ raised"))).to_be_visible()
    return page.url


def test_a_crisis_raised_in_one_browser_appears_on_the_board_in_another(browser: Browser, demo_server: DemoServer):
    IMAGES.mkdir(parents=True, exist_ok=True)
    tablet, desk = (
        _context(browser, demo_server, TABLET, touch=True),
        _context(browser, demo_server, {"width": 1280, "height": 900}),
    )
    board, gp = tablet.new_page(), desk.new_page()
    try:
        sign_in(board, demo_server, ON_CALL_NURSE)
        board.goto("/crisis/?locality=northgate")
        expect(board.get_by_role("heading", name="Crisis board: Northgate")).to_be_visible()
        assert serious_violations(board) == [], "board"
        board.evaluate("window.boardNeverReloaded = true")

        sign_in(gp, demo_server, GP)
        family_name = f"Hartley{int(time.time()) % 100000}"
        crisis_url = _raise_for_someone_new(gp, family_name)
        raised_at = time.monotonic()

        row = board.get_by_role("link", name=re.compile(family_name.upper()))
        expect(row).to_be_visible(timeout=(POLL_SECONDS + 5) * 1000)
        assert time.monotonic() - raised_at <= POLL_SECONDS + 3, "later than the polling interval"
        assert board.evaluate("window.boardNeverReloaded") is True, "the board reloaded the whole page"
        # On a tablet: nothing to scroll sideways, and the crisis is a target large enough to touch.
        assert board.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = row.bounding_box()
        assert box is not None and box["height"] >= 24
        board.screenshot(path=str(IMAGES / "crisis-board-tablet.png"), full_page=True)
        assert serious_violations(board) == [], "board after the update"

        row.click()
        expect(board.get_by_role("heading", level=1)).to_have_text(re.compile(family_name.upper()))
        assert serious_violations(board) == [], "crisis page"
        board.get_by_role("button", name="Acknowledge: I have this crisis").click()
        expect(board.get_by_text(re.compile(r"You have crisis #\d+"))).to_be_visible()
        board.screenshot(path=str(IMAGES / "crisis-page-tablet.png"), full_page=True)

        gp.goto(crisis_url)
        acknowledged = gp.locator("#clock .nhsuk-summary-list__row", has_text="Acknowledged")
        expect(acknowledged).to_contain_text("by Owen Price")
        assert serious_violations(gp) == [], "the raiser's view"
    finally:
        tablet.close()
        desk.close()


def test_the_rotas_and_the_managers_report(page: Page, demo_server: DemoServer):
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, demo_server, MANAGER)
    page.goto("/crisis/rotas/")
    expect(page.get_by_role("heading", name="On-call rotas")).to_be_visible()
    assert serious_violations(page) == [], "rotas"
    page.get_by_role("link", name="Northgate, health").click()
    expect(page.get_by_role("heading", name=re.compile("Northgate: health on call"))).to_be_visible()
    assert serious_violations(page) == [], "a rota"
    page.get_by_role("button", name="Add to the rota").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert serious_violations(page) == [], "a rota with errors"
    page.goto("/crisis/report/?period=365")
    expect(page.get_by_role("heading", name="Crisis report")).to_be_visible()
    expect(page.locator("img[src^='data:image/svg+xml']")).to_have_count(3)
    assert serious_violations(page) == [], "report"
    page.screenshot(path=str(IMAGES / "crisis-report.png"), full_page=True)
