"""The flags page of a client: see open and closed flags, raise one, close one with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.clients import flags, queries
from joinedup.clients.forms import CloseFlagForm, RaiseFlagForm
from joinedup.core.pages import acting, page, render_page


def _render(
    request: HttpRequest,
    client_id: int,
    form: RaiseFlagForm | None = None,
    close: CloseFlagForm | None = None,
    closing: int | None = None,
) -> HttpResponse:
    client, found = queries.client_flags(acting(request), client_id, include_closed=True)
    failed = bool((form and form.errors) or (close and close.errors))
    return render_page(
        request,
        "clients/flags.jinja",
        {
            "title": f"Flags: {client.full_name}",
            "client": client,
            "flags": found,
            "form": form or RaiseFlagForm(),
            "close_form": close or CloseFlagForm(),
            "closing": closing,
            "page_error": failed,
        },
        status=400 if failed else 200,
    )


@page
@require_http_methods(["GET", "POST"])
def client_flags(request: HttpRequest, client_id: int) -> HttpResponse:
    if request.method != "POST":
        return _render(request, client_id)
    form = RaiseFlagForm(request.POST)
    if form.is_valid():
        try:
            raised = flags.raise_flag(acting(request), client_id, form.cleaned_data["code"], form.cleaned_data["text"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The flag is raised." if raised.created else "A flag of this kind was open.")
            return HttpResponseRedirect(reverse("client-flags", args=[client_id]))
    return _render(request, client_id, form=form)


@page
@require_POST
def close_flag(request: HttpRequest, client_id: int, flag_id: int) -> HttpResponse:
    form = CloseFlagForm(request.POST)
    if form.is_valid():
        try:
            flags.close_flag(acting(request), client_id, flag_id, form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The flag is closed.")
            return HttpResponseRedirect(reverse("client-flags", args=[client_id]))
    return _render(request, client_id, close=form, closing=flag_id)
