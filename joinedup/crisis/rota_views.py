"""The rota pages: every rota (who is on call now and next, gaps ahead), one rota with its shifts,
and the forms that change them (for its service manager, a manager of its team, a system
administrator). Brokerage sets its bridging capacity here too."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from joinedup.core.forms import PageForm
from joinedup.core.pages import acting, page, render_page
from joinedup.crisis import board as boards
from joinedup.crisis import rota_queries, rotas
from joinedup.crisis.forms import CapacityForm, RotaPeopleForm, ShiftForm
from joinedup.crisis.rotas import NewShift


@page
@require_GET
def rota_list(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    now = timezone.now()
    return render_page(
        request,
        "crisis/rotas.jinja",
        {
            "title": "On-call rotas",
            "rotas": rota_queries.rota_views(now),
            "bridging": boards.bridging_today(now),
            "capacity_form": CapacityForm(initial={"day": timezone.localdate()}),
            "may_set_capacity": rotas.may_set_capacity(actor),
        },
    )


def _render_rota(request: HttpRequest, rota_id: int, bound: dict[str, PageForm] | None = None) -> HttpResponse:
    actor = acting(request)
    now = timezone.now()
    view = rota_queries.rota_view(rota_id, now)
    people = rota_queries.on_call_candidates(view.rota)
    forms: dict[str, Any] = {
        "shift": ShiftForm(people=people, initial={"start_day": timezone.localdate(), "end_day": timezone.localdate()}),
        "people": RotaPeopleForm(
            people=people, initial={"manager": view.rota.manager_id, "fallback": view.rota.fallback_id}
        ),
        **(bound or {}),
    }
    failed = next(iter(bound), "") if bound else ""
    return render_page(
        request,
        "crisis/rota.jinja",
        {
            "title": str(view.rota),
            "view": view,
            "alerts": rota_queries.rota_alerts(view.rota, now),
            "forms": forms,
            "failed": failed,
            "may_edit": rotas.may_edit(actor, view.rota),
            "page_error": bool(failed),
        },
    )


@page
@require_GET
def rota_detail(request: HttpRequest, rota_id: int) -> HttpResponse:
    return _render_rota(request, rota_id)


def _back(rota_id: int) -> HttpResponse:
    return HttpResponseRedirect(reverse("crisis-rota", args=[rota_id]))


@page
@require_POST
def add_shift(request: HttpRequest, rota_id: int) -> HttpResponse:
    view = rota_queries.rota_view(rota_id, timezone.now())
    form = ShiftForm(request.POST, people=rota_queries.on_call_candidates(view.rota))
    if form.is_valid():
        data = form.cleaned_data
        new = NewShift(
            practitioner_id=int(data["practitioner"]), start_day=data["start_day"], start_time=data["start_time"],
            end_day=data["end_day"], end_time=data["end_time"], position=int(data["position"]),
            repeat_weeks=data["repeat_weeks"],
        )  # fmt: skip
        try:
            added = rotas.add_shifts(acting(request), rota_id, new)
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"{len(added)} shift{'s' if len(added) != 1 else ''} added to the rota.")
            return _back(rota_id)
    return _render_rota(request, rota_id, {"shift": form})


@page
@require_POST
def remove_shift(request: HttpRequest, rota_id: int, shift_id: int) -> HttpResponse:
    kept = rotas.remove_shift(acting(request), shift_id)
    messages.success(request, "The shift is over now." if kept else "The shift is removed from the rota.")
    return _back(rota_id)


@page
@require_POST
def rota_people(request: HttpRequest, rota_id: int) -> HttpResponse:
    view = rota_queries.rota_view(rota_id, timezone.now())
    form = RotaPeopleForm(request.POST, people=rota_queries.on_call_candidates(view.rota))
    if form.is_valid():
        try:
            rotas.set_rota_people(
                acting(request), rota_id, int(form.cleaned_data["manager"]), int(form.cleaned_data["fallback"])
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The service manager and the named fallback are saved.")
            return _back(rota_id)
    return _render_rota(request, rota_id, {"people": form})


@page
@require_POST
def capacity(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            rotas.set_bridging_capacity(actor, form.cleaned_data["day"], form.cleaned_data["packages"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "Bridging capacity saved.")
            return HttpResponseRedirect(reverse("crisis-rotas"))
    now = timezone.now()
    return render_page(
        request,
        "crisis/rotas.jinja",
        {
            "title": "On-call rotas",
            "rotas": rota_queries.rota_views(now),
            "bridging": boards.bridging_today(now),
            "capacity_form": form,
            "may_set_capacity": rotas.may_set_capacity(actor),
            "page_error": True,
        },
    )
