"""Pages of the handover: refer a client, the referral page, worklists, and disputes for the MDT.

Views parse, authorise and call handover.queries and handover.services (and
handover.disputes), which scope and audit every read and write: there is no ORM
access to client data here. The actions on a referral (accept, decline, ask...)
are in handover.action_views; this module renders the referral page they return to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.clients.forms import all_teams, with_members
from joinedup.clients.presentation import RecordPage
from joinedup.clients.queries import visible_client
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.core.forms import PageForm
from joinedup.core.pages import acting, page, render_page, render_refusal, signed_in_user
from joinedup.directory.models import Team
from joinedup.directory.queries import team_members, teams_of
from joinedup.handover import config, disputes, queries, services
from joinedup.handover.deadlines import EscalationLevel
from joinedup.handover.forms import (
    AcceptForm,
    DecisionForm,
    DeclineForm,
    QuestionForm,
    ReferralForm,
    ReplyForm,
    StopClockForm,
    TeamFilterForm,
    WithdrawForm,
    grouped_teams,
)
from joinedup.handover.models import Referral
from joinedup.handover.queries import ReferralPage
from joinedup.handover.rules import Action, ReferralKind, Side
from joinedup.tasks.queries import client_tasks

GET_POST = ["GET", "POST"]
SEND = "send"

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


def referral_url(referral_id: int, anchor: str = "") -> str:
    return reverse("referral", args=[referral_id]) + (f"#{anchor}" if anchor else "")


# --- Refer a client, and edit a draft ----------------------------------------------------------


def _receiving_teams(actor: Actor, client_locality_id: int | None, exclude: int | None) -> list[tuple[str, list[Team]]]:
    return grouped_teams((t for t in queries.referral_teams(actor) if t.pk != exclude), client_locality_id)


def _render_form(
    request: HttpRequest,
    form: ReferralForm,
    *,
    client: Any,
    draft: Referral | None = None,
    prefilled: frozenset[str] = frozenset(),
) -> HttpResponse:
    chosen = str(form["receiving_team"].value() or "") if "receiving_team" in form.fields else ""
    team_id = draft.receiving_team_id if draft else int(chosen) if chosen.isdigit() else None
    return render_page(
        request,
        "handover/refer.jinja",
        {
            "title": f"Edit the referral of {client.full_name}" if draft else f"Refer {client.full_name}",
            "client": client,
            "form": form,
            "draft": draft,
            "prefilled": prefilled,
            "deadlines": queries.deadlines_if_sent_now(team_id),
            "action": reverse("referral-edit", args=[draft.pk]) if draft else reverse("refer", args=[client.pk]),
            "page_error": bool(form.errors),
        },
    )


def _send(request: HttpRequest, referral: Referral) -> HttpResponse:
    messages.success(
        request,
        f"Referral sent to {referral.receiving_team.name}. Your team stays accountable for "
        f"{referral.client.full_name} until they accept.",
    )
    return HttpResponseRedirect(referral_url(referral.pk))


def _involved(client: Any) -> dict[str, str]:
    """Who else is involved, as far as the record knows: the accountable team, its lead, the GP."""
    lead = client.lead_professional
    lines = [
        f"{client.accountable_team.name} (accountable)" + (f", lead professional {lead.display_name}" if lead else "")
    ]
    if client.gp_practice_id:
        lines.append(f"GP practice: {client.gp_practice.name}")
    return {"others_involved": "\n".join(lines)}


def _sending(teams: list[Team], accountable: bool) -> int | None:
    """The team that refers when the form does not ask: the accountable one (None), or one's only team."""
    return None if accountable else teams[0].pk


