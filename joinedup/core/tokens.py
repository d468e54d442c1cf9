"""Bearer tokens for the API: created, listed, revoked and checked here.

A token is shown once, when it is created; only its SHA-256 is stored, with
its first characters (the prefix) to tell tokens apart in lists and to revoke
one. A token stops working when it expires, when it is revoked, or when its
practitioner is made inactive. Creating and revoking are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import SYSTEM, Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.core.models import ApiToken
from joinedup.core.rows import Columns, split
from joinedup.directory.models import Practitioner

# Recognisable by people and by secret scanners; the rest is 256 random bits.
TOKEN_MARK = "ju_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 12
MAX_TOKEN_DAYS = 366
# last_used_at is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The actor of token work done from the command line.
CLI = replace(SYSTEM, username="cli", channel="cli")


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def token_state(token: ApiToken) -> str:
    """active, expired or revoked."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= timezone.now():
        return "expired"
    return "active"


def practitioner_named(username: str) -> Practitioner:
    practitioner = Practitioner.objects.filter(username=username).first()
    if practitioner is None:
        raise NotFound("practitioner")
    return practitioner


def _checked(practitioner: Practitioner, name: str, days: int) -> None:
    if not practitioner.is_active:
        raise Refused(f"{practitioner.username} is not active: no token can be made for them")
    if len(name) > 100:
        raise ValidationError({"name": "Keep the token's name to 100 characters or fewer"})
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError({"days": f"A token lasts between 1 and {MAX_TOKEN_DAYS} days"})


def create_token(
    practitioner: Practitioner, name: str = "", days: int | None = None, *, actor: Actor = CLI
) -> tuple[str, ApiToken]:
    """A new token for this practitioner: (the plaintext, shown once; the stored row)."""
    days = settings.JOINEDUP_API_TOKEN_DAYS if days is None else days
    name = name.strip()
    _checked(practitioner, name, days)
    plaintext = TOKEN_MARK + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            practitioner=practitioner,
            name=name,
            token_hash=token_hash(plaintext),
            prefix=plaintext[:PREFIX_LENGTH],
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit.record(
            actor,
            "create",
            object_type="ApiToken",
            object_id=token.pk,
            reason="API token issued",
            detail={
                "practitioner": practitioner.username,
                "prefix": token.prefix,
                "name": name,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return plaintext, token


def revoke_token(prefix: str, *, actor: Actor = CLI) -> ApiToken:
    """Revoke the one token whose prefix (or whole text) this is."""
    prefix = prefix.strip()[:PREFIX_LENGTH]
    if len(prefix) < len(TOKEN_MARK) + 4:
        raise ValidationError({"prefix": "Give the token's prefix as `joinedup token list` shows it"})
    with transaction.atomic():
        matches = list(ApiToken.objects.select_for_update().filter(prefix__startswith=prefix)[:2])
        if not matches:
            raise NotFound("token")
        if len(matches) > 1:
            raise ValidationError({"prefix": "More than one token starts like this: give the whole prefix"})
        token = matches[0]
        if token.revoked_at is not None:
            raise Refused(f"Token {token.prefix} was already revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            "revoke",
            object_type="ApiToken",
            object_id=token.pk,
            reason="API token revoked",
            detail={"practitioner_id": token.practitioner_id, "prefix": token.prefix},
        )
    return token


def tokens_of(practitioner: Practitioner) -> list[ApiToken]:
    return list(ApiToken.objects.filter(practitioner=practitioner).order_by("-created_at", "-id"))


# The practitioner's whole row, as the ORM loads it, and the token's id and last use.
_PRACTITIONER = Columns(Practitioner, [field.name for field in Practitioner._meta.concrete_fields])
_TOKEN = Columns(ApiToken, ("id", "last_used_at"))


@cache
def _authenticate_sql(vendor: str) -> str:
    practitioner, token = Practitioner._meta.db_table, ApiToken._meta.db_table
    return (
        f"SELECT {_PRACTITIONER.select('p')}, {_TOKEN.select('t')} "  # noqa: S608
        f"FROM {practitioner} p JOIN {token} t ON t.practitioner_id = p.id "
        "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
    )


def _found(plaintext: str, now: datetime) -> tuple[Practitioner, int, datetime | None] | None:
    """The practitioner of a live token, the token's id and when it was last used; None if there is none."""
    with connection.cursor() as cursor:
        cursor.execute(
            _authenticate_sql(connection.vendor),
            [token_hash(plaintext), connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    person, token, _ = split(row, _PRACTITIONER, _TOKEN)
    used = _TOKEN.named(token)
    return _PRACTITIONER.instance(person), used["id"], used["last_used_at"]


def authenticate(plaintext: str) -> Practitioner | None:
    """The active practitioner this live token belongs to, or None.

    Written out as SQL: it runs on every API request, and building the same query with the ORM cost
    more than a millisecond of CPU each time (bench/profile_requests.py); the row becomes a
    Practitioner without the ORM's raw-query machinery (core.rows, ADR 0048).
    """
    if not plaintext or len(plaintext) > 200 or not plaintext.startswith(TOKEN_MARK):
        return None
    now = timezone.now()
    found = _found(plaintext, now)
    if found is None or not found[0].is_active:
        return None
    practitioner, token_id, used = found
    if used is None or now - used >= LAST_USED_RESOLUTION:
        # Conditional, so that concurrent requests write it once.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ApiToken.objects.filter(stale, pk=token_id).update(last_used_at=now)
    return practitioner
