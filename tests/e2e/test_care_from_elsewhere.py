"""Care from elsewhere in a real browser: another system's care plan, goal and care team, imported with
`joinedup import-fhir`, on the client's record and care plan page, marked with where they came from."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, DemoServer
from tests.e2e.pages import OT, OTHER_LOCALITY_OT, caseload_clients, serious_violations, sign_in, sign_out
from tests.elsewhere_bundles import bundle, care_plan

pytestmark = pytest.mark.e2e
IMAGES = Path(os.environ.get("JOINEDUP_SCREENSHOTS_DIR", ROOT / "test-results" / "screenshots"))


def test_a_plan_and_care_team_from_another_system_show_on_the_record(
    page: Page, demo_server: DemoServer, tmp_path: Path
) -> None:
    sign_in(page, demo_server, OT)
    client = caseload_clients(page, 3)[2]  # not the clients the other journeys change
    sent = bundle(care_plan("cp-earlier", status="completed", title="Falls prevention",
                            period={"start": "2023-04-01", "end": "2023-09-30"}))  # fmt: skip
    sent["entry"][0]["resource"]["identifier"][0]["value"] = client.nhs_number.replace(" ", "")
    path = tmp_path / "from-riverside.json"
    path.write_text(json.dumps(sent))
    output = demo_server.run("import-fhir", str(path), "--no-progress", "--workers", "0")
    assert "2 care plans, 1 goals, 4 care team members" in " ".join(output.split()), output

    page.goto(client.href)
    care = page.locator("#care")
    expect(care).to_contain_text("Care plan from another system: Memory care plan")
    expect(care).to_contain_text("1 earlier plan from other systems")
    team = page.locator("#care-team")
    expect(team).to_contain_text("From other systems")
    expect(team.locator("tr", has_text="Nia Nurseson")).to_contain_text("Community psychiatric nurse")
    expect(team.locator("tr", has_text="Nia Nurseson")).to_contain_text("Riverside Mental Health")
    assert serious_violations(page) == []
    IMAGES.mkdir(parents=True, exist_ok=True)
    team.screenshot(path=str(IMAGES / "record-care-team-from-elsewhere.png"))
    care.screenshot(path=str(IMAGES / "record-care-from-elsewhere.png"))

    page.get_by_role("link", name="See the care plans from other systems").click()
    expect(page.get_by_role("heading", name="Care plans from other systems")).to_be_visible()
    card = page.locator(".nhsuk-card", has_text="Care plan from another system: Memory care plan")
    expect(card.locator(".nhsuk-summary-list")).to_contain_text("Walk to the park with my grandson")
    expect(page.get_by_text("1 earlier care plan from other systems")).to_be_visible()
    assert serious_violations(page) == []
    page.locator("#elsewhere").scroll_into_view_if_needed()
    page.screenshot(path=str(IMAGES / "care-plan-from-elsewhere.png"), full_page=True)
    sign_out(page)

    sign_in(page, demo_server, OTHER_LOCALITY_OT)  # another locality's OT: no relationship, not found
    response = page.goto(client.href.rstrip("/") + "/care-plan/")
    assert response is not None and response.status == 404
    sign_out(page)
