"""Signing in and out, the home page, and the error pages (which reveal nothing)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from joinedup.core.forms import SignInForm
from joinedup.core.pages import acting, render_page

logger = logging.getLogger(__name__)


class SignInView(LoginView):
    template_name = "core/sign_in.jinja"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["signed_in"] = False
        return context


class SignOutView(LogoutView):
    next_page = "/sign-in/"


def home(request: HttpRequest) -> HttpResponse:
    """The caseload for those who work with clients, their tasks for everyone else."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("sign-in"))
    target = "caseload" if acting(request).works_with_clients else "my-tasks"
    return HttpResponseRedirect(reverse(target))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_page(request, "errors/404.jinja", {"title": "Page not found"}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_page(request, "errors/403.jinja", {"title": "You cannot see this page"}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No database, no user: whatever failed may fail again.
    try:
        return render(
            request,
            "errors/500.jinja",
            {"title": "Sorry, there is a problem with the service"},
            status=500,
        )
    except Exception:
        logger.exception("The error page itself failed")
        return HttpResponse(
            "Sorry, there is a problem with the service. Try again later.",
            status=500,
            content_type="text/plain",
        )


def sign_in_locked(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """Too many failed sign-ins for this username from this address (django-axes): 429, and when to try again."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render_page(
        request,
        "core/sign_in_locked.jinja",
        {"title": "Too many attempts to sign in", "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form came back without its token (settings.CSRF_FAILURE_VIEW): nothing was saved."""
    return render_page(request, "errors/csrf.jinja", {"title": "Your form was not sent"}, status=403)
