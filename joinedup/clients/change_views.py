"""Pages that change a client's record: needs, consent, accountability, details, emergency access.

Each parses its form, lets the service decide (it scopes, checks and audits),
and shows the service's refusals on the form. Bad input changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.clients import queries, services
from joinedup.clients.forms import (
    AccountabilityForm,
    ClientDetailsForm,
    ConsentForm,
    EmergencyAccessForm,
    NeedForm,
    NeedStatusForm,
    all_teams,
    with_members,
)
from joinedup.clients.models import Client
from joinedup.clients.presentation import answers_for
from joinedup.clients.views import render_record
from joinedup.core.access import relationship_to
from joinedup.core.nhs_number import is_valid, normalise
from joinedup.core.pages import acting, is_htmx, page, render_page, render_refusal

GET_POST = ["GET", "POST"]


def _to_record(request: HttpRequest, client_id: int, section: str, done: str = "") -> HttpResponse:
    if done and not is_htmx(request):
        messages.success(request, done)
    return HttpResponseRedirect(reverse("client-record", args=[client_id]) + f"#{section}")


@page
@require_http_methods(GET_POST)
def new_need(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_need(actor, client_id, form.cleaned_data["category"], form.cleaned_data["description"])
        except ValidationError as error:
            form.apply(error)
        else:
            return _to_record(request, client_id, "needs", "The need is recorded.")
    if is_htmx(request):
        return render_record(request, client_id, need_form=form)
    client, _ = queries.visible_client(actor, client_id, what="need form")
    return render_page(
        request,
        "clients/need_form.jinja",
        {"title": "Record a need", "client": client, "form": form},
    )


@page
@require_POST
def need_status(request: HttpRequest, client_id: int, need_id: int) -> HttpResponse:
    form = NeedStatusForm(request.POST)
    if not form.is_valid():
        return render_refusal(request, form.error_text("status") or "", title="The need was not changed")
    need = services.update_need_status(acting(request), client_id, need_id, form.cleaned_data["status"])
    return _to_record(request, client_id, "needs", f"The need is now {need.get_status_display().lower()}.")


@page
@require_http_methods(GET_POST)
def consent(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_consent(actor, client_id, form.cleaned_data["decision"], form.cleaned_data["note"])
        except ValidationError as error:
            form.apply(error)
        else:
            return _to_record(request, client_id, "consent", "The consent decision is recorded.")
    client, _ = queries.visible_client(actor, client_id, what="consent form")
    return render_page(
        request,
        "clients/consent.jinja",
        {"title": "Consent to share", "client": client, "form": form},
    )


@page
@require_http_methods(GET_POST)
def accountability(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    client, _ = queries.visible_client(actor, client_id, what="accountability form")
    if not answers_for(actor, client):
        return render_refusal(
            request,
            "Only the accountable team or the locality MDT can change who is accountable for a client.",
            title="You cannot change who is accountable",
        )
    form = AccountabilityForm(
        request.POST or None,
        teams=with_members(all_teams()),
        initial={"team": client.accountable_team_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.change_accountability(
                actor,
                client_id,
                int(data["team"]),
                int(data["lead"]) if data["lead"] else None,
                data["reason"],
            )
        except ValidationError as error:
            form.apply(error)
        else:
            return _after_handing_over(request, changed.client, changed.team.name)
    return render_page(
        request,
        "clients/accountability.jinja",
        {
            "title": "Change who is accountable",
            "client": client,
            "form": form,
        },
    )


def _after_handing_over(request: HttpRequest, client: Client, team: str) -> HttpResponse:
    """Back to the record, or to the caseload when the change took the record out of sight."""
    if relationship_to(acting(request), client) is not None:
        return _to_record(request, client.pk, "accountability", "Who is accountable has changed.")
    messages.success(request, f"{team} is now accountable for {client.full_name}. You no longer work with this client.")
    return HttpResponseRedirect(reverse("caseload"))


def _details(client: Client) -> dict[str, Any]:
    values = {name: getattr(client, name) for name in services.EDITABLE_FIELDS if name != "gp_practice"}
    values["gp_practice"] = client.gp_practice_id
    values["nhs_number"] = client.nhs_number or ""
    return values


def _changes(form: ClientDetailsForm, before: dict[str, Any]) -> dict[str, Any]:
    after = {name: form.cleaned_data[name] for name in before}
    after["gp_practice"] = after["gp_practice"].pk
    number = after["nhs_number"].strip()
    after["nhs_number"] = normalise(number) if is_valid(number) else number
    changed = {name: value for name, value in after.items() if value != before[name]}
    if "nhs_number" in changed:
        changed["nhs_number"] = changed["nhs_number"] or None
    return changed


@page
@require_http_methods(GET_POST)
def edit(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    client, _ = queries.visible_client(actor, client_id, what="details form")
    before = _details(client)
    form = ClientDetailsForm(request.POST or None, initial=before)
    if request.method == "POST" and form.is_valid():
        changes = _changes(form, before)
        if not changes:
            return _to_record(request, client_id, "details", "Nothing was changed.")
        try:
            services.update_client(actor, client_id, changes)
        except ValidationError as error:
            form.apply(error)
        else:
            return _to_record(request, client_id, "details", "The client's details are updated.")
    return render_page(request, "clients/edit.jinja", {"title": "Change details", "client": client, "form": form})


def _grant(request: HttpRequest, form: EmergencyAccessForm, client_id: int | None) -> int | None:
    """Use emergency access as asked: the client's id, or None with the form's errors set."""
    if client_id is None:
        found = queries.client_by_nhs_number_for_emergency(form.cleaned_data["nhs_number"])
        if found is None:
            form.add_error("nhs_number", "No client with this NHS number is recorded in JoinedUp")
            return None
        client_id = found.pk
    try:
        services.use_emergency_access(acting(request), client_id, form.cleaned_data["reason"])
    except ValidationError as error:
        form.apply(error)
        return None
    return client_id


@page
@require_http_methods(GET_POST)
def emergency_access(request: HttpRequest, client_id: int | None = None) -> HttpResponse:
    if not acting(request).may_use_emergency_access:
        return render_refusal(
            request,
            "Your role does not allow emergency access to client records. Ask the "
            "client's accountable team, or the on-call service, for what you need.",
            title="You cannot use emergency access",
        )
    form = EmergencyAccessForm(
        request.POST or None,
        with_nhs_number=client_id is None,
        initial={"nhs_number": request.GET.get("nhs_number", "")},
    )
    if request.method == "POST" and form.is_valid():
        granted = _grant(request, form, client_id)
        if granted is not None:
            return HttpResponseRedirect(reverse("client-record", args=[granted]))
    return render_page(
        request,
        "clients/emergency_access.jinja",
        {
            "title": "Emergency access to a record",
            "form": form,
            "client_id": client_id,
        },
    )
