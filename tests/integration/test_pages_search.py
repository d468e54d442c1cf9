"""Find a client: by NHS number, or by name and date of birth; clear errors; emergency access offered."""

from __future__ import annotations

from joinedup.core.models import AuditEvent
from tests.factories import client_in
from tests.integration.pages import error_links, main_text, signed_in


def test_finds_a_client_by_nhs_number_typed_with_spaces(b):
    found = client_in(b, nhs_number="9990000018", family_name="Finder")
    response = signed_in(b, "ot.north").get("/clients/search/", {"nhs_number": "999 000 0018"})
    page = main_text(response)
    assert "1 client found" in page
    assert "Ada FINDER" in page and "North Surgery" in page
    assert f'href="/clients/{found.pk}/"' in response.content.decode()
    assert AuditEvent.objects.filter(action="search", actor_username="ot.north").exists()


def test_an_invalid_nhs_number_is_named_in_the_error_summary_and_at_the_field(b):
    response = signed_in(b, "ot.north").get("/clients/search/", {"nhs_number": "9990000019"})
    assert response.status_code == 200
    message = "This is not a valid NHS number: its check digit does not match"
    assert error_links(response) == {message: "#nhs_number"}
    assert 'id="nhs_number-error"' in response.content.decode()
    assert "clients found" not in main_text(response)
    assert "<title>Error: Find a client" in response.content.decode()


def test_an_empty_search_asks_for_something_to_search_by(b):
    response = signed_in(b, "ot.north").get("/clients/search/", {"nhs_number": "", "family_name": ""})
    assert error_links(response) == {"Enter an NHS number, or a family name or date of birth": "#nhs_number"}


def test_not_found_says_so_and_offers_emergency_access(b):
    client_in(b, locality="south", nhs_number="9990000026")
    response = signed_in(b, "ot.north").get("/clients/search/", {"nhs_number": "999 000 0026"})
    page = main_text(response)
    assert "0 clients found" in page
    assert "No client you work with matches" in page
    assert 'href="/clients/emergency-access/?nhs_number=9990000026"' in response.content.decode()


def test_emergency_access_is_not_offered_to_roles_without_it(b):
    response = signed_in(b, "volunteer").get("/clients/search/", {"nhs_number": "9990000026"})
    assert "0 clients found" in main_text(response)
    assert "emergency-access" not in response.content.decode()


def test_finds_by_family_name_and_date_of_birth(b):
    client_in(b, family_name="Dateborn")
    browser = signed_in(b, "ot.north")
    query = {
        "family_name": "dateborn",
        "date_of_birth[day]": "17",
        "date_of_birth[month]": "5",
        "date_of_birth[year]": "1940",
    }
    assert "Ada DATEBORN" in main_text(browser.get("/clients/search/", query))
    query["date_of_birth[year]"] = "1941"
    assert "0 clients found" in main_text(browser.get("/clients/search/", query))


def test_a_date_that_does_not_exist_is_an_error(b):
    query = {
        "family_name": "Anyone",
        "date_of_birth[day]": "31",
        "date_of_birth[month]": "2",
        "date_of_birth[year]": "1940",
    }
    response = signed_in(b, "ot.north").get("/clients/search/", query)
    assert error_links(response) == {"Date of birth must be a real date": "#date_of_birth-day"}
    partial = {"family_name": "Anyone", "date_of_birth[day]": "3", "date_of_birth[year]": "1940"}
    response = signed_in(b, "ot.north").get("/clients/search/", partial)
    assert error_links(response) == {"Date of birth must include a month": "#date_of_birth-day"}
