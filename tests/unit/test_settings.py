"""Settings come from the environment; unsafe ones are refused at start-up."""

import os
import subprocess
import sys

import pytest

SAFE_KEY = "a-real-secret-key-that-is-long-enough-for-django-0123456789"


def start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JOINEDUP_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import joinedup.config.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_development_secret_key_is_refused_outside_development(environment):
    result = start(JOINEDUP_ENV=environment)
    assert result.returncode != 0
    assert "JOINEDUP_SECRET_KEY" in result.stderr


def test_production_needs_an_audit_key_and_refuses_debug():
    assert "JOINEDUP_AUDIT_KEY" in start(JOINEDUP_ENV="production", JOINEDUP_SECRET_KEY=SAFE_KEY).stderr
    debug = start(
        JOINEDUP_ENV="production", JOINEDUP_SECRET_KEY=SAFE_KEY, JOINEDUP_AUDIT_KEY="k" * 40, JOINEDUP_DEBUG="1"
    )
    assert "JOINEDUP_DEBUG" in debug.stderr


def test_an_unknown_environment_is_refused():
    assert "JOINEDUP_ENV" in start(JOINEDUP_ENV="staging").stderr


def test_database_url_chooses_the_database(tmp_path):
    assert start(DATABASE_URL="postgres://u@127.0.0.1:5432/x").stdout.strip() == "django.db.backends.postgresql"
    default = start(JOINEDUP_VAR_DIR=str(tmp_path))
    assert default.stdout.strip() == "django.db.backends.sqlite3"


def test_production_cookies_headers_and_hasher():
    probe = (
        "import joinedup.config.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY, s.PASSWORD_HASHERS[0])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JOINEDUP_", "DATABASE_URL"))}
    clean.update(JOINEDUP_ENV="production", JOINEDUP_SECRET_KEY=SAFE_KEY, JOINEDUP_AUDIT_KEY="k" * 40)
    result = subprocess.run([sys.executable, "-c", probe], env=clean, capture_output=True, text=True, check=True)
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "Lax",
        "31536000",
        "True",
        "same-origin",
        "joinedup.core.hashers.OwaspArgon2PasswordHasher",
    ]
