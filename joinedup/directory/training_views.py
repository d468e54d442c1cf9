"""Training pages: a practitioner's training record and competencies, and a team's matrix of who is due."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from joinedup.core.errors import Refused
from joinedup.core.forms import PageForm
from joinedup.core.pages import acting, page, render_page
from joinedup.directory import training
from joinedup.directory.training_forms import CompetencyForm, RevokeForm, TrainingForm
from joinedup.directory.training_queries import team_matrix, training_page


def training_url(practitioner_id: int) -> str:
    return reverse("training", args=[practitioner_id])


def _render(request: HttpRequest, practitioner_id: int, **forms: PageForm) -> HttpResponse:
    view = training_page(acting(request), practitioner_id)
    return render_page(
        request,
        "directory/training.jinja",
        {
            "title": f"Training: {view.practitioner.display_name}",
            "view": view,
            "training_form": forms.get("training_form") or TrainingForm(),
            "competency_form": forms.get("competency_form") or CompetencyForm(),
            "revoke_form": forms.get("revoke_form") or RevokeForm(),
            "page_error": any(f.errors for f in forms.values()),
        },
    )


@page
@require_GET
def my_training(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(training_url(acting(request).person_id))


@page
@require_GET
def practitioner_training(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    return _render(request, practitioner_id)


@page
@require_POST
def record_training(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    form = TrainingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            training.record_training(
                acting(request),
                practitioner_id,
                training.NewTraining(data["course"], data["completed_on"], data["evidence"]),
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The training is recorded.")
            return HttpResponseRedirect(training_url(practitioner_id))
    return _render(request, practitioner_id, training_form=form)


@page
@require_POST
def grant(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    form = CompetencyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        new = training.NewCompetency(
            data["kind"], data["granted_on"], data["expires_on"], data["evidence"], data["hours_limit"]
        )
        try:
            training.grant_competency(acting(request), practitioner_id, new)
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The competency is recorded.")
            return HttpResponseRedirect(training_url(practitioner_id))
    return _render(request, practitioner_id, competency_form=form)


@page
@require_POST
def revoke(request: HttpRequest, practitioner_id: int, competency_id: int) -> HttpResponse:
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            training.revoke_competency(acting(request), competency_id, form.cleaned_data["reason"], of=practitioner_id)
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The competency is withdrawn: it can no longer be used for trusted assessment.")
            return HttpResponseRedirect(training_url(practitioner_id))
    return _render(request, practitioner_id, revoke_form=form)


@page
@require_GET
def matrix(request: HttpRequest, team_id: int) -> HttpResponse:
    view = team_matrix(acting(request), team_id)
    return render_page(
        request, "directory/training_matrix.jinja", {"title": f"Training: {view.team.name}", "view": view}
    )
