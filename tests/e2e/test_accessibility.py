"""axe-core finds no serious or critical accessibility problem; the CSP refuses nothing we send."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.conftest import DemoServer
from tests.e2e.pages import OT, caseload_clients, serious_violations, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    return errors


def test_sign_in_page_with_and_without_errors(page: Page, demo_server: DemoServer, console_errors: list[str]) -> None:
    page.goto("/sign-in/")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert serious_violations(page) == []
    assert console_errors == []


def test_pages_of_a_practitioners_day(page: Page, demo_server: DemoServer, console_errors: list[str]) -> None:
    sign_in(page, demo_server, OT)
    client = caseload_clients(page, 1)[0]
    record = client.href
    pages = [
        "/caseload/",
        f"/clients/search/?nhs_number={client.nhs_number.replace(' ', '')}",
        "/clients/search/?nhs_number=123",
        record,
        f"{record}timeline/",
        f"{record}access-history/",
        f"{record}needs/new/",
        f"{record}consent/",
        f"{record}accountability/",
        f"{record}edit/",
        f"{record}tasks/new/",
        "/clients/new/",
        "/clients/emergency-access/",
        "/tasks/",
        "/tasks/team/",
        "/notifications/",
        "/teams/",
    ]
    found = {}
    for path in pages:
        page.goto(path)
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
    assert console_errors == []


def test_forms_with_errors(page: Page, demo_server: DemoServer, console_errors: list[str]) -> None:
    sign_in(page, demo_server, OT)
    record = caseload_clients(page, 1)[0].href
    found = {}
    for path, button in [
        ("/clients/new/", "Register client"),
        (f"{record}needs/new/", "Record need"),
        (f"{record}consent/", "Record decision"),
        (f"{record}tasks/new/", "Create task"),
        ("/clients/emergency-access/", "See the record"),
    ]:
        page.goto(path)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
    assert console_errors == []
