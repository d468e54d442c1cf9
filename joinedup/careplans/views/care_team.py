"""The care team page (add and take off members) and asking the locality MDT to discuss a client."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.careplans.forms import CareTeamForm, ReasonForm
from joinedup.careplans.queries.care_team import care_team
from joinedup.careplans.queries.elsewhere import care_from_elsewhere
from joinedup.careplans.rules.plans import may_edit_plan
from joinedup.careplans.services import care_team as services
from joinedup.careplans.services import meetings
from joinedup.careplans.views.plans import directory_choices
from joinedup.clients.queries import visible_client
from joinedup.core.errors import Refused
from joinedup.core.pages import acting, page, render_page

GET_POST = ["GET", "POST"]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _page(request: HttpRequest, client_id: int, form: CareTeamForm, end_form: ReasonForm | None = None) -> HttpResponse:
    actor = acting(request)
    client, reason = visible_client(actor, client_id, what="care team")
    return render_page(
        request,
        "careplans/care_team.jinja",
        {
            "title": f"Care team: {client.full_name}",
            "client": client,
            "rows": care_team(client),
            "elsewhere": care_from_elsewhere(actor, client, reason, plans=False),
            "form": form,
            "end_form": end_form or ReasonForm(),
            "may_edit": may_edit_plan(actor.roles, reason),
            "page_error": bool(form.errors or (end_form and end_form.errors)),
        },
    )


@page
@require_http_methods(GET_POST)
def team(request: HttpRequest, client_id: int) -> HttpResponse:
    teams, people = directory_choices()
    form = CareTeamForm(request.POST or None, teams=teams, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_member(
                acting(request),
                client_id,
                role=data["role"],
                practitioner_id=_int(data["practitioner"]),
                team_id=_int(data["team"]),
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "Added to the care team. They can now read the record and the care plan.")
            return HttpResponseRedirect(reverse("care-team", args=[client_id]))
    return _page(request, client_id, form)


@page
@require_POST
def end(request: HttpRequest, client_id: int, member_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.end_member(acting(request), client_id, member_id, form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "Taken off the care team.")
            return HttpResponseRedirect(reverse("care-team", args=[client_id]))
    teams, people = directory_choices()
    return _page(request, client_id, CareTeamForm(teams=teams, people=people), form)


@page
@require_http_methods(GET_POST)
def request_discussion(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    client, _ = visible_client(actor, client_id, what="MDT request")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.request_discussion(actor, client_id, form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, f"{client.full_name} will be proposed for the next {client.locality.name} MDT.")
            return HttpResponseRedirect(reverse("client-record", args=[client_id]) + "#care")
    return render_page(
        request,
        "careplans/mdt_request.jinja",
        {
            "title": f"Ask the MDT to discuss {client.full_name}",
            "client": client,
            "form": form,
            "page_error": bool(form.errors),
        },
    )
