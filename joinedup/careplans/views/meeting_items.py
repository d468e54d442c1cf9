"""One client in the MDT meeting, on the shared screen: what the record says, the discussion and
decision, actions that become tasks, a dispute decided; and the coordinator's agenda edits.

The page works without JavaScript; with it, htmx swaps the main content only (hx-boost), so
moving from client to client is one request, and the keys n and p go to the next and previous
client (static/careplans/meeting.js).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from joinedup.careplans.forms import ReasonForm
from joinedup.careplans.meeting_forms import ActionForm, DiscussionForm, DisputeDecisionForm
from joinedup.careplans.queries import meetings as queries
from joinedup.careplans.services import meetings as services
from joinedup.careplans.services import minutes
from joinedup.careplans.views.meetings import meeting_url
from joinedup.clients.presentation import RecordPage
from joinedup.core.errors import Refused
from joinedup.core.pages import acting, page, render_page
from joinedup.core.presentation import date_text
from joinedup.directory.models import Practitioner, Team


def item_url(meeting_id: int, item_id: int, anchor: str = "") -> str:
    return reverse("meeting-item", args=[meeting_id, item_id]) + (f"#{anchor}" if anchor else "")


def _directory() -> tuple[list[Practitioner], list[Team]]:
    people = list(
        Practitioner.objects.filter(is_active=True, memberships__isnull=False).distinct().order_by("last_name")
    )
    return people, list(Team.objects.order_by("name"))


def render_item(request: HttpRequest, meeting_id: int, item_id: int, **forms: Any) -> HttpResponse:
    actor = acting(request)
    view = queries.item_view(actor, meeting_id, item_id)
    people, teams = _directory()
    item = view.item
    discussion = forms.get("discussion") or DiscussionForm(initial={"note": item.note, "decision": item.decision})
    dispute_form = forms.get("dispute") or DisputeDecisionForm(
        teams=teams, people=people, initial={"team": view.dispute.default_owner_id if view.dispute else ""}
    )
    return render_page(
        request,
        "careplans/meeting_item.jinja",
        {
            "title": f"{item.client.full_name}: MDT meeting",
            "view": view,
            "meeting": view.page.meeting,
            "item": item,
            "record": RecordPage(record=view.record, tasks=[], actor=actor),
            "discussion": discussion,
            "action_form": forms.get("action") or ActionForm(people=people, teams=teams),
            "dispute_form": dispute_form,
            "remove_form": forms.get("remove") or ReasonForm(),
            "page_error": any(f.errors for f in forms.values()),
        },
    )


@page
@require_GET
def item(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    return render_item(request, meeting_id, item_id)


@page
@require_POST
def change(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    form = ReasonForm(request.POST) if action == "remove" else None
    if form is not None and not form.is_valid():
        return render_item(request, meeting_id, item_id, remove=form)
    try:
        services.change_item(acting(request), item_id, action, form.cleaned_data["reason"] if form else "")
    except ValidationError as error:
        if form is None:
            raise
        form.apply(error)
        return render_item(request, meeting_id, item_id, remove=form)
    back = request.POST.get("back") == "item"
    return HttpResponseRedirect(item_url(meeting_id, item_id) if back else meeting_url(meeting_id, f"item-{item_id}"))


@page
@require_POST
def discussion(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    actor = acting(request)
    form = DiscussionForm(request.POST)
    if form.is_valid():
        try:
            minutes.record_discussion(actor, item_id, form.cleaned_data["note"], form.cleaned_data["decision"])
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            following = request.POST.get("next", "")
            messages.success(request, "The discussion and decision are recorded.")
            if following.isdigit():
                return HttpResponseRedirect(item_url(meeting_id, int(following)))
            return HttpResponseRedirect(item_url(meeting_id, item_id, "actions"))
    return render_item(request, meeting_id, item_id, discussion=form)


@page
@require_POST
def action(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    people, teams = _directory()
    form = ActionForm(request.POST, people=people, teams=teams)
    if form.is_valid():
        try:
            task = minutes.add_action(acting(request), item_id, form.action())
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"Action recorded: a task for {task.owner_name}, due {date_text(task.due_at)}.")
            return HttpResponseRedirect(item_url(meeting_id, item_id, "actions"))
    return render_item(request, meeting_id, item_id, action=form)


@page
@require_POST
def dispute(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    people, teams = _directory()
    form = DisputeDecisionForm(request.POST, teams=teams, people=people)
    if form.is_valid():
        data = form.cleaned_data
        lead = int(data["lead"]) if data["lead"] else None
        try:
            minutes.decide_dispute_in_meeting(acting(request), item_id, int(data["team"]), lead, data["reasons"])
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The dispute is decided: the team is accountable now, and is told.")
            return HttpResponseRedirect(item_url(meeting_id, item_id))
    return render_item(request, meeting_id, item_id, dispute=form)
