"""Pages of the crisis pathway: the board (live with htmx), raising a crisis, and a crisis's page.

Views parse, authorise and call crisis.board, crisis.queries and crisis.raising, which scope
and audit every read and write. The actions on a crisis are in crisis.action_views, the rotas
in crisis.rota_views, the managers' report in crisis.report_views.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.clients.queries import visible_client
from joinedup.core.forms import PageForm
from joinedup.core.pages import acting, page, query_int, render_page, signed_in_user
from joinedup.crisis import board as boards
from joinedup.crisis import queries
from joinedup.crisis.forms import (
    ActionForm,
    ActionStatusForm,
    ArrangeForm,
    ArrivalForm,
    BridgingForm,
    CancelForm,
    OutcomeForm,
    RaiseForm,
    situation_choices,
)
from joinedup.crisis.raising import NewCrisis, raise_crisis
from joinedup.crisis.rules import Sector
from joinedup.directory.queries import team_members


def crisis_url(crisis_id: int, anchor: str = "") -> str:
    return reverse("crisis", args=[crisis_id]) + (f"#{anchor}" if anchor else "")


def _board_context(request: HttpRequest) -> dict[str, Any]:
    code = request.GET.get("locality") or None
    board = boards.board(acting(request), code)
    return {"board": board, "localities": list(queries.localities()), "code": code or ""}


@page
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request)
    place = context["board"].locality
    return render_page(
        request, "crisis/board.jinja", {"title": f"Crisis board: {place.name if place else 'whole borough'}", **context}
    )


@page
@require_GET
def board_live(request: HttpRequest) -> HttpResponse:
    """The board's live part alone, for htmx to swap in every few seconds (no header, no layout)."""
    return render(request, "crisis/_board_live.jinja", _board_context(request))


@page
@require_http_methods(["GET", "POST"])
def raise_page(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    client_id = query_int(request, "client")
    client = visible_client(actor, client_id, what="crisis form")[0] if client_id else None
    user = signed_in_user(request)
    initial = {"contact_name": user.display_name, "contact_phone": user.phone}
    if user.organisation_id and user.organisation is not None:
        initial["contact_organisation"] = user.organisation.name
    form = RaiseForm(request.POST or None, client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = NewCrisis(
            situation=data["situation"], needed=data["needed"], contact_name=data["contact_name"],
            contact_phone=data["contact_phone"], contact_organisation=data["contact_organisation"],
            client_id=client.pk if client is not None else None, person=form.person(), idempotency_key=data["key"],
        )  # fmt: skip
        try:
            raised = raise_crisis(actor, new)
        except ValidationError as error:
            form.apply(error)
        else:
            crisis = raised.crisis
            owner = crisis.owner.display_name if crisis.owner else crisis.owner_team.name
            messages.success(request, f"Crisis #{crisis.pk} raised. {owner} has it now and is told.")
            return HttpResponseRedirect(crisis_url(crisis.pk))
    return render_page(
        request,
        "crisis/new.jinja",
        {
            "title": "Raise a crisis",
            "form": form,
            "client": client,
            "health": situation_choices(Sector.HEALTH),
            "social_care": situation_choices(Sector.SOCIAL_CARE),
            "page_error": bool(form.errors),
        },
    )


def action_prefix(action_id: int) -> str:
    """Each action's forms have fields of their own (ids unique on the page)."""
    return f"a{action_id}"


def crisis_forms(view: queries.CrisisPage) -> dict[str, PageForm]:
    """A form for each thing a responder can do on the crisis."""
    people = [m.practitioner for m in team_members(view.crisis.owner_team)]
    return {
        "arrival": ArrivalForm(),
        "action": ActionForm(people=people),
        "bridging": BridgingForm(),
        "outcome": OutcomeForm(),
        "cancel": CancelForm(),
    }


def per_action_forms(view: queries.CrisisPage) -> dict[int, dict[str, PageForm]]:
    return {
        action.pk: {
            "arrange": ArrangeForm(prefix=action_prefix(action.pk)),
            "status": ActionStatusForm(prefix=action_prefix(action.pk)),
        }
        for action in view.actions
    }


def render_crisis(
    request: HttpRequest,
    crisis_id: int,
    *,
    failed: str = "",
    form: PageForm | None = None,
    failed_action: int | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = acting(request)
    view = queries.crisis_page(actor, crisis_id)
    forms, per_action = crisis_forms(view), per_action_forms(view)
    if form is not None and failed_action is not None and failed_action in per_action:
        per_action[failed_action][failed] = form
    elif form is not None:
        forms[failed] = form
    client = view.crisis.client
    name = client.full_name if view.identified else f"Crisis #{view.crisis.pk}"
    return render_page(
        request,
        "crisis/crisis.jinja",
        {
            "title": f"{name}: {view.crisis.situation_label}",
            "view": view,
            "crisis": view.crisis,
            "forms": forms,
            "action_forms": per_action,
            "failed": failed,
            "failed_form": form,
            "our_teams": actor.team_ids,
            "page_error": bool(failed),
        },
        status=status,
    )


@page
@require_GET
def crisis(request: HttpRequest, crisis_id: int) -> HttpResponse:
    return render_crisis(request, crisis_id)
