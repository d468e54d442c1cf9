"""MDT meeting pages: the list and schedule, a meeting with its agenda and attendance, minutes.

The page of one client in the meeting (discussion, actions, disputes) is in views.meeting_items.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.careplans.meeting_forms import AddClientForm, AttendanceForm, SeriesForm
from joinedup.careplans.queries import meetings as queries
from joinedup.careplans.services import meetings as services
from joinedup.careplans.services import minutes
from joinedup.clients.queries import SearchError, search
from joinedup.core.errors import NotFound, Refused
from joinedup.core.pages import acting, page, render_page, render_refusal
from joinedup.core.presentation import date_text
from joinedup.directory.models import Locality

GET_POST = ["GET", "POST"]


def meeting_url(meeting_id: int, anchor: str = "") -> str:
    return reverse("meeting", args=[meeting_id]) + (f"#{anchor}" if anchor else "")


@page
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    if not actor.mdt_locality_ids:
        return render_refusal(request, "MDT meetings are for members of a locality MDT.", title="MDT meetings")
    upcoming, past = queries.meetings(actor)
    runs = any(services.may_run(actor, loc) for loc in actor.mdt_locality_ids)
    return render_page(
        request, "careplans/meetings.jinja", {"title": "MDT meetings", "upcoming": upcoming, "past": past, "runs": runs}
    )


@page
@require_http_methods(GET_POST)
def new_series(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    localities = [
        loc for loc in Locality.objects.filter(pk__in=actor.mdt_locality_ids) if services.may_run(actor, loc.pk)
    ]
    if not localities:
        return render_refusal(request, "The MDT coordinator sets up the locality's meetings.", title="MDT meetings")
    form = SeriesForm(request.POST or None, localities=localities, initial={"title": f"{localities[0].name} MDT"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_series(
                actor,
                int(data["locality"]),
                title=data["title"],
                first_date=data["first_date"],
                start_time=data["start_time"],
                duration_minutes=int(data["duration_minutes"]),
                every_weeks=int(data["every_weeks"]),
                location=data["location"],
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The meetings are scheduled.")
            return HttpResponseRedirect(reverse("meetings"))
    return render_page(
        request,
        "careplans/series_form.jinja",
        {"title": "Schedule MDT meetings", "form": form, "page_error": bool(form.errors)},
    )


@page
@require_http_methods(GET_POST)
def occurrence(request: HttpRequest, series_id: int, day: str) -> HttpResponse:
    """A scheduled meeting: shown if opened; opening it (a POST: it writes) makes it and proposes its agenda."""
    try:
        when = date.fromisoformat(day)
    except ValueError as error:
        raise NotFound("meeting") from error
    actor = acting(request)
    if request.method == "POST":
        return HttpResponseRedirect(meeting_url(services.open_occurrence(actor, series_id, when).pk))
    series, meeting = services.occurrence_of(actor, series_id, when)
    if meeting is not None:
        return HttpResponseRedirect(meeting_url(meeting.pk))
    title = f"{series.title}, {when.strftime('%A')} {date_text(when)}"
    context = {"title": title, "series": series, "day": when, "runs": services.may_run(actor, series.locality_id)}
    return render_page(request, "careplans/occurrence.jinja", context)


def render_meeting(
    request: HttpRequest, meeting_id: int, *, attendance: AttendanceForm | None = None, add: AddClientForm | None = None
) -> HttpResponse:
    view = queries.meeting_page(acting(request), meeting_id)
    present = [str(a.practitioner_id) for a in view.attendees if a.practitioner_id and a.present]
    apologies = [str(a.practitioner_id) for a in view.attendees if a.practitioner_id and not a.present]
    attendance = attendance or AttendanceForm(
        members=view.members, initial={"present": present, "apologies": apologies}
    )
    add = add or AddClientForm()
    return render_page(
        request,
        "careplans/meeting.jinja",
        {
            "title": f"{view.meeting.series.title}, {date_text(view.meeting.starts_at)}",
            "view": view,
            "attendance": attendance,
            "add": add,
            "page_error": bool(attendance.errors or add.errors),
        },
    )


@page
@require_GET
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return render_meeting(request, meeting_id)


@page
@require_POST
def propose(request: HttpRequest, meeting_id: int) -> HttpResponse:
    count = services.propose_agenda(acting(request), meeting_id)
    messages.success(
        request, f"The agenda rules were run again: {count} client{'s' if count != 1 else ''} added or updated."
    )
    return HttpResponseRedirect(meeting_url(meeting_id, "agenda"))


@page
@require_POST
def attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = acting(request)
    view = queries.meeting_page(actor, meeting_id, purpose="attendance")
    form = AttendanceForm(request.POST, members=view.members)
    if form.is_valid():
        data = form.cleaned_data
        guest = (
            minutes.Guest(data["guest_name"], data["guest_profession"], data["guest_organisation"])
            if form.has_guest()
            else None
        )
        try:
            minutes.record_attendance(
                actor, meeting_id, [int(p) for p in data["present"]], [int(p) for p in data["apologies"]], guest
            )
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "Attendance is recorded.")
            return HttpResponseRedirect(meeting_url(meeting_id, "attendance"))
    return render_meeting(request, meeting_id, attendance=form)


@page
@require_POST
def add_client(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = acting(request)
    form = AddClientForm(request.POST)
    if form.is_valid():
        try:
            found = search(actor, nhs_number=form.cleaned_data["nhs_number"], limit=1)
            if not found:
                raise ValidationError({"nhs_number": "No client you can see has this NHS number"})
            services.add_client(actor, meeting_id, found[0].pk, form.cleaned_data["reason"])
        except SearchError as error:
            form.add_error("nhs_number", str(error))
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, f"{found[0].full_name} is on the agenda.")
            return HttpResponseRedirect(meeting_url(meeting_id, "agenda"))
    return render_meeting(request, meeting_id, add=form)


@page
@require_POST
def start(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = acting(request)
    minutes.start_meeting(actor, meeting_id)
    view = queries.meeting_page(actor, meeting_id, purpose="start")
    first = view.listed[0] if view.listed else None
    if first is None:
        return HttpResponseRedirect(meeting_url(meeting_id))
    return HttpResponseRedirect(reverse("meeting-item", args=[meeting_id, first.pk]))


@page
@require_POST
def close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        minutes.close_meeting(acting(request), meeting_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(meeting_url(meeting_id, "attendance"))
    except Refused as error:
        return render_refusal(request, str(error))
    messages.success(request, "The minutes are final.")
    return HttpResponseRedirect(reverse("meeting-minutes", args=[meeting_id]))


@page
@require_GET
def minutes_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    view = queries.meeting_page(acting(request), meeting_id, purpose="minutes")
    return render_page(request, "careplans/minutes.jinja", {"title": queries.minutes_title(view.meeting), "view": view})
