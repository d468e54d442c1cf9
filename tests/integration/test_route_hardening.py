"""Every route of the access matrix, again, for what holds whoever asks: a GET changes no data, a page
form sent without its CSRF token is refused and changes nothing, and every answer carries the
security headers (a strict CSP that forbids framing, nosniff, a referrer policy, no-store)."""

from __future__ import annotations

import pytest
from django.test import Client as Browser

from joinedup.directory.models import Practitioner
from tests.access_matrix_routes import ROUTES, admin_route
from tests.hospital_factories import feed_settings
from tests.integration.test_access_matrix import build_world, data_digest, filled, routes, url_for

# The personas whose GETs are checked for writes: one with a relationship, one refused, staff.
READERS = ("legitimate", "emergency", "other_org", "administrator")


def declared() -> list[tuple[str, str]]:
    return [(name, path) for name, path in routes() if name in ROUTES.routes or admin_route(name) is not None]


@pytest.mark.parametrize("persona", READERS)
@feed_settings
def test_no_get_changes_data_and_every_answer_carries_the_security_headers(b, persona):
    world = build_world(b)
    browser = world.browsers[persona]
    wrong = []
    for name, path in declared():
        for route in ROUTES.routes.get(name) or admin_route(name) or ():
            if route.method != "GET":
                continue
            params = {**world.values, **filled(route.params, world.values)}
            url = url_for(path, params, name) + filled(route.query, world.values)
            headers = {}
            if url.startswith(("/api/", "/fhir/")):
                headers["Authorization"] = f"Bearer {world.tokens[persona]}"
            before = data_digest()
            response = browser.get(url, headers=headers)
            if data_digest() != before:
                wrong.append(f"GET {url} ({name}) changed data for {persona}")
            csp = response.get("Content-Security-Policy", "")
            if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp:
                wrong.append(f"GET {url} ({name}): no strict Content-Security-Policy ({csp!r})")
            if response.get("X-Content-Type-Options") != "nosniff":
                wrong.append(f"GET {url} ({name}): no X-Content-Type-Options: nosniff")
            if response.get("Referrer-Policy") != "same-origin":
                wrong.append(f"GET {url} ({name}): no Referrer-Policy")
            if response.get("Cache-Control") != "no-store" and "no-store" not in response.get("Cache-Control", ""):
                wrong.append(f"GET {url} ({name}): may be stored ({response.get('Cache-Control')!r})")
    assert not wrong, "\n".join(wrong)


@feed_settings
def test_every_page_form_refuses_a_request_without_its_csrf_token_and_changes_nothing(b):
    """As the legitimate persona, who may send most of them: the token, not the permission, refuses.
    (The JSON API and FHIR take bearer tokens, not cookies: no CSRF there, see ADR 0012.)"""
    world = build_world(b)
    browser = Browser(enforce_csrf_checks=True, raise_request_exception=False)
    browser.force_login(Practitioner.objects.get(username="ot.north"))
    checked, wrong = 0, []
    for name, path in declared():
        for route in ROUTES.routes.get(name, ()):
            if route.method == "GET" or not route.form:
                continue
            url = url_for(path, world.values, name)
            before = data_digest()
            response = browser.post(url, filled(route.body or {}, world.values))
            checked += 1
            if response.status_code != 403:
                wrong.append(f"POST {url} ({name}) without a CSRF token: {response.status_code}")
            elif data_digest() != before:
                wrong.append(f"POST {url} ({name}) without a CSRF token changed data")
    assert checked > 60 and not wrong, "\n".join(wrong)
