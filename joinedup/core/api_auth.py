"""Bearer-token authentication for the API, and the acting practitioner of an API request.

`Authorization: Bearer ju_...` -> request.auth is the practitioner (request.user
too), and `api_actor(request)` is their Actor on the "api" channel: the same
access policy and audit as the pages, on another channel. A missing, wrong,
expired or revoked token, or an inactive practitioner, is a 401.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from joinedup.core import tokens
from joinedup.core.access import Actor, actor_for
from joinedup.directory.models import Practitioner

API_CHANNEL = "api"


class PractitionerBearer(HttpBearer):
    """A JoinedUp API token (`joinedup token create USERNAME`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Practitioner | None:
        practitioner = tokens.authenticate(token.strip())
        if practitioner is not None:
            # The token, not any session cookie sent alongside it, says who is acting.
            request.user = practitioner
        return practitioner


def api_actor(request: HttpRequest) -> Actor:
    """The Actor of an authenticated API request."""
    practitioner: Any = getattr(request, "auth", None)
    if not isinstance(practitioner, Practitioner):
        raise PermissionError("api_actor needs a request authenticated by PractitionerBearer")
    return actor_for(practitioner, channel=API_CHANNEL)