@page
@require_http_methods(GET_POST)
def refer(request: HttpRequest, client_id: int) -> HttpResponse:
    actor = acting(request)
    client, _ = visible_client(actor, client_id, what="referral form")
    teams = list(teams_of(signed_in_user(request)))
    if not teams:
        return render_refusal(
            request, "Referrals are sent by a team: you are not a member of any.", title="Join a team"
        )
    accountable = client.accountable_team_id in actor.team_ids
    form = ReferralForm(
        request.POST or None,
        items=config.information_items(),
        receiving_teams=_receiving_teams(
            actor, client.locality_id, client.accountable_team_id if accountable else None
        ),
        sending_teams=[] if accountable else teams,
        may_transfer=accountable,
        initial={} if request.method == "POST" else {**_involved(client), **queries.prefill(actor, client_id)},
    )
    prefilled = frozenset(form.initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = services.NewReferral(
            client_id=client_id,
            receiving_team_id=int(data["receiving_team"]),
            kind=data["kind"],
            urgency=data["urgency"],
            information=form.information(),
            sending_team_id=int(data["sending_team"]) if data.get("sending_team") else _sending(teams, accountable),
        )
        try:
            referral = services.create_referral(actor, new)
        except ValidationError as error:
            form.apply(error)
        else:
            if request.POST.get("action") != SEND:
                messages.success(request, "The referral is saved as a draft. It has not been sent.")
                return HttpResponseRedirect(referral_url(referral.pk))
            try:
                referral = services.send_referral(actor, referral.pk)
            except ValidationError:
                # The draft is saved: show its gaps on the draft's own form.
                return HttpResponseRedirect(reverse("referral-edit", args=[referral.pk]) + "?check=1")
            return _send(request, referral)
    return _render_form(request, form, client=client, prefilled=prefilled)


@page
@require_http_methods(GET_POST)
def edit(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = acting(request)
    view = queries.referral_page(actor, referral_id)
    referral = view.referral
    if referral.state == "draft" and view.side is Side.RECEIVER:
        raise NotFound("referral")  # a draft is the sending team's until it is sent
    if referral.state != "draft" or view.side is not Side.SENDER:
        return render_refusal(
            request, "Only a draft can be changed, by the team that is sending it.", title="This referral is sent"
        )
    saved = ReferralForm.data_of(view.answers, kind=referral.kind, urgency=referral.urgency)
    check = request.method == "GET" and request.GET.get("check") == "1"
    form = ReferralForm(
        request.POST if request.method == "POST" else saved if check else None,
        items=view.items,
        may_transfer=referral.sending_team_id == view.record.client.accountable_team_id,
        initial=saved,
    )
    if check and form.is_valid():
        form.show_problems(view.problems)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.update_draft(
                actor, referral_id, information=form.information(), urgency=data["urgency"], kind=data["kind"]
            )
            if request.POST.get("action") == SEND:
                return _send(request, services.send_referral(actor, referral_id))
        except ValidationError as error:
            form.apply(error)
        else:
            messages.success(request, "The draft is saved. It has not been sent.")
            return HttpResponseRedirect(referral_url(referral_id))
    return _render_form(request, form, client=view.record.client, draft=referral)


# --- The referral page -------------------------------------------------------------------------


@dataclass
class ReferralView:
    """What the referral page shows, from what the queries returned."""

    page: ReferralPage
    record: RecordPage
    forms: dict[str, PageForm]
    failed: str = ""
    members: list[Any] = field(default_factory=list)

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
    shown = ReferralView(page=view, record=record, forms=forms, failed=failed, members=members)
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


# --- Worklists ---------------------------------------------------------------------------------

WORKLISTS = {
    "inbox": ("Inbox", "Referrals awaiting your team's response, soonest deadline first."),
    "sent": ("Sent", "Referrals awaiting the other team's response, and your drafts. Your team stays accountable."),
    "overdue": ("Overdue", "Referrals past their response deadline, sent or received."),
    "closed": ("Closed", "Referrals accepted, declined or withdrawn recently."),
}


def _worklist_rows(actor: Actor, which: str, team_id: int | None) -> list[Referral]:
    read = {"inbox": queries.inbox, "sent": queries.sent, "overdue": queries.overdue, "closed": queries.decided}
    return read[which](actor, team_id)


@page
@require_GET
def worklist(request: HttpRequest, which: str = "inbox") -> HttpResponse:
    actor = acting(request)
    teams = list(teams_of(signed_in_user(request)))
    if not teams:
        return render_refusal(request, "Referrals belong to teams: you are not a member of any.", title="Referrals")
    form = TeamFilterForm(request.GET or None, teams=teams)
    rows = _worklist_rows(actor, which, form.team_id())
    title, description = WORKLISTS[which]
    return render_page(
        request,
        "handover/worklist.jinja",
        {
            "title": f"Referrals: {title.lower()}",
            "which": which,
            "worklists": WORKLISTS,
            "description": description,
            "rows": [r for r in rows if r.state != "draft"],
            "drafts": [r for r in rows if r.state == "draft"],
            "counts": queries.worklist_counts(actor),
            "form": form,
            "several_teams": len(teams) > 1,
            "team_query": f"?team={form.team_id()}" if form.team_id() else "",
            "our_teams": actor.team_ids,
        },
    )


# --- Disputes, for the locality MDT ------------------------------------------------------------


@page
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    actor = acting(request)
    if not actor.mdt_locality_ids:
        return render_refusal(
            request, "Disputes are decided by the locality MDT, and you are not a member of one.", title="Disputes"
        )
    decided = request.GET.get("decided") == "1"
    return render_page(
        request,
        "handover/disputes.jinja",
        {"title": "Disputes", "rows": queries.disputes(actor, include_decided=decided), "decided": decided},
    )


@page
@require_http_methods(GET_POST)
def dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    actor = acting(request)
    found, record = queries.dispute_page(actor, dispute_id)
    teams = grouped_teams(with_members(all_teams().select_related("organisation")), found.locality_id)
    form = DecisionForm(request.POST or None, teams=teams, initial={"team": found.default_owner_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disputes.decide_dispute(actor, dispute_id, int(data["team"]), form.lead_id(), data["reasons"])
        except ValidationError as error:
            form.apply(error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The decision is recorded. The team is told, and is now accountable.")
            return HttpResponseRedirect(reverse("dispute", args=[dispute_id]))
    return render_page(
        request,
        "handover/dispute.jinja",
        {
            "title": f"Dispute about {record.client.full_name}",
            "dispute": found,
            "view": RecordPage(record=record, tasks=[], actor=actor),
            "client": record.client,
            "referrals": queries.dispute_referrals(found),
            "form": form,
            "page_error": bool(form.errors),
        },
    )
