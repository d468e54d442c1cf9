"""Signing in and out, and what is refused to those who are not signed in."""

from __future__ import annotations

import re

from django.test import Client

from tests.factories import PASSWORD
from tests.integration.pages import error_links, signed_in, text


def test_signing_in_goes_to_the_caseload(b):
    browser = Client()
    response = browser.post("/sign-in/", {"username": "ot.north", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/caseload/"
    assert "Ot Northson, Community Health" in text(response)
    assert "Sign out" in text(response)


def test_a_wrong_password_is_refused_with_an_error_summary(b):
    browser = Client()
    response = browser.post("/sign-in/", {"username": "ot.north", "password": "not-the-password"})
    assert response.status_code == 200
    assert error_links(response) == {"Enter a correct username and password": "#username"}
    assert "not-the-password" not in response.content.decode()
    assert browser.get("/caseload/").status_code == 302


def test_empty_sign_in_names_both_fields(b):
    response = Client().post("/sign-in/", {"username": "", "password": ""})
    assert error_links(response) == {
        "Enter your username": "#username",
        "Enter your password": "#password",
    }
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error: Sign in \u2013 JoinedUp</title>" in response.content.decode()


def test_every_page_needs_sign_in(b):
    browser = Client()
    for path in (
        "/caseload/",
        "/clients/search/",
        "/clients/1/",
        "/tasks/",
        "/notifications/",
        "/teams/1/",
    ):
        response = browser.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/sign-in/?next={path}"
    assert browser.get("/")["Location"] == "/sign-in/"


def test_home_sends_each_role_where_their_work_is(b):
    assert signed_in(b, "ot.north").get("/")["Location"] == "/caseload/"
    assert signed_in(b, "commissioner").get("/")["Location"] == "/tasks/"


def test_sign_out_is_a_post(b):
    browser = signed_in(b, "ot.north")
    assert browser.get("/sign-out/").status_code == 405
    assert browser.get("/caseload/").status_code == 200
    response = browser.post("/sign-out/")
    assert response["Location"] == "/sign-in/"
    assert browser.get("/caseload/").status_code == 302


def test_the_header_names_the_user_and_signs_out_with_a_csrf_token(b):
    response = signed_in(b, "sw.council").get("/caseload/")
    page = response.content.decode()
    form = re.search(r'<form[^>]*action="/sign-out/"[^>]*>(.*?)</form>', page, flags=re.S)
    assert form is not None and 'name="csrfmiddlewaretoken"' in form.group(1)
    assert "Sw Councilson, Council Adult Social Care" in text(response)
    for item in ("Caseload", "Find a client", "Tasks", "Notifications", "Teams"):
        assert f">{item}<" in page or f">{item} <" in page


def test_an_htmx_request_after_the_session_ended_loads_the_sign_in_page_whole(b):
    response = Client().post(
        "/clients/1/needs/new/", {}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/clients/1/"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/sign-in/?next=%2Fclients%2F1%2F"
