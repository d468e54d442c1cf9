"""What a responder does on a crisis's page: acknowledge, arrive, add actions, ask brokerage for a
bridging package (and brokerage arranges it), the "before admitting" checklist, the outcome, cancel.

Each action is a POST that redirects back to the crisis page. Bad input shows the page again
with the NHS error summary on the action's own form, and changes nothing; the services decide
who may act (not a responder: 404; a closed crisis: a page that says why).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.core.forms import PageForm
from joinedup.core.pages import acting, page, render_page
from joinedup.crisis import actions, queries, services
from joinedup.crisis.actions import NewAction, NewBridging
from joinedup.crisis.forms import (
    ActionForm,
    ActionStatusForm,
    ArrangeForm,
    ArrivalForm,
    BridgingForm,
    CancelForm,
    ChecklistForm,
    OutcomeForm,
)
from joinedup.crisis.views import action_prefix, crisis_url, render_crisis
from joinedup.directory.queries import team_members


def _act(
    request: HttpRequest,
    crisis_id: int,
    name: str,
    form: PageForm,
    do: Callable[[], str],
    *,
    action_id: int | None = None,
    anchor: str = "",
) -> HttpResponse:
    """Check the form, run the service, and go back to the crisis (or show the form's errors)."""
    if form.is_valid():
        try:
            done = do()
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(crisis_url(crisis_id, anchor))
    return render_crisis(request, crisis_id, failed=name, form=form, failed_action=action_id)


@page
@require_POST
def acknowledge(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = services.acknowledge(acting(request), crisis_id)
    messages.success(request, f"You have crisis #{crisis.pk}. Someone must be with the client by the time shown.")
    return HttpResponseRedirect(crisis_url(crisis_id))


@page
@require_POST
def arrived(request: HttpRequest, crisis_id: int) -> HttpResponse:
    form = ArrivalForm(request.POST)

    def do() -> str:
        services.record_arrival(acting(request), crisis_id, form.moment())
        return "Arrival recorded: the 2-hour clock has stopped."

    return _act(request, crisis_id, "arrival", form, do)


@page
@require_POST
def add_action(request: HttpRequest, crisis_id: int) -> HttpResponse:
    view = queries.crisis_page(acting(request), crisis_id)
    form = ActionForm(request.POST, people=[m.practitioner for m in team_members(view.crisis.owner_team)])

    def do() -> str:
        data = form.cleaned_data
        new = NewAction(
            data["kind"], data["details"], owner_id=form.owner_id(), medication_route=data["medication_route"]
        )
        action = actions.add_action(acting(request), crisis_id, new)
        return f"{action.kind_label} added for {action.owner_name}."

    return _act(request, crisis_id, "action", form, do, anchor="actions")


@page
@require_POST
def bridging(request: HttpRequest, crisis_id: int) -> HttpResponse:
    form = BridgingForm(request.POST)

    def do() -> str:
        data = form.cleaned_data
        new = NewBridging(data["care_tasks"], data["hours_of_care"], duration_hours=data["duration_hours"])
        action = actions.request_bridging(acting(request), crisis_id, new)
        return f"Bridging package requested from {action.owner_name}: they have a task to arrange it."

    return _act(request, crisis_id, "bridging", form, do, anchor="actions")


@page
@require_POST
def arrange(request: HttpRequest, crisis_id: int, action_id: int) -> HttpResponse:
    form = ArrangeForm(request.POST, prefix=action_prefix(action_id))

    def do() -> str:
        data = form.cleaned_data
        actions.arrange_bridging(acting(request), action_id, data["provider"], data["cost"], form.starts_at())
        return "The bridging package is arranged."

    return _act(request, crisis_id, "arrange", form, do, action_id=action_id, anchor="actions")


@page
@require_POST
def action_status(request: HttpRequest, crisis_id: int, action_id: int) -> HttpResponse:
    form = ActionStatusForm(request.POST, prefix=action_prefix(action_id))

    def do() -> str:
        data = form.cleaned_data
        action = actions.update_action(acting(request), action_id, data["status"], data["note"])
        return f"{action.kind_label}: now {action.get_status_display().lower()}."

    return _act(request, crisis_id, "status", form, do, action_id=action_id, anchor="actions")


@page
@require_POST
def outcome(request: HttpRequest, crisis_id: int) -> HttpResponse:
    form = OutcomeForm(request.POST)

    def do() -> str:
        crisis = services.record_outcome(
            acting(request), crisis_id, form.cleaned_data["outcome"], form.cleaned_data["note"]
        )
        return f"Crisis #{crisis.pk} resolved. The follow-ups are tasks for the teams concerned."

    return _act(request, crisis_id, "outcome", form, do)


@page
@require_POST
def cancel(request: HttpRequest, crisis_id: int) -> HttpResponse:
    form = CancelForm(request.POST)

    def do() -> str:
        services.cancel(acting(request), crisis_id, form.cleaned_data["reason"])
        return f"Crisis #{crisis_id} is cancelled."

    return _act(request, crisis_id, "cancel", form, do)


@page
@require_http_methods(["GET", "POST"])
def before_admitting(request: HttpRequest, crisis_id: int) -> HttpResponse:
    actor = acting(request)
    view = queries.crisis_page(actor, crisis_id)
    saved = view.admission_check
    initial = {**saved.answers, "reason": saved.reason} if saved is not None else {}
    form = ChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_admission_check(actor, crisis_id, form.answers(), form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The checklist is recorded: you can now record an admission.")
            return HttpResponseRedirect(crisis_url(crisis_id, "outcome"))
    return render_page(
        request,
        "crisis/before_admitting.jinja",
        {
            "title": "Before admitting",
            "view": view,
            "crisis": view.crisis,
            "form": form,
            "page_error": bool(form.errors),
        },
    )
