"""The access alerts pages: the list, one alert with what happened that day, acknowledge and close."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from joinedup.core.access import Actor
from joinedup.core.forms import PageForm
from joinedup.core.pages import acting, page, pagination, query_int, render_page
from joinedup.governance import queries, services
from joinedup.governance.forms import AcknowledgeForm, CloseForm
from joinedup.governance.models import AccessAlert

FILTERS = (("open", "Open"), ("acknowledged", "Acknowledged"), ("closed", "Closed"), ("all", "All"))


@page
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    found = queries.alert_list(
        acting(request), status=request.GET.get("status", "open"), page=query_int(request, "page", 1) or 1
    )
    return render_page(
        request,
        "governance/alerts.jinja",
        {
            "title": "Access alerts",
            "found": found,
            "filters": FILTERS,
            "pages": pagination(request.GET, found.number, found.number > 1, found.has_next),
        },
    )


def _render(request: HttpRequest, alert_id: int, failed: str = "", form: PageForm | None = None) -> HttpResponse:
    view = queries.alert_view(acting(request), alert_id)
    return render_page(
        request,
        "governance/alert.jinja",
        {
            "title": f"Access alert: {view.alert.rule_label}",
            "view": view,
            "acknowledge_form": form if failed == "acknowledge" and form else AcknowledgeForm(),
            "close_form": form if failed == "close" and form else CloseForm(),
            "failed": failed,
        },
        status=400 if failed else 200,
    )


@page
@require_GET
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _render(request, alert_id)


Change = Callable[[Actor, int, str | None], AccessAlert]


def _change(request: HttpRequest, alert_id: int, form: PageForm, change: Change, done: str) -> HttpResponse:
    failed = "acknowledge" if isinstance(form, AcknowledgeForm) else "close"
    if form.is_valid():
        note = form.cleaned_data["note" if failed == "acknowledge" else "finding"]
        try:
            change(acting(request), alert_id, note)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("access-alert", args=[alert_id]))
    return _render(request, alert_id, failed, form)


@page
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    form = AcknowledgeForm(request.POST)
    return _change(request, alert_id, form, services.acknowledge_alert, "The alert is acknowledged.")


@page
@require_POST
def close(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _change(request, alert_id, CloseForm(request.POST), services.close_alert, "The alert is closed.")
