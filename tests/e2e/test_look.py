"""Screenshots of the caseload and the client record, 1280 wide, for the README (docs/images/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import ROOT, DemoServer
from tests.e2e.pages import OT, caseload_clients, sign_in

pytestmark = pytest.mark.e2e
# Screenshots go to test-results/ (ignored by git); JOINEDUP_SCREENSHOTS_DIR=docs/images refreshes the README's.
IMAGES = Path(os.environ.get("JOINEDUP_SCREENSHOTS_DIR", ROOT / "test-results" / "screenshots"))


def test_screenshots_of_caseload_and_record(page: Page, demo_server: DemoServer) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in(page, demo_server, OT)
    client = caseload_clients(page, 1)[0]
    page.screenshot(path=str(IMAGES / "caseload.png"))
    page.goto(client.href)
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.screenshot(path=str(IMAGES / "client-record.png"))
    for name in ("caseload.png", "client-record.png"):
        assert (IMAGES / name).stat().st_size > 20_000
