"""Hospital pages: the follow-up worklists, feed exceptions, and a client's hospital journey.

Views parse, call hospital.queries and hospital.services (which scope, check and
audit), and render. Refusals read as the NHS design system's errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.core.pages import acting, page, pagination, query_int, render_page
from joinedup.hospital import queries, services
from joinedup.hospital.forms import DiscardForm, MatchForm
from joinedup.hospital.models import ExceptionStatus

TABS = {
    "due": ("Follow-up due", "hospital-due", "Clients discharged whose follow-up is still to do, soonest first."),
    "overdue": ("Overdue follow-ups", "hospital-overdue", "Follow-ups after discharge that are past their date."),
    "bounced": (
        "Bounced",
        "hospital-bounced",
        "Readmissions in the last 90 days that a follow-up should have prevented.",
    ),
}


def _worklist(request: HttpRequest, which: str) -> HttpResponse:
    actor = acting(request)
    number = query_int(request, "page", 1) or 1
    rows: list
    if which == "bounced":
        rows, more = queries.bounced(actor, page=number)
    else:
        rows, more = queries.follow_ups(actor, which, page=number)
    return render_page(
        request,
        "hospital/worklist.jinja",
        {
            "title": TABS[which][0],
            "which": which,
            "tabs": TABS,
            "rows": rows,
            "exceptions": queries.open_exception_count(actor),
            "pagination": pagination(request.GET, number, number > 1, more),
        },
    )


@page
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "due")


@page
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "overdue")


@page
@require_GET
def bounced(request: HttpRequest) -> HttpResponse:
    return _worklist(request, "bounced")


@page
@require_GET
def feed_exceptions(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    status = request.GET.get("status", ExceptionStatus.OPEN)
    if status not in ExceptionStatus.values:
        status = ExceptionStatus.OPEN
    number = query_int(request, "page", 1) or 1
    rows, more = queries.feed_exceptions(actor, status=status, page=number)
    return render_page(
        request,
        "hospital/feed_exceptions.jinja",
        {
            "title": "Feed exceptions",
            "rows": rows,
            "status": status,
            "statuses": ExceptionStatus.choices,
            "pagination": pagination(request.GET, number, number > 1, more),
        },
    )


def _render_exception(
    request: HttpRequest, exception_id: int, match: MatchForm | None = None, discard: DiscardForm | None = None
) -> HttpResponse:
    exception = queries.feed_exception(acting(request), exception_id)
    failed = bool((match and match.errors) or (discard and discard.errors))
    return render_page(
        request,
        "hospital/feed_exception.jinja",
        {
            "title": f"Feed exception {exception.pk}",
            "exception": exception,
            "matchable": exception.reason in services.MATCHABLE,
            "match_form": match or MatchForm(),
            "discard_form": discard or DiscardForm(),
            "page_error": failed,
        },
        status=400 if failed else 200,
    )


@page
@require_GET
def feed_exception(request: HttpRequest, exception_id: int) -> HttpResponse:
    return _render_exception(request, exception_id)


@page
@require_http_methods(["POST"])
def match(request: HttpRequest, exception_id: int) -> HttpResponse:
    form = MatchForm(request.POST)
    if form.is_valid():
        try:
            services.match_exception(
                acting(request), exception_id, form.cleaned_data["nhs_number"], form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The message was applied to the client.")
            return HttpResponseRedirect(reverse("feed-exceptions"))
    return _render_exception(request, exception_id, match=form)


@page
@require_http_methods(["POST"])
def discard(request: HttpRequest, exception_id: int) -> HttpResponse:
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            services.discard_exception(acting(request), exception_id, form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The message was discarded.")
            return HttpResponseRedirect(reverse("feed-exceptions"))
    return _render_exception(request, exception_id, discard=form)


@page
@require_GET
def journey(request: HttpRequest, client_id: int) -> HttpResponse:
    found = queries.journey(acting(request), client_id)
    return render_page(
        request,
        "hospital/journey.jinja",
        {"title": f"Hospital journey: {found.client.full_name}", "client": found.client, "journey": found},
    )
