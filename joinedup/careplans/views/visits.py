"""Visit pages: a client's calendar, booking (with the duplicate-assessment warning), one visit, my visits."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.careplans.forms import ReasonForm
from joinedup.careplans.queries import visits as queries
from joinedup.careplans.rules.plans import may_edit_plan
from joinedup.careplans.services import visits as services
from joinedup.careplans.visit_forms import DoneForm, NoteForm, VisitForm
from joinedup.core.errors import Refused
from joinedup.core.pages import acting, page, render_page, signed_in_user
from joinedup.directory.models import TeamMembership

GET_POST = ["GET", "POST"]


def _week(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return timezone.localdate()


def calendar_url(client_id: int, day: date | None = None) -> str:
    return reverse("client-visits", args=[client_id]) + (f"?week={day.isoformat()}" if day else "")


@page
@require_GET
def client_calendar(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    client, calendar = queries.client_calendar(actor, client_id, _week(request))
    return render_page(
        request,
        "careplans/client_calendar.jinja",
        {"title": f"Visits: {client.full_name}", "client": client, "calendar": calendar, "today": timezone.localdate()},
    )


def _memberships(request: HttpRequest) -> list[TeamMembership]:
    """Who can be booked: the signed-in practitioner first, then everyone else, by team (directory data)."""
    user = signed_in_user(request)
    rows = list(
        TeamMembership.objects.filter(practitioner__is_active=True)
        .select_related("practitioner", "team")
        .order_by("team__name", "practitioner__last_name")
    )
    return sorted(rows, key=lambda m: m.practitioner_id != user.pk)


@page
@require_http_methods(GET_POST)
def book(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    memberships = _memberships(request)
    mine = next((m for m in memberships if m.practitioner_id == actor.user_id), None)
    initial = {"visitor": f"{mine.team_id}-{mine.practitioner_id}" if mine else "", "day": timezone.localdate()}
    form = VisitForm(request.POST or None, memberships=memberships, initial=initial)
    duplicates: list = []
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.book_visit(
                actor, client_id, form.new_visit(), duplicate_reason=form.cleaned_data["duplicate_reason"]
            )
        except services.DuplicateAssessment as found:
            duplicates = found.duplicates
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The visit is booked and on the shared calendar.")
            return HttpResponseRedirect(calendar_url(client_id, timezone.localtime(visit.starts_at).date()))
    client, _ = queries.visit_context(actor, client_id)
    day = form.cleaned_data.get("day") if form.is_bound and not form.errors else None
    return render_page(
        request,
        "careplans/book_visit.jinja",
        {
            "title": f"Book a visit to {client.full_name}",
            "client": client,
            "form": form,
            "duplicates": duplicates,
            "around": queries.visits_around(client, day or timezone.localdate()),
            "window": services.window_days(),
            "page_error": bool(form.errors),
        },
    )


def _visit_page(request: HttpRequest, client_id: int, visit_id: int, **forms: object) -> HttpResponse:
    actor = acting(request)
    client, visit, reason = queries.visit_of(actor, client_id, visit_id)
    return render_page(
        request,
        "careplans/visit.jinja",
        {
            "title": f"Visit to {client.full_name}",
            "client": client,
            "visit": visit,
            "may_edit": may_edit_plan(actor.roles, reason),
            "done_form": forms.get("done_form") or DoneForm(),
            "cancel_form": forms.get("cancel_form") or ReasonForm(),
            "accept_form": forms.get("accept_form") or NoteForm(),
            "acceptances": list(visit.acceptances.select_related("accepting_organisation", "accepted_by")),
            "actor_org": actor.organisation_id,
            "page_error": any(getattr(f, "errors", None) for f in forms.values()),
        },
    )


@page
@require_GET
def visit(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    return _visit_page(request, client_id, visit_id)


@page
@require_POST
def done(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    form = DoneForm(request.POST)
    if form.is_valid():
        try:
            recorded = services.complete_visit(
                acting(request), visit_id, form.cleaned_data["outcome"], form.cleaned_data["recommended_hours"]
            )
        except ValidationError as error:
            form.apply(error)
        else:
            trusted = (
                " by a trusted assessor: other organisations can accept it" if recorded.trusted_competency_id else ""
            )
            messages.success(request, f"The visit is recorded as done{trusted}.")
            return HttpResponseRedirect(reverse("visit", args=[client_id, visit_id]))
    return _visit_page(request, client_id, visit_id, done_form=form)


@page
@require_POST
def cancel(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_visit(acting(request), visit_id, form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The visit is cancelled.")
            return HttpResponseRedirect(calendar_url(client_id))
    return _visit_page(request, client_id, visit_id, cancel_form=form)


@page
@require_POST
def accept(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.accept_trusted_assessment(acting(request), visit_id, form.cleaned_data["note"])
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error("note", str(error))
        else:
            messages.success(request, "Accepted without a second assessment: recorded as a trusted assessment.")
            return HttpResponseRedirect(reverse("visit", args=[client_id, visit_id]))
    return _visit_page(request, client_id, visit_id, accept_form=form)


@page
@require_POST
def share(request: HttpRequest, client_id: int, visit_id: int) -> HttpResponse:
    task = services.ask_to_share(acting(request), client_id, visit_id)
    messages.success(request, f"Asked {task.owner_name} to share the assessment instead. Nothing was booked.")
    return HttpResponseRedirect(calendar_url(client_id))


@page
@require_GET
def my_visits(request: HttpRequest) -> HttpResponse:
    calendar = queries.practitioner_calendar(acting(request), _week(request))
    return render_page(
        request,
        "careplans/my_visits.jinja",
        {"title": "My visits", "calendar": calendar, "today": timezone.localdate()},
    )
