"""Pages of the handover: refer a client (and change a draft), worklists, and disputes for the MDT.

Views parse, authorise and call handover.queries and handover.services (and
handover.disputes), which scope and audit every read and write: there is no ORM
access to client data here. The referral page and the actions on it (accept,
decline, ask...) are in handover.action_views.
"""

from __future__ import annotations

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
from joinedup.core.pages import acting, page, render_page, render_refusal, signed_in_user
from joinedup.directory.models import Team
from joinedup.directory.queries import teams_of
from joinedup.handover import config, disputes, queries, services
from joinedup.handover.forms import DecisionForm, ReferralForm, TeamFilterForm, grouped_teams
from joinedup.handover.models import Referral
from joinedup.handover.rules import Side

GET_POST = ["GET", "POST"]
SEND = "send"


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
