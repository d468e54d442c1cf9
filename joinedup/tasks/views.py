"""Task and notification pages: reads by tasks.queries (scoped, audited), writes by services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.clients.queries import visible_client
from joinedup.core.access import Actor
from joinedup.core.pages import acting, page, render_page, signed_in_user
from joinedup.directory.queries import teams_of
from joinedup.tasks import queries, services
from joinedup.tasks.forms import NewTaskForm, TaskStatusForm, TeamChoiceForm
from joinedup.tasks.queries import TaskRow


@page
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    closed = request.GET.get("closed") == "1"
    rows = queries.my_tasks(acting(request), include_closed=closed)
    return render_page(request, "tasks/my_tasks.jinja", {"title": "My tasks", "rows": rows, "closed": closed})


@page
@require_GET
def team_tasks(request: HttpRequest) -> HttpResponse:
    teams = list(teams_of(signed_in_user(request)))
    form = TeamChoiceForm(request.GET or None, teams=teams)
    chosen = form.cleaned_data.get("team") if form.is_bound and form.is_valid() else ""
    rows = queries.team_tasks(acting(request), int(chosen) if chosen else None) if teams else []
    return render_page(
        request,
        "tasks/team_tasks.jinja",
        {
            "title": "Team tasks",
            "rows": rows,
            "form": form,
            "teams": teams,
        },
    )


def _owns(actor: Actor, row: TaskRow) -> bool:
    return row.task.owner_practitioner_id == actor.user_id or row.task.owner_team_id in actor.team_ids


def _render_detail(request: HttpRequest, task_id: int, form: TaskStatusForm | None = None) -> HttpResponse:
    actor = acting(request)
    row = queries.task_detail(actor, task_id)
    return render_page(
        request,
        "tasks/detail.jinja",
        {
            "title": row.title,
            "row": row,
            "task": row.task,
            "form": form or TaskStatusForm(initial={"status": row.task.status}),
            "may_change": _owns(actor, row) and row.task.is_open,
            "may_take": row.task.is_open and row.task.owner_team_id in actor.team_ids,
            "page_error": bool(form and form.errors),
        },
    )


@page
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _render_detail(request, task_id)


@page
@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    form = TaskStatusForm(request.POST)
    if form.is_valid():
        try:
            task = services.set_task_status(acting(request), task_id, form.cleaned_data["status"])
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"The task is now “{task.get_status_display().lower()}”.")
            return HttpResponseRedirect(reverse("task-detail", args=[task_id]))
    return _render_detail(request, task_id, form)


@page
@require_POST
def take(request: HttpRequest, task_id: int) -> HttpResponse:
    services.take_task(acting(request), task_id)
    messages.success(request, "The task is yours now.")
    return HttpResponseRedirect(reverse("task-detail", args=[task_id]))


@page
@require_http_methods(["GET", "POST"])
def new_task(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    client, _ = visible_client(actor, client_id, what="task form")
    teams = list(teams_of(signed_in_user(request)))
    if client.accountable_team_id not in actor.team_ids:
        teams.append(client.accountable_team)
    form = NewTaskForm(
        request.POST or None,
        me=signed_in_user(request).display_name,
        teams=teams,
        initial={"due_days": 2},
    )
    if request.method == "POST" and form.is_valid():
        practitioner_id, team_id = form.owner_ids(actor.user_id or 0)
        due_at = (
            services.due_in_working_days(form.cleaned_data["due_days"])
            if form.cleaned_data["due_days"] is not None
            else form.due_on_date()
        )
        try:
            task = services.create_task(
                actor,
                title=form.cleaned_data["title"],
                details=form.cleaned_data["details"],
                due_at=due_at,
                owner_practitioner_id=practitioner_id,
                owner_team_id=team_id,
                client=client,
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"Task created for {task.owner_name}.")
            return HttpResponseRedirect(reverse("client-record", args=[client_id]) + "#tasks")
    return render_page(request, "tasks/new.jinja", {"title": "Create a task", "client": client, "form": form})


@page
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    rows = queries.notifications(acting(request))
    return render_page(request, "tasks/notifications.jinja", {"title": "Notifications", "rows": rows})


@page
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_notifications_read(acting(request))
    if count:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return HttpResponseRedirect(reverse("notifications"))
