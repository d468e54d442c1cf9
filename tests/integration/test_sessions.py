"""Sessions and sign-in: new session at sign-in, sessions that end (sign-out, disabled user, idle,
absolute), throttled sign-in with every attempt in the audit log, and argon2id at OWASP's strength."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from joinedup.core.audit import verify_chain
from joinedup.core.models import AuditEvent
from joinedup.directory.models import Practitioner
from tests.factories import PASSWORD

SIGN_IN = "/sign-in/"


def sign_in(browser: Client, username: str = "ot.north", password: str = PASSWORD):
    return browser.post(SIGN_IN, {"username": username, "password": password})


def sign_in_events() -> list[tuple[str, str, str]]:
    rows = AuditEvent.objects.filter(action__in=("sign_in", "sign_out")).order_by("id")
    return [(e.action, e.outcome, e.actor_username) for e in rows]


def test_signing_in_gives_a_new_session_id(b):
    browser = Client()
    browser.get(SIGN_IN)
    browser.session.save()
    before = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert sign_in(browser).status_code == 302
    after = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert sign_in_events() == [("sign_in", "success", "ot.north")]


def test_signing_out_ends_the_session_at_once(b):
    browser = Client()
    sign_in(browser)
    stolen = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert browser.post("/sign-out/").status_code == 302
    assert not Session.objects.filter(session_key=stolen).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get("/caseload/").status_code == 302
    assert ("sign_out", "success", "ot.north") in sign_in_events()


def test_disabling_a_practitioner_ends_their_session_at_the_next_request(b):
    browser = Client()
    sign_in(browser)
    assert browser.get("/caseload/").status_code == 200
    Practitioner.objects.filter(username="ot.north").update(is_active=False)
    response = browser.get("/caseload/")
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_an_idle_session_ends_after_30_minutes(b):
    browser = Client()
    sign_in(browser)
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert browser.get("/caseload/").status_code == 200  # and renews it
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 29)):
        assert browser.get("/caseload/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 29 + 31)):
        assert browser.get("/caseload/").status_code == 302


def test_the_idle_limit_is_renewed_at_most_once_a_minute_and_never_ends_later_than_30_minutes(b):
    browser = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(browser)
    session = Session.objects.get()

    def expiry_after_request_at(seconds: int):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            assert browser.get("/tasks/").status_code == 200
        return Session.objects.get(pk=session.pk).expire_date

    renewed = expiry_after_request_at(1)  # the first request after sign-in renews
    assert renewed == start + timedelta(seconds=1 + settings.SESSION_COOKIE_AGE)
    assert expiry_after_request_at(30) == renewed  # within the minute: no write
    assert expiry_after_request_at(61) == start + timedelta(seconds=61 + settings.SESSION_COOKIE_AGE)
    # However the requests fall, the session lasts at least 29 and at most 30 minutes after the last one.
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        assert browser.get("/tasks/").status_code == 200
    expiry = Session.objects.get(pk=session.pk).expire_date - (start + timedelta(seconds=100))
    assert timedelta(minutes=29) <= expiry <= timedelta(minutes=30)


def test_a_busy_session_still_ends_12_hours_after_sign_in(b):
    browser = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(browser)
    for minutes in range(25, 12 * 60, 25):  # a request every 25 minutes: never idle
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert browser.get("/tasks/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = browser.get("/tasks/")
    assert response.status_code == 302 and response["Location"] == f"{SIGN_IN}?next=/tasks/"
    assert sign_in_events()[-1] == ("sign_out", "success", "ot.north")
    assert AuditEvent.objects.filter(action="sign_out").latest("id").reason.startswith("session ended")


def test_repeated_failures_pause_sign_in_with_a_429_and_every_attempt_is_audited(b):
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(browser, password="wrong-password-123").status_code == 200
    locking = sign_in(browser, password="wrong-password-123")
    assert locking.status_code == 429
    assert "Too many attempts to sign in" in locking.content.decode()
    assert int(locking["Retry-After"]) == 15 * 60
    # Even the right password is refused meanwhile, and says nothing of whether it was right.
    refused = sign_in(browser)
    assert refused.status_code == 429
    assert browser.get("/caseload/").status_code == 302
    # One event per attempt: the failures, then the one that locked and the one refused meanwhile.
    limit = settings.AXES_FAILURE_LIMIT
    assert (
        sign_in_events()
        == [("sign_in", "refused", "sign-in")] * (limit - 1) + [("sign_in", "locked_out", "sign-in")] * 2
    )
    assert AuditEvent.objects.filter(action="sign_in", outcome="refused").latest("id").detail["username"] == (
        "ot.north"
    )
    assert verify_chain().ok
    # Another colleague from the same address is not locked out by it.
    assert sign_in(Client(), "ot.south").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(browser).status_code == 302


def test_the_password_never_reaches_the_audit_log(b):
    sign_in(Client(), password="my-secret-guess-42")
    assert not AuditEvent.objects.filter(detail__icontains="my-secret-guess-42").exists()
    assert "my-secret-guess-42" not in str(list(AuditEvent.objects.values_list("detail", "reason")))


def test_argon2id_is_the_hasher_with_at_least_owasp_parameters():
    hasher = get_hasher("argon2")
    assert isinstance(hasher, Argon2PasswordHasher)
    assert settings.PASSWORD_HASHERS[-2] == "joinedup.core.hashers.OwaspArgon2PasswordHasher"
    encoded = hasher.encode("a long enough password", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    decoded = hasher.decode(encoded)
    # OWASP password storage cheat sheet: argon2id, m >= 19 MiB, t >= 2, p >= 1.
    assert decoded["memory_cost"] >= 19 * 1024 and decoded["time_cost"] >= 2 and decoded["parallelism"] >= 1


def test_a_hash_made_with_other_argon2_parameters_still_signs_in_and_is_rehashed(b, settings):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = ["joinedup.core.hashers.OwaspArgon2PasswordHasher"]
    old = Argon2PasswordHasher()
    Practitioner.objects.filter(username="ot.north").update(password=make_password(PASSWORD, hasher=old))
    assert sign_in(Client()).status_code == 302
    decoded = get_hasher("argon2").decode(Practitioner.objects.get(username="ot.north").password)
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (19 * 1024, 2, 1)


def test_an_api_request_with_a_token_makes_no_session(b):
    from tests.integration.api_client import api_as

    api = api_as(b, "ot.north")
    for _ in range(2):
        response = api.get("/clients", {"family_name": "Anyone"})
        assert response.status_code == 200 and "sessionid" not in response.cookies
    assert not Session.objects.exists()
