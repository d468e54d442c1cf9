"""Care plan pages: the plan (and its versions), writing and changing it, agreement, reviews, frailty.

Views parse, authorise and call careplans.queries and careplans.services, which scope
and audit every read and write.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.careplans.forms import AgreementForm, FrailtyForm, PlanForm, ReasonForm, ReviewForm
from joinedup.careplans.queries.plans import PlanPage, plan_page, what_matters_from_handover
from joinedup.careplans.rules import gas
from joinedup.careplans.services import frailty as frailty_services
from joinedup.careplans.services import plans as services
from joinedup.core.errors import NotFound
from joinedup.core.pages import acting, page, query_int, render_page, render_refusal
from joinedup.directory.models import Practitioner, Team

GET_POST = ["GET", "POST"]


def plan_url(client_id: int) -> str:
    return reverse("care-plan", args=[client_id])


def directory_choices() -> tuple[list[Team], list[Practitioner]]:
    """Teams and practitioners an intervention may name (directory data, not client data)."""
    teams = list(Team.objects.select_related("organisation").order_by("name"))
    people = list(
        Practitioner.objects.filter(is_active=True, memberships__isnull=False).distinct().order_by("last_name")
    )
    return teams, people


def _render_plan(request: HttpRequest, view: PlanPage, **forms: Any) -> HttpResponse:
    agreement = forms.get("agreement_form") or AgreementForm(initial={"when": timezone.localdate()})
    return render_page(
        request,
        "careplans/plan.jinja",
        {
            "title": f"Care plan: {view.client.full_name}",
            "view": view,
            "client": view.client,
            "agreement_form": agreement,
            "end_form": forms.get("end_form") or ReasonForm(),
            "levels": list(reversed(gas.LEVELS)),
            "level_names": gas.LEVEL_NAMES,
            "today": timezone.localdate(),
            "page_error": any(f.errors for f in forms.values()),
        },
    )


@page
@require_GET
def plan(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    view = plan_page(
        actor, client_id, plan_id=query_int(request, "plan"), version=query_int(request, "version"), elsewhere=True
    )
    return _render_plan(request, view)


def _plan_form_page(request: HttpRequest, view: PlanPage, form: PlanForm) -> HttpResponse:
    creating = form.creating
    return render_page(
        request,
        "careplans/plan_form.jinja",
        {
            "title": ("Write a care plan with " if creating else "Change the care plan of ") + view.client.full_name,
            "view": view,
            "client": view.client,
            "form": form,
            "levels": gas.LEVELS,
            "level_key": gas.level_key,
            "page_error": bool(form.errors),
        },
    )


@page
@require_http_methods(GET_POST)
def new_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    view = plan_page(actor, client_id)
    if view.plan is not None:
        return HttpResponseRedirect(plan_url(client_id))
    if not view.may_edit:
        return render_refusal(request, "Care plans are written by professionals with a relationship to the client.")
    words, source = what_matters_from_handover(client_id)
    teams, people = directory_choices()
    initial = {"what_matters": words, "what_matters_source": source}
    form = PlanForm(request.POST or None, teams=teams, people=people, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_plan(actor, client_id, form.changes())
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The care plan is saved as version 1. Record whether the client agrees to it.")
            return HttpResponseRedirect(plan_url(client_id) + "#agreement")
    form.what_matters_source = source  # type: ignore[attr-defined]
    return _plan_form_page(request, view, form)


@page
@require_http_methods(GET_POST)
def change_plan(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    view = plan_page(actor, client_id)
    if view.plan is None:
        return HttpResponseRedirect(reverse("care-plan-new", args=[client_id]))
    if not view.may_edit:
        return render_refusal(request, "You can read this care plan; changes are made by its professionals.")
    teams, people = directory_choices()
    form = PlanForm(
        request.POST or None,
        teams=teams,
        people=people,
        goals=view.goals,
        interventions=view.interventions,
        creating=False,
        initial={"what_matters": view.version.what_matters if view.version else "", "review_due": view.plan.review_due},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_plan(actor, view.plan.pk, form.changes())
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The care plan has a new version. Record whether the client agrees to it.")
            return HttpResponseRedirect(plan_url(client_id) + "#agreement")
    return _plan_form_page(request, view, form)


@page
@require_POST
def agreement(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    view = plan_page(actor, client_id)
    if view.plan is None:
        raise NotFound("care plan")
    form = AgreementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_agreement(actor, view.plan.pk, data["agreement"], data["who"], form.when_at(), data["note"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The client's agreement is recorded.")
            return HttpResponseRedirect(plan_url(client_id))
    return _render_plan(request, plan_page(actor, client_id, elsewhere=True), agreement_form=form)


@page
@require_POST
def end(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    view = plan_page(actor, client_id)
    if view.plan is None:
        raise NotFound("care plan")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.end_plan(actor, view.plan.pk, form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The care plan has ended. Its versions and reviews stay on the record.")
            return HttpResponseRedirect(plan_url(client_id))
    return _render_plan(request, plan_page(actor, client_id, elsewhere=True), end_form=form)


@page
@require_http_methods(GET_POST)
def review(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    view = plan_page(actor, client_id)
    if view.plan is None:
        raise NotFound("care plan")
    if not view.may_edit:
        return render_refusal(request, "You can read this care plan; reviews are recorded by its professionals.")
    initial: dict[str, date] = {"held_on": timezone.localdate()}
    form = ReviewForm(request.POST or None, goals=view.goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.record_review(
                actor, view.plan.pk, data["held_on"], form.scores(), data["next_review_due"], data["note"]
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"The review is recorded: GAS T-score {done.t_score}. The next review is a task.")
            return HttpResponseRedirect(plan_url(client_id) + "#reviews")
    return render_page(
        request,
        "careplans/review.jinja",
        {
            "title": f"Review the care plan of {view.client.full_name}",
            "view": view,
            "client": view.client,
            "form": form,
            "page_error": bool(form.errors),
        },
    )


@page
@require_http_methods(GET_POST)
def frailty(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    view = plan_page(actor, client_id)
    if not view.may_edit:
        return render_refusal(request, "Frailty is recorded by professionals with a relationship to the client.")
    form = FrailtyForm(request.POST or None, initial={"assessed_on": timezone.localdate(), "source": "GP record"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            frailty_services.record_frailty(
                actor, client_id, data["band"], data["assessed_on"], data["efi_score"], data["source"]
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The frailty band is recorded.")
            return HttpResponseRedirect(reverse("client-record", args=[client_id]) + "#care")
    return render_page(
        request,
        "careplans/frailty.jinja",
        {
            "title": f"Record frailty: {view.client.full_name}",
            "view": view,
            "client": view.client,
            "form": form,
            "page_error": bool(form.errors),
        },
    )
