"""Error pages reveal nothing; the pages send no inline script or style; views read no models."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client, RequestFactory

from joinedup.core import views
from tests.factories import client_in
from tests.integration.pages import main_text, signed_in

ROOT = Path(__file__).resolve().parents[2]


def test_an_unknown_address_is_page_not_found_without_details(b):
    response = signed_in(b, "ot.north").get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in main_text(response)
    assert "Traceback" not in page and "urlpatterns" not in page and "DEBUG" not in page


def test_the_server_error_page_says_sorry_and_nothing_more():
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "Traceback" not in page and "Sign out" not in page


def test_the_forbidden_page(b):
    request = RequestFactory().get("/")
    request.user = b.people["ot.north"]
    response = views.forbidden(request)
    assert response.status_code == 403 and "You cannot see this page" in response.content.decode()


def test_sign_in_without_a_csrf_token_is_refused(b):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/sign-in/", {"username": "ot.north", "password": "x"})
    assert response.status_code == 403


def test_pages_carry_no_inline_script_or_style_and_a_strict_csp(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    for path in ("/caseload/", f"/clients/{client.pk}/", "/clients/search/?nhs_number=1", "/tasks/"):
        response = browser.get(path)
        page = response.content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], path
        assert " style=" not in page and "<style" not in page, path
        assert re.findall(r"<[^>]+\son[a-z]+=", page) == [], path
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert response["Cache-Control"] == "no-store"


def test_views_read_no_models_directly():
    """Views parse, authorise and call queries and services: no `.objects` in them."""
    for path in sorted(ROOT.glob("joinedup/*/*views.py")):
        assert ".objects" not in path.read_text(), path


def test_the_csrf_failure_page_says_nothing_was_saved(b):
    request = RequestFactory().post("/")
    request.user = b.people["ot.north"]
    response = views.csrf_failure(request, reason="CSRF token missing")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Nothing has been saved" in page and "CSRF token missing" not in page
