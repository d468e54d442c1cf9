"""Pages about clients: the caseload, finding and registering clients, and the client record.

Views parse, authorise and call clients.queries and clients.services, which
scope and audit every read and write: there is no ORM access to client data here.
The pages that change a record are in clients.change_views.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.careplans.queries.record import record_care
from joinedup.clients import queries, services
from joinedup.clients.forms import CaseloadForm, NeedForm, NewClientForm, SearchForm, with_members
from joinedup.clients.presentation import RecordPage
from joinedup.core.forms import PageForm
from joinedup.core.nhs_number import is_valid, normalise
from joinedup.core.pages import (
    acting,
    page,
    pagination,
    query_int,
    render_page,
    render_refusal,
    signed_in_user,
)
from joinedup.directory.queries import teams_of, who_is_who
from joinedup.handover.queries import client_referrals
from joinedup.hospital.queries import record_summary as hospital_summary
from joinedup.tasks.queries import client_tasks


@page
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    form = CaseloadForm(request.GET or None, teams=teams_of(signed_in_user(request)))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    result = queries.caseload(
        actor,
        team_id=int(filters["team"]) if filters.get("team") else None,
        mine=bool(filters.get("mine")),
        query=filters.get("q", ""),
        sort=filters.get("sort") or "name",
        page=query_int(request, "page", 1) or 1,
    )
    return render_page(
        request,
        "clients/caseload.jinja",
        {
            "title": "Caseload",
            "form": form,
            "page": result,
            "pagination": pagination(request.GET, result.number, result.has_previous, result.has_next),
            "filtered": bool(filters.get("q") or filters.get("mine") or filters.get("team")),
        },
    )


@page
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    form = SearchForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        try:
            found = queries.search(actor, **form.cleaned_data)
        except queries.SearchError as error:
            form.add_error(error.field, str(error))
    nhs_number = form.cleaned_data.get("nhs_number", "") if form.is_bound and not form.errors else ""
    return render_page(
        request,
        "clients/search.jinja",
        {
            "title": "Find a client",
            "form": form,
            "found": found,
            "emergency_nhs_number": normalise(nhs_number) if nhs_number and is_valid(nhs_number) else "",
            "may_use_emergency_access": actor.may_use_emergency_access,
        },
    )


def _new_client(form: NewClientForm) -> services.NewClient:
    data = form.cleaned_data
    return services.NewClient(
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        gp_practice=data["gp_practice"].pk,
        accountable_team=data["team"],
        lead_professional=data["lead"],
        nhs_number=data["nhs_number"] or None,
        sex=data["sex"],
        address=data["address"],
        postcode=data["postcode"],
        phone=data["phone"],
    )


@page
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    if not actor.works_with_clients:
        return render_refusal(request, "Your role does not include registering clients.")
    teams = with_members(teams_of(signed_in_user(request)))
    if not teams:
        return render_refusal(
            request,
            "You are not a member of any team, so no team could be accountable.",
            title="Join a team first",
        )
    form = NewClientForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(actor, _new_client(form))
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"{client.full_name} is registered.")
            return HttpResponseRedirect(reverse("client-record", args=[client.pk]))
    return render_page(request, "clients/new.jinja", {"title": "Register a client", "form": form})


def render_record(request: HttpRequest, client_id: int, need_form: PageForm | None = None) -> HttpResponse:
    actor = acting(request)
    record = queries.client_record(actor, client_id)
    view = RecordPage(record=record, tasks=client_tasks(actor, client_id), actor=actor)
    return render_page(
        request,
        "clients/record.jinja",
        {
            "title": record.client.full_name,
            "view": view,
            "client": record.client,
            "referrals": client_referrals(actor, record.client),
            "hospital": hospital_summary(record.client),
            "flags": queries.open_flags(record),
            "care": record_care(actor, record.client, record.relationship),
            "need_form": need_form or NeedForm(),
            "page_error": bool(need_form and need_form.errors),
        },
    )


@page
@require_GET
def record(request: HttpRequest, client_id: int) -> HttpResponse:
    return render_record(request, client_id)


@page
@require_GET
def timeline(request: HttpRequest, client_id: int) -> HttpResponse:
    client, events = queries.timeline(acting(request), client_id)
    return render_page(
        request,
        "clients/timeline.jinja",
        {
            "title": f"Timeline: {client.full_name}",
            "client": client,
            "events": events,
        },
    )


@page
@require_GET
def access_history(request: HttpRequest, client_id: int) -> HttpResponse:
    client, events = queries.access_history(acting(request), client_id)
    people, organisations = who_is_who(
        {e.actor_id for e in events if e.actor_id}, {e.actor_organisation for e in events if e.actor_organisation}
    )
    return render_page(
        request,
        "clients/access_history.jinja",
        {
            "title": f"Who has seen this record: {client.full_name}",
            "client": client,
            "events": events,
            "people": people,
            "organisations": organisations,
        },
    )
