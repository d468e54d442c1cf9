"""The caseload: the clients my teams answer for, filtered, sorted and paged, without N+1 reads."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import client_in
from tests.integration.pages import main_text, signed_in


def test_shows_my_teams_clients_only(b):
    mine = client_in(b, nhs_number="9990000018", family_name="Northcott")
    client_in(b, locality="south", nhs_number="9990000026", family_name="Southey")
    page = main_text(signed_in(b, "ot.north").get("/caseload/"))
    assert "Ada NORTHCOTT" in page
    assert "999 000 0018" in page
    assert "17 May 1940" in page
    assert "North Community Therapy" in page
    assert "Ot Northson" in page
    assert "SOUTHEY" not in page
    assert f'href="/clients/{mine.pk}/"' in signed_in(b, "ot.north").get("/caseload/").content.decode()


def test_a_client_without_a_lead_shows_the_duty_worker(b):
    client_in(b, lead=False, family_name="Nolead")
    page = main_text(signed_in(b, "ot.north").get("/caseload/"))
    assert "Duty worker: Ot Northson" in page
    assert "Not yet known" in page  # no NHS number


def test_filters_by_name_and_by_lead(b):
    client_in(b, family_name="Abbott")
    client_in(b, family_name="Baker", lead=False)
    browser = signed_in(b, "ot.north")
    page = main_text(browser.get("/caseload/?q=abb"))
    assert "Ada ABBOTT" in page and "BAKER" not in page
    page = main_text(browser.get("/caseload/?mine=1"))
    assert "Ada ABBOTT" in page and "BAKER" not in page
    page = main_text(browser.get("/caseload/?q=zzz"))
    assert "No clients match" in page


def test_sorts_and_pages(b):
    for index in range(26):
        client_in(b, family_name=f"Person{index:02d}")
    browser = signed_in(b, "ot.north")
    first = main_text(browser.get("/caseload/?sort=name"))
    assert "PERSON00" in first and "PERSON25" not in first
    assert "Page 2" in first
    second = browser.get("/caseload/?sort=name&page=2")
    assert "PERSON25" in main_text(second) and "PERSON00" not in main_text(second)
    assert 'href="?sort=name&amp;page=1"' in second.content.decode()


def test_choosing_a_team_that_is_not_mine_shows_no_one_elses_clients(b):
    client_in(b, locality="south", family_name="Southey")
    response = signed_in(b, "ot.north").get(f"/caseload/?team={b.therapy_south.pk}")
    assert "SOUTHEY" not in main_text(response)


def _reads(browser) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/caseload/").status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "core_auditevent" not in q["sql"]
    )


def test_reading_the_caseload_does_not_grow_with_the_clients_on_it(b):
    """No N+1: the reads are the same for 2 clients and for 12 (audit writes aside)."""
    browser = signed_in(b, "ot.north")
    for _ in range(2):
        client_in(b, lead=False)
    few = _reads(browser)
    for _ in range(10):
        client_in(b)
    assert _reads(browser) == few


def test_roles_without_client_records_have_no_caseload(b):
    client_in(b)
    page = main_text(signed_in(b, "commissioner").get("/caseload/"))
    assert "Your role does not include client records" in page
    assert "Ada " not in page
