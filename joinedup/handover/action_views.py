"""The referral page, and what a team does to a referral from it: accept, decline, ask for
or give information, stop or restart the clock, withdraw, send a draft.

The page shows everything the receiving team needs (the referral, every handover
answer, the client's record, the history) and only the actions ReferralPage.actions
allows. Each action is a POST. With htmx (the page's inline forms) the answer is the referral page,
from which htmx swaps the actions panel and the referral's state; without JavaScript
the same forms post normally and are redirected. Bad input shows the NHS error
summary on the action's own form and changes nothing; the services decide who may
act (the other team: refused; no team of the referral: 404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from joinedup.careplans.queries.care_team import CareTeamRow, care_team
from joinedup.clients.presentation import RecordPage
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.core.forms import PageForm
from joinedup.core.pages import acting, is_htmx, page, render_page
from joinedup.directory.queries import team_members
from joinedup.handover import queries, services
from joinedup.handover.deadlines import EscalationLevel
from joinedup.handover.forms import AcceptForm, DeclineForm, QuestionForm, ReplyForm, StopClockForm, WithdrawForm
from joinedup.handover.models import Referral
from joinedup.handover.queries import ReferralPage
from joinedup.handover.rules import Action, ReferralKind, Side
from joinedup.handover.views import referral_url
from joinedup.tasks.queries import client_tasks

ACTION_WORDS = {
    "send": "Sent",
    "request_information": "Asked for information",
    "provide_information": "Gave information",
    "accept": "Accepted",
    "decline": "Declined",
    "withdraw": "Withdrew",
    "stop_clock": "Stopped the clock",
    "restart_clock": "Restarted the clock",
}
ESCALATION_TO = {level.value: level.label for level in EscalationLevel}


# --- The referral page -------------------------------------------------------------------------


@dataclass
class ReferralView:
    """What the referral page shows, from what the queries returned."""

    page: ReferralPage
    record: RecordPage
    forms: dict[str, PageForm]
    failed: str = ""
    members: list[Any] = field(default_factory=list)
    care_team: list[CareTeamRow] = field(default_factory=list)  # as the record shows it (careplans)

    @property
    def referral(self) -> Referral:
        return self.page.referral

    @property
    def actions(self) -> set[str]:
        return {action.value for action in self.page.actions}

    @property
    def transfer(self) -> bool:
        return self.referral.kind == ReferralKind.TRANSFER_OF_CARE

    def sections(self) -> list[tuple[str, list[Any]]]:
        sections: dict[str, list[Any]] = {}
        for item in self.page.items:
            sections.setdefault(item.section or "Handover information", []).append(item)
        return list(sections.items())

    @property
    def clock_stops(self) -> list[tuple[datetime, datetime | None, str]]:
        """Each stop of the receiving team's clock: from, until (None: still stopped), why."""
        return [
            (
                datetime.fromisoformat(stop["paused_at"]),
                datetime.fromisoformat(stop["resumed_at"]) if stop.get("resumed_at") else None,
                stop.get("reason", ""),
            )
            for stop in self.referral.clock_stops
        ]

    @property
    def open_stop(self) -> dict[str, Any] | None:
        stops = self.referral.clock_stops
        return stops[-1] if self.page.clock_stopped and stops and self.referral.is_open else None

    @property
    def stopped_at(self) -> datetime | None:
        stop = self.open_stop
        return datetime.fromisoformat(stop["paused_at"]) if stop else None

    @property
    def last_question(self) -> Any:
        asked = [t for t in self.page.transitions if t.action == Action.REQUEST_INFORMATION]
        return asked[-1] if asked else None


def _action_forms(actions: frozenset[Action], members: list[Any], transfer: bool) -> dict[str, PageForm]:
    forms: dict[str, PageForm] = {}
    if Action.ACCEPT in actions:
        forms["accept"] = AcceptForm(members=members, transfer=transfer)
    if Action.DECLINE in actions:
        forms["decline"] = DeclineForm()
    if Action.REQUEST_INFORMATION in actions:
        forms["request_information"] = QuestionForm()
    if Action.PROVIDE_INFORMATION in actions:
        forms["provide_information"] = ReplyForm()
    if Action.STOP_CLOCK in actions:
        forms["stop_clock"] = StopClockForm()
    if Action.WITHDRAW in actions:
        forms["withdraw"] = WithdrawForm()
    return forms


def receiving_members(view: ReferralPage) -> list[Any]:
    if Action.ACCEPT not in view.actions:
        return []
    return [m.practitioner for m in team_members(view.referral.receiving_team)]


def render_referral(
    request: HttpRequest,
    referral_id: int,
    *,
    failed: str = "",
    form: PageForm | None = None,
    view: ReferralPage | None = None,
) -> HttpResponse:
    """The referral page; after a refused action, with that action's form and its errors."""
    actor = acting(request)
    view = view or queries.referral_page(actor, referral_id)
    if view.referral.state == "draft" and view.side is Side.RECEIVER:
        raise NotFound("referral")  # a draft is the sending team's until it is sent
    members = receiving_members(view)
    forms = _action_forms(view.actions, members, view.referral.kind == ReferralKind.TRANSFER_OF_CARE)
    if failed and form is not None:
        forms[failed] = form
    record = RecordPage(record=view.record, tasks=client_tasks(actor, view.referral.client_id), actor=actor)
    team = care_team(view.record.client)
    shown = ReferralView(page=view, record=record, forms=forms, failed=failed, members=members, care_team=team)
    return render_page(
        request,
        "handover/referral.jinja",
        {
            "title": f"Referral of {view.record.client.full_name}",
            "view": shown,
            "referral": view.referral,
            "client": view.record.client,
            "action_words": ACTION_WORDS,
            "escalation_to": ESCALATION_TO,
            "page_error": bool(form is not None and form.errors),
        },
    )


