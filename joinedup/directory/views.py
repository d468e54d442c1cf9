"""Team and locality pages. The directory holds no client data: any signed-in user may read it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from joinedup.core.errors import NotFound
from joinedup.core.pages import acting, page, render_page, signed_in_user
from joinedup.directory import queries
from joinedup.tasks.queries import open_task_counts


@page
@require_GET
def my_teams(request: HttpRequest) -> HttpResponse:
    return render_page(
        request,
        "directory/teams.jinja",
        {
            "title": "Teams and localities",
            "teams": list(queries.teams_of(signed_in_user(request))),
            "localities": list(queries.all_localities()),
        },
    )


@page
@require_GET
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    found = queries.team_by_id(team_id)
    if found is None:
        raise NotFound("team")
    members = list(queries.team_members(found))
    counts = open_task_counts(found.pk, [m.practitioner_id for m in members])
    return render_page(
        request,
        "directory/team.jinja",
        {
            "title": found.name,
            "team": found,
            "members": [(m, counts.by_member.get(m.practitioner_id, 0)) for m in members],
            "team_open_tasks": counts.team,
            "is_member": found.pk in acting(request).team_ids,
        },
    )


@page
@require_GET
def locality(request: HttpRequest, locality_id: int) -> HttpResponse:
    found = queries.locality_by_id(locality_id)
    if found is None:
        raise NotFound("locality")
    practices, teams = queries.locality_directory(found)
    return render_page(
        request,
        "directory/locality.jinja",
        {
            "title": found.name,
            "locality": found,
            "practices": practices,
            "teams": teams,
            "mdt": next((t for t in teams if t.kind == "mdt"), None),
        },
    )
