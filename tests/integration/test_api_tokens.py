"""API bearer tokens: made, checked, expired, revoked; the CLI; 401 without a live token."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from joinedup.core import tokens
from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import ApiToken, AuditEvent
from tests.factories import PASSWORD, client_in


def test_only_the_hash_is_stored_and_the_token_authenticates(b):
    ot = b.people["ot.north"]
    plaintext, token = tokens.create_token(ot, "laptop", days=30)
    assert plaintext.startswith("ju_") and len(plaintext) > 40
    row = ApiToken.objects.values().get(pk=token.pk)
    assert row["token_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {str(value) for value in row.values()}
    assert row["prefix"] == plaintext[:12]
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert tokens.authenticate(plaintext) == ot


def test_default_lifetime_comes_from_settings(b, settings):
    settings.JOINEDUP_API_TOKEN_DAYS = 7
    _, token = tokens.create_token(b.people["ot.north"], "")
    assert token.expires_at - token.created_at == timedelta(days=7)


@pytest.mark.parametrize("wrong", ["", "ju_", "ju_nottherealtoken", "x" * 500, "Bearer ju_abc"])
def test_a_wrong_token_authenticates_nobody(b, wrong):
    tokens.create_token(b.people["ot.north"], "")
    assert tokens.authenticate(wrong) is None


def test_an_expired_token_is_refused(b):
    plaintext, _ = tokens.create_token(b.people["ot.north"], "", days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert tokens.authenticate(plaintext) is None


def test_a_revoked_token_is_refused_and_revoking_twice_says_so(b):
    plaintext, token = tokens.create_token(b.people["ot.north"], "")
    tokens.revoke_token(token.prefix)
    assert tokens.authenticate(plaintext) is None
    with pytest.raises(Refused):
        tokens.revoke_token(token.prefix)


def test_an_inactive_practitioner_cannot_use_or_get_a_token(b):
    ot = b.people["ot.north"]
    plaintext, _ = tokens.create_token(ot, "")
    ot.is_active = False
    ot.save()
    assert tokens.authenticate(plaintext) is None
    with pytest.raises(Refused):
        tokens.create_token(ot, "")


@pytest.mark.parametrize(("name", "days", "field"), [("x" * 101, 5, "name"), ("", 0, "days"), ("", 367, "days")])
def test_bad_token_requests_are_refused_and_store_nothing(b, name, days, field):
    with pytest.raises(ValidationError) as caught:
        tokens.create_token(b.people["ot.north"], name, days)
    assert field in caught.value.message_dict
    assert ApiToken.objects.count() == 0


def test_last_used_is_written_at_most_once_a_minute(b, django_assert_num_queries):
    plaintext, token = tokens.create_token(b.people["ot.north"], "")
    assert tokens.authenticate(plaintext) is not None
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the look-up only: no write
        tokens.authenticate(plaintext)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        tokens.authenticate(plaintext)
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_creating_and_revoking_are_audited_without_the_secret(b):
    plaintext, token = tokens.create_token(b.people["ot.north"], "laptop")
    tokens.revoke_token(token.prefix)
    events = list(AuditEvent.objects.filter(object_type="ApiToken", object_id=str(token.pk)))
    assert [event.action for event in events] == ["create", "revoke"]
    assert all(event.channel == "cli" for event in events)
    assert all(plaintext not in str(event.detail) and token.token_hash not in str(event.detail) for event in events)


def test_revoking_needs_a_prefix_that_names_one_token(b):
    with pytest.raises(ValidationError):
        tokens.revoke_token("ju_")
    with pytest.raises(NotFound):
        tokens.revoke_token("ju_doesnotexist")


# --- HTTP ---------------------------------------------------------------------------------


def _status_with(b, header: str | None) -> tuple[int, dict]:
    headers = {"Authorization": header} if header is not None else {}
    response = Client().get("/api/v1/tasks", headers=headers)
    return response.status_code, response.json()


def test_every_request_without_a_live_token_is_a_401(b):
    ot = b.people["ot.north"]
    live, _ = tokens.create_token(ot, "")
    revoked, revoked_row = tokens.create_token(ot, "")
    tokens.revoke_token(revoked_row.prefix)
    expired, _ = tokens.create_token(ot, "", days=1)
    assert _status_with(b, f"Bearer {live}")[0] == 200
    for header in (
        None,
        "",
        "Bearer",
        f"Basic {live}",
        "Bearer ju_wrong",
        f"Bearer {revoked}",
        live,
    ):
        assert _status_with(b, header) == (401, {"detail": "Unauthorized"}), header
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert _status_with(b, f"Bearer {expired}")[0] == 401


def test_a_page_session_is_not_an_api_credential(b):
    browser = Client()
    assert browser.post("/sign-in/", {"username": "ot.north", "password": PASSWORD}).status_code == 302
    assert browser.get("/api/v1/tasks").status_code == 401


def test_the_token_decides_who_acts_even_with_another_session(b):
    client = client_in(b)  # north: ot.north may see it, ot.south may not
    browser = Client()
    assert browser.post("/sign-in/", {"username": "ot.south", "password": PASSWORD}).status_code == 302
    plaintext, _ = tokens.create_token(b.people["ot.north"], "")
    response = browser.get(f"/api/v1/clients/{client.pk}", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(channel="api", client_id=client.pk).get()
    assert event.actor_username == "ot.north"


# --- the command line ----------------------------------------------------------------------


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_token_create_prints_the_token_once(b):
    out, err = _run("create", "ot.north", "--name", "integration", "--days", "5")
    plaintext = out.strip()
    assert tokens.authenticate(plaintext) == b.people["ot.north"]
    assert plaintext not in err and "cannot be shown again" in err
    token = ApiToken.objects.get()
    assert token.name == "integration" and token.expires_at - token.created_at == timedelta(days=5)


def test_token_list_shows_prefixes_and_states_never_tokens(b):
    plaintext, token = tokens.create_token(b.people["ot.north"], "laptop")
    _, revoked = tokens.create_token(b.people["ot.north"], "old phone")
    tokens.revoke_token(revoked.prefix)
    out, _ = _run("list", "ot.north")
    assert token.prefix in out and "laptop" in out and "active" in out and "revoked" in out
    assert plaintext not in out and token.token_hash not in out
    assert "has no API tokens" in _run("list", "ot.south")[0]


def test_token_revoke_by_prefix(b):
    plaintext, token = tokens.create_token(b.people["ot.north"], "")
    out, _ = _run("revoke", token.prefix)
    assert token.prefix in out
    assert tokens.authenticate(plaintext) is None


@pytest.mark.parametrize(
    "args",
    [
        ("create", "nobody"),
        ("list", "nobody"),
        ("revoke", "ju_nosuchtoken"),
        ("create", "ot.north", "--days", "0"),
    ],
)
def test_token_command_errors_are_plain_messages(b, args):
    with pytest.raises(CommandError):
        _run(*args)
    assert ApiToken.objects.count() == 0


def test_the_joinedup_script_runs_the_token_command(b, capsys, monkeypatch):
    from django.db import connections

    from joinedup.__main__ import main

    # A command run from the command line closes its connections when done: not the test's.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    main(["joinedup", "token", "create", "ot.north", "--days", "3"])
    plaintext = capsys.readouterr().out.strip()
    assert tokens.authenticate(plaintext) == b.people["ot.north"]


def test_writes_with_a_token_need_no_csrf_token_and_a_session_alone_writes_nothing(b):
    client = client_in(b)
    plaintext, _ = tokens.create_token(b.people["ot.north"], "")
    strict = Client(enforce_csrf_checks=True)
    body = '{"category": "housing", "description": "Damp"}'
    response = strict.post(
        f"/api/v1/clients/{client.pk}/needs",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert response.status_code == 201
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(b.people["ot.north"])
    response = browser.post(f"/api/v1/clients/{client.pk}/needs", body, content_type="application/json")
    assert response.status_code == 401
