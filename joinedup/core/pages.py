"""What every page view shares: sign-in, the acting user, the page shell, and errors.

`@page` requires sign-in and turns the services' errors into answers:
NotFound becomes the 404 page (absent and out of scope look the same),
Refused becomes a page that says why, with status 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from joinedup.core.access import Actor, actor_for
from joinedup.core.errors import NotFound, Refused

if TYPE_CHECKING:
    from joinedup.directory.models import Practitioner

View = Callable[..., HttpResponse]


def acting(request: HttpRequest) -> Actor:
    """The Actor for the signed-in user of this request."""
    return actor_for(request.user, "page")


def signed_in_user(request: HttpRequest) -> Practitioner:
    """The practitioner signed in (every @page view has one)."""
    return cast("Practitioner", request.user)


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (to answer with the page it swaps a part of)."""
    return bool(getattr(request, "htmx", False))


def _header(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    from joinedup.handover.queries import worklist_counts  # the header's numbers from other apps
    from joinedup.tasks.queries import unread_count

    actor = acting(request)
    organisation = user.organisation.name if user.organisation_id else ""
    return {
        "signed_in": True,
        "actor": actor,
        "user_name": user.display_name,
        "organisation_name": organisation,
        "unread_count": unread_count(actor),
        "worklist": worklist_counts(actor) if actor.works_with_clients and actor.team_ids else None,
    }


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    """Render a page inside the layout, with the signed-in user's header."""
    full = {**_header(request), **(context or {})}
    return render(request, template, full, status=status)


def render_refusal(request: HttpRequest, message: str, *, title: str = "You cannot do this") -> HttpResponse:
    return render_page(request, "errors/refused.jinja", {"title": title, "message": message}, status=403)


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    """Off to sign in, and back here after. htmx is told to load the sign-in page whole,
    not to swap it into the part of the page it was updating."""
    if not is_htmx(request):
        return redirect_to_login(request.get_full_path())
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = current.path + (f"?{current.query}" if current.query else "") if current.path else "/"
    response = HttpResponse(status=204)
    response["HX-Redirect"] = f"{settings.LOGIN_URL}?{urlencode({REDIRECT_FIELD_NAME: back})}"
    return response


def page(view: View) -> View:
    """A page for signed-in users, with the services' errors shown the house way."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_sign_in(request)
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.what) from error
        except Refused as error:
            return render_refusal(request, str(error))

    return wrapper


def query_int(request: HttpRequest, name: str, default: int | None = None) -> int | None:
    """A whole number from the query string, or the default when absent or not a number."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else default


def pagination(query: QueryDict, number: int, has_previous: bool, has_next: bool) -> dict[str, Any]:
    """The NHS pagination component's previous and next links, keeping the other filters."""
    links: dict[str, Any] = {}
    for key, target, present in (
        ("previous", number - 1, has_previous),
        ("next", number + 1, has_next),
    ):
        if present:
            params = query.copy()
            params["page"] = str(target)
            links[key] = {"href": "?" + params.urlencode(), "labelText": f"Page {target}"}
    return links
