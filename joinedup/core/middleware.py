"""Pages that may show personal data must not be kept by browsers or proxies; sessions end on time."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from joinedup.core.audit import written_in_request


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class AuditCountMiddleware:
    """Says in a response header how many audit events the request wrote (X-Audit-Events).

    Installed only with JOINEDUP_AUDIT_COUNT_HEADER=1, for the load test (bench/load_test.py): the
    log must then grow by the sum over the answered requests, however many run at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counted = [0]
        token = written_in_request.set(counted)
        try:
            response = self.get_response(request)
        finally:
            written_in_request.reset(token)
        response.headers["X-Audit-Events"] = str(counted[0])
        return response


SIGNED_IN_AT = "joinedup_signed_in_at"
RENEWED_AT = "joinedup_renewed_at"


def note_sign_in(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """When the session began (user_logged_in): the absolute limit counts from here."""
    request.session[SIGNED_IN_AT] = time.time()


class SessionLifetimeMiddleware:
    """Ends a session JOINEDUP_SESSION_MAX_HOURS after sign-in, however busy it has been, and
    renews its idle limit (SESSION_COOKIE_AGE) as it is used.

    The idle limit is renewed at most once every JOINEDUP_SESSION_RENEW_SECONDS rather than by every
    request (SESSION_SAVE_EVERY_REQUEST): a write transaction for each page read cost more than
    the read itself. An idle session so ends between 30 minutes less that interval and 30 minutes
    after its last request, never later.
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
        response = self.get_response(request)
        self._renew(request)
        return response

    @staticmethod
    def _renew(request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is None or session.modified or user is None or not user.is_authenticated:
            return  # a modified session is saved, and so renewed, anyway
        if session.session_key is None or SESSION_KEY not in session:
            return  # signed in by an API token, not by this session: no session to renew, none to make
        renewed = session.get(RENEWED_AT)
        now = time.time()
        if not isinstance(renewed, int | float) or now - renewed >= settings.JOINEDUP_SESSION_RENEW_SECONDS:
            session[RENEWED_AT] = now
