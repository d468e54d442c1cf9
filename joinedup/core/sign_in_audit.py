"""Every sign-in attempt, success, lock-out and sign-out goes to the audit log.

Connected to Django's authentication signals in CoreConfig.ready, so that the
admin's sign-in and the service's are logged alike. Attempts are also counted by
django-axes, which refuses further attempts for a while after repeated failures
(settings: AXES_*).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from joinedup.core import audit
from joinedup.core.access import SYSTEM, actor_for

SIGN_IN = replace(SYSTEM, username="sign-in", channel="page")
_USERNAME_MAX = 150


def _client_address(request: HttpRequest | None) -> str:
    return str(getattr(request, "META", {}).get("REMOTE_ADDR", ""))[:45] if request is not None else ""


def signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(
            actor_for(user, "page"),
            "sign_in",
            object_type="Practitioner",
            object_id=user.pk,
            reason="signed in with username and password",
            detail={"address": _client_address(request)},
        )


def sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    if getattr(request, "axes_locked_out", False):
        return  # refused before the password was checked: `locked_out` records it
    username = str(credentials.get("username", ""))[:_USERNAME_MAX]
    with transaction.atomic():
        audit.record(
            SIGN_IN,
            "sign_in",
            object_type="Practitioner",
            object_id=username,
            outcome="refused",
            reason="wrong username or password",
            detail={"username": username, "address": _client_address(request)},
        )


def signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit.record(
            actor_for(user, "page"),
            "sign_out",
            object_type="Practitioner",
            object_id=user.pk,
            reason=getattr(request, "joinedup_sign_out_reason", "signed out"),
        )


def locked_out(sender: Any, request: HttpRequest | None = None, username: str = "", **kwargs: Any) -> None:
    username = str(username or "")[:_USERNAME_MAX]
    with transaction.atomic():
        audit.record(
            SIGN_IN,
            "sign_in",
            object_type="Practitioner",
            object_id=username,
            outcome="locked_out",
            reason="too many failed attempts: sign-in refused for a while",
            detail={"username": username, "address": _client_address(request)},
        )