@page
@require_GET
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    return render_referral(request, referral_id)


# --- What a team does to a referral -------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One action: its form, the service call, what to tell the user, where to go after."""

    run: Callable[[Actor, int, PageForm], Referral]
    done: Callable[[Referral], str]
    form: type[PageForm] | None = None
    to_inbox: bool = False  # the team may no longer see the client afterwards


def _accepted(referral: Referral) -> str:
    if referral.kind == ReferralKind.TRANSFER_OF_CARE:
        team, client = referral.receiving_team.name, referral.client.full_name
        return f"You accepted the referral. {team} is now accountable for {client}."
    return f"You accepted the referral. {referral.sending_team.name} stays accountable; the work is your team's."


def _text(form: PageForm, name: str) -> str:
    return str(form.cleaned_data[name])


STEPS: dict[str, Step] = {
    "accept": Step(
        lambda actor, pk, form: services.accept_referral(actor, pk, lead_id=form.lead_id()),  # type: ignore[attr-defined]
        _accepted,
        AcceptForm,
    ),
    "decline": Step(
        lambda actor, pk, form: services.decline_referral(actor, pk, _text(form, "reason"), _text(form, "alternative")),
        lambda r: (
            f"You declined the referral of {r.client.full_name}. It has gone back to {r.sending_team.name} "
            "with your reason and the alternative you suggested."
        ),
        DeclineForm,
        to_inbox=True,
    ),
    "request_information": Step(
        lambda actor, pk, form: services.request_information(actor, pk, _text(form, "question")),
        lambda r: f"Your question has gone to {r.sending_team.name}. Your response clock keeps running.",
        QuestionForm,
    ),
    "provide_information": Step(
        lambda actor, pk, form: services.provide_information(actor, pk, _text(form, "reply")),
        lambda r: f"Your reply has gone to {r.receiving_team.name}.",
        ReplyForm,
    ),
    "stop_clock": Step(
        lambda actor, pk, form: services.stop_clock(actor, pk, _text(form, "stop_reason")),
        lambda r: "The response clock is stopped. Nothing escalates until you restart it.",
        StopClockForm,
    ),
    "restart_clock": Step(
        lambda actor, pk, form: services.restart_clock(actor, pk),
        lambda r: "The response clock is running again. The deadline has moved on by the time it was stopped.",
    ),
    "withdraw": Step(
        lambda actor, pk, form: services.withdraw_referral(actor, pk, _text(form, "withdraw_reason")),
        lambda r: f"The referral is withdrawn. {r.receiving_team.name} is told.",
        WithdrawForm,
    ),
}


def _form(request: HttpRequest, name: str, referral_id: int) -> tuple[PageForm, queries.ReferralPage | None]:
    step = STEPS[name]
    if step.form is AcceptForm:
        view = queries.referral_page(acting(request), referral_id)  # the members to choose from
        transfer = view.referral.kind == ReferralKind.TRANSFER_OF_CARE
        return AcceptForm(request.POST, members=receiving_members(view), transfer=transfer), view
    if step.form is None:
        return PageForm(request.POST), None
    return step.form(request.POST), None


def _after(request: HttpRequest, referral: Referral, step: Step) -> HttpResponse:
    target = reverse("worklist") if step.to_inbox else referral_url(referral.pk)
    if step.to_inbox or not is_htmx(request):
        messages.success(request, step.done(referral))
    if step.to_inbox and is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target  # a whole page: the referral may be out of sight now
        return response
    return HttpResponseRedirect(target)


def perform(request: HttpRequest, referral_id: int, name: str) -> HttpResponse:
    step = STEPS[name]
    form, view = _form(request, name, referral_id)
    if form.is_valid():
        try:
            referral = step.run(acting(request), referral_id, form)
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            return _after(request, referral, step)
    return render_referral(request, referral_id, failed=name, form=form, view=view)


def _action(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    def view(request: HttpRequest, referral_id: int) -> HttpResponse:
        return perform(request, referral_id, name)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = f"POST: {name.replace('_', ' ')} (handover.services)."
    return page(require_POST(view))


accept = _action("accept")
decline = _action("decline")
request_information = _action("request_information")
provide_information = _action("provide_information")
stop_clock = _action("stop_clock")
restart_clock = _action("restart_clock")
withdraw = _action("withdraw")


@page
@require_POST
def send(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Send a draft from its page: its gaps, if any, are shown on the draft's form."""
    actor = acting(request)
    try:
        referral = services.send_referral(actor, referral_id)
    except ValidationError:
        return HttpResponseRedirect(reverse("referral-edit", args=[referral_id]) + "?check=1")
    messages.success(
        request,
        f"Referral sent to {referral.receiving_team.name}. Your team stays accountable for "
        f"{referral.client.full_name} until they accept.",
    )
    return HttpResponseRedirect(referral_url(referral_id))
