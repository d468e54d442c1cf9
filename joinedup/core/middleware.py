"""Pages that may show personal data must not be kept by browsers or proxies; sessions end on time."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


SIGNED_IN_AT = "joinedup_signed_in_at"


def note_sign_in(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """When the session began (user_logged_in): the absolute limit counts from here."""
    request.session[SIGNED_IN_AT] = time.time()


class SessionLifetimeMiddleware:
    """Ends a session JOINEDUP_SESSION_MAX_HOURS after sign-in, however busy it has been.

    The idle limit is Django's own (SESSION_COOKIE_AGE, renewed by every request).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            started = request.session.get(SIGNED_IN_AT)
            limit = settings.JOINEDUP_SESSION_MAX_HOURS * 3600
            if not isinstance(started, int | float) or time.time() - started > limit:
                request.joinedup_sign_out_reason = "session ended: signed in too long ago"  # type: ignore[attr-defined]
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
