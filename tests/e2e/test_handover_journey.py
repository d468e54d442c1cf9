"""A full handover between two organisations' practitioners, in a real browser.

A community nurse of the community health trust refers a client of her caseload to
the community mental health team of her locality (another organisation); a mental
health practitioner of that team accepts it from his inbox; the client's record then
shows the mental health team accountable, and the nurse is told.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, DemoServer
from tests.e2e.pages import caseload_clients, serious_violations, sign_in, sign_out

pytestmark = pytest.mark.e2e
# Screenshots go to test-results/ (ignored by git); JOINEDUP_SCREENSHOTS_DIR=docs/images refreshes the README's.
IMAGES = Path(os.environ.get("JOINEDUP_SCREENSHOTS_DIR", ROOT / "test-results" / "screenshots"))

REQUEST = "Please take over his care: low mood and not eating since his wife died; he has spoken of ending his life."
GAPS = {
    "needs_mental_health": "Low mood, poor sleep, 4 kg weight loss since March. Not known to mental health services.",
    "needs_social_care": "Lives alone; his daughter shops weekly. Struggling with meals.",
    "risk_falls": "Two falls at home this year; uses a stick.",
    "risk_self_neglect": "Not eating regularly; the house is cold.",
    "risk_safeguarding": "None known.",
    "risk_lone_working": "None known.",
    "medication": "Sertraline 50 mg from the GP; he manages his own tablets with a dosette box.",
    "what_matters": "“I want to stay in my own home and see my grandchildren.”",
    "next_of_kin_and_carer": "Daughter, Emma, 07700 900123: his main support.",
    "needs_physical_health": "Frailty: moderate.",
    "others_involved": "District nursing.",
    "consent_or_lawful_basis": "He agreed to this referral on the phone today.",
}


@dataclass(frozen=True)
class Pair:
    nurse: dict[str, Any]
    mental_health: dict[str, Any]
    team: str  # the mental health practitioner's community mental health team


def _pair(server: DemoServer) -> Pair:
    """From the demo accounts: a community nurse or OT of the community health trust, and a mental
    health practitioner of the mental health trust's community team in the same locality."""
    people = server.accounts
    # Nurses first: the other browser tests use the first OT's caseload.
    ranked = sorted(people, key=lambda person: person["profession"] != "Community nurse")
    for nurse in ranked:
        community = "Community Health" in nurse["organisation"]
        if nurse["profession"] not in ("Community nurse", "Occupational therapist") or not community:
            continue
        for worker in people:
            teams = [t for t in worker["teams"] if "Community Mental Health" in t]
            if (
                worker["profession"] == "Mental health practitioner"
                and "Mental Health" in worker["organisation"]
                and nurse["locality"] is not None
                and worker["locality"] == nurse["locality"]
                and teams
            ):
                return Pair(nurse, worker, teams[0])
    raise AssertionError("The demo borough has no nurse and mental health practitioner in one locality")


def _no_serious_violations(page: Page, what: str) -> None:
    assert serious_violations(page) == [], what


def test_a_nurse_hands_a_client_over_to_the_mental_health_team(page: Page, demo_server: DemoServer) -> None:
    pair = _pair(demo_server)
    nurse, worker = pair.nurse["username"], pair.mental_health["username"]

    # The nurse opens a client of her caseload and refers him: the form is prefilled.
    sign_in(page, demo_server, nurse)
    client = caseload_clients(page, 1)[0]
    page.goto(client.href)
    page.get_by_role("link", name=f"Refer {client.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refer {client.name}")
    expect(page.get_by_text(re.compile(r"\d+ of 15 answers are filled in from the record"))).to_be_visible()
    expect(page.locator("#others_involved")).to_have_value(re.compile(r"\(accountable\)"))
    _no_serious_violations(page, "refer form")

    team_option = page.locator("#receiving_team option", has_text=pair.team)
    page.locator("#receiving_team").select_option(team_option.get_attribute("value"))
    page.get_by_label("Transfer of care").check()
    page.get_by_label("Urgent").check()
    page.locator("#request").fill(REQUEST)
    page.get_by_role("button", name="Send referral").click()

    # Sent with gaps: the error summary names each item; the draft keeps what was typed.
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("^Risk of falls: answer this"))).to_be_visible()
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    expect(page.locator("#request")).to_have_value(REQUEST)
    _no_serious_violations(page, "refer form with errors")
    summary.get_by_role("link", name=re.compile("^Risk of falls")).click()
    expect(page.locator("#risk_falls")).to_be_focused()

    for key, text in GAPS.items():
        box = page.locator(f"#{key}")
        if not box.input_value().strip():
            box.fill(text)
    for key, reason in (("mental_capacity", "Not assessed; no concern raised"), ("access_to_home", "Ask his daughter")):
        page.locator(f"#{key}_not_known").check()
        page.locator(f"#{key}_reason").fill(reason)
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_text(f"Referral sent to {pair.team}.")).to_be_visible()
    referral_url = page.url
    sign_out(page)

    # The mental health practitioner finds it in his inbox, with the time left.
    sign_in(page, demo_server, worker)
    page.get_by_role("link", name=re.compile("^Referrals")).click()
    referral_path = referral_url.removeprefix(demo_server.url)
    row = page.locator("tbody tr").filter(has=page.locator(f'a[href="{referral_path}"]'))
    expect(row).to_contain_text(client.name)
    expect(row).to_contain_text(re.compile(r"(minutes?|hours?|days?) left"))
    expect(row).to_contain_text(re.compile(r"From \w"))
    _no_serious_violations(page, "inbox")

    # One page: the referral, every answer, and the client's record.
    row.get_by_role("link", name=client.name).click()
    assert page.url == referral_url
    expect(page.get_by_role("heading", level=1)).to_have_text(client.name)
    information = page.locator("#information")
    expect(information).to_contain_text(REQUEST)
    expect(information).to_contain_text("Not known: Ask his daughter")
    record = page.locator("#client")
    expect(record).to_contain_text(client.nhs_number)
    expect(record).to_contain_text("Accountable team")
    expect(page.locator("#referral-status")).to_contain_text("Sent")
    _no_serious_violations(page, "referral page")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "referral.png"), full_page=True)  # for the README

    # He accepts, naming himself lead: htmx swaps the panel and the state in place.
    actions = page.locator("#actions")
    lead = actions.locator("#lead option", has_text=pair.mental_health["name"])
    actions.locator("#lead").select_option(lead.get_attribute("value"))
    actions.get_by_role("button", name="Accept referral").click()
    expect(page.locator("#actions")).to_contain_text(f"{pair.team} accepted this referral")
    expect(page.locator("#referral-status")).to_contain_text("Accepted")
    expect(page.locator("#history")).to_contain_text("Accepted")
    assert page.url == referral_url
    _no_serious_violations(page, "referral page, accepted")

    # The record now shows the mental health team accountable, with him as lead.
    page.get_by_role("link", name=f"Open the full record of {client.name}").click()
    accountability = page.locator("#accountability")
    expect(accountability).to_contain_text(pair.team)
    expect(accountability).to_contain_text(pair.mental_health["name"])
    sign_out(page)

    # The nurse is told.
    sign_in(page, demo_server, nurse)
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_role("link", name=re.compile(rf"^{re.escape(pair.team)} accepted referral #"))).to_be_visible()
