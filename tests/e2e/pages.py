"""Steps the browser tests share: signing in, finding clients, checking accessibility."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer

NHS_NUMBER = re.compile(r"\d{3} \d{3} \d{4}")
# The OT whose caseload the tests use, and an OT of another locality.
OT = "olivia.ot"
OTHER_LOCALITY_OT = "sam.ot"


@dataclass(frozen=True)
class ClientRow:
    name: str
    nhs_number: str
    href: str


def sign_in(page: Page, server: DemoServer, username: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to JoinedUp")).to_be_visible()


def caseload_clients(page: Page, count: int) -> list[ClientRow]:
    """The first clients on the caseload that have an NHS number."""
    page.goto("/caseload/")
    rows = page.locator("tbody tr").filter(has_text=NHS_NUMBER)
    found = []
    for index in range(count):
        row = rows.nth(index)
        link = row.get_by_role("link")
        found.append(
            ClientRow(
                name=link.inner_text().strip(),
                nhs_number=row.locator("td").nth(1).inner_text().strip(),
                href=link.get_attribute("href") or "",
            )
        )
    return found


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of serious or critical impact on the page as it is now."""
    results = Axe().run(page)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"] for n in v["nodes"]][:3],
        }
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
