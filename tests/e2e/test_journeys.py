"""A practitioner's journeys through JoinedUp in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer
from tests.e2e.pages import OT, OTHER_LOCALITY_OT, caseload_clients, sign_in

pytestmark = pytest.mark.e2e


def test_find_a_client_by_nhs_number_and_change_their_needs(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, demo_server, OT)
    client = caseload_clients(page, 1)[0]

    page.get_by_role("link", name="Find a client").click()
    page.get_by_label("NHS number").fill(client.nhs_number.replace(" ", ""))
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 client found")).to_be_visible()
    page.get_by_role("link", name=client.name).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(client.name)
    expect(page.get_by_text("You can see this record because: member of the accountable team")).to_be_visible()
    accountability = page.locator("#accountability")
    expect(accountability.get_by_text("Since")).to_be_visible()

    needs = page.locator("#needs")
    needs.get_by_role("button", name="Record need").click()
    expect(needs.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#needs .nhsuk-error-summary")).to_be_focused()
    expect(needs.get_by_role("link", name="Choose the kind of need")).to_be_visible()

    description = "Needs a perching stool to wash at the sink"
    needs = page.locator("#needs")
    needs.get_by_label("Kind of need").select_option(label="Personal care")
    needs.get_by_label("Describe the need").fill(description)
    needs.get_by_role("button", name="Record need").click()
    row = page.locator("#needs tr", has_text=description)
    expect(row).to_be_visible()
    expect(page.locator("#needs .nhsuk-error-summary")).to_have_count(0)
    assert page.url == demo_server.url + client.href  # updated in place by htmx: no page load

    row.get_by_role("button", name=re.compile("^Mark as met")).click()
    closed = page.locator("#needs details", has_text="Needs met or no longer needed")
    closed.locator("summary").click()
    expect(closed.locator("tr", has_text=description)).to_contain_text("Met")

    page.reload()
    expect(page.locator("#timeline")).to_contain_text("Need (Personal care) now met")


def test_another_localitys_practitioner_gets_page_not_found(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, demo_server, OT)
    client = caseload_clients(page, 1)[0]
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, demo_server, OTHER_LOCALITY_OT)
    response = page.goto(client.href)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text(client.name)).to_have_count(0)
    for part in ("timeline/", "access-history/", "needs/new/", "consent/", "edit/", "tasks/new/"):
        response = page.goto(client.href + part)
        assert response is not None and response.status == 404, part


def test_emergency_access_asks_for_a_reason_then_opens_the_record(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, demo_server, OT)
    client = caseload_clients(page, 2)[1]  # not the client the other tests use
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, demo_server, OTHER_LOCALITY_OT)
    page.get_by_role("link", name="Find a client").click()
    page.get_by_label("NHS number").fill(client.nhs_number)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="0 clients found")).to_be_visible()
    page.get_by_role("link", name="Use emergency access").click()

    expect(page.get_by_label("NHS number")).to_have_value(client.nhs_number.replace(" ", ""))
    page.get_by_role("button", name="See the record").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Give the reason for emergency access")).to_be_visible()

    page.get_by_label("Why do you need to see this record now?").fill(
        "Called out overnight: the client fell at home and their own team is closed"
    )
    page.get_by_role("button", name="See the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(client.name)
    expect(page.get_by_text("You are using emergency access until")).to_be_visible()
