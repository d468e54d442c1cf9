"""Middleware that only pages need: the JSON API under /api/ goes straight past it (ADR 0048).

An API request is authenticated by its bearer token alone (core.api_auth), never by a session, so
sessions, the session's user, messages and the session's lifetime have nothing to do for it. Each
class here is the middleware it names, unchanged for every other request, in the same place of
MIDDLEWARE. What every answer needs (security headers, CSP, X-Frame-Options, no-store, the audit
count) and CSRF (cheap for the CSRF-exempt API operations, and still guarding the two that are not)
stay in front of both.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest

from joinedup.core.middleware import SessionLifetimeMiddleware

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class PageSessionMiddleware(SessionMiddleware):
    def __call__(self, request: HttpRequest) -> Any:
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)


class PageAuthenticationMiddleware(AuthenticationMiddleware):
    def __call__(self, request: HttpRequest) -> Any:
        if is_api(request):
            # Nobody until the bearer token says who (core.api_auth): no session is looked at.
            request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


class PageMessageMiddleware(MessageMiddleware):
    def __call__(self, request: HttpRequest) -> Any:
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)


class PageSessionLifetimeMiddleware(SessionLifetimeMiddleware):
    def __call__(self, request: HttpRequest) -> Any:
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)
