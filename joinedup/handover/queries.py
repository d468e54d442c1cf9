"""Reads of referrals and disputes, scoped to the actor's teams and audited like every client read."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from joinedup.clients.models import Client, ConsentToShare, NeedStatus
from joinedup.clients.queries import ClientRecord, client_record
from joinedup.core import audit
from joinedup.core.access import Actor, visible_clients
from joinedup.core.audit import Entry
from joinedup.core.errors import NotFound
from joinedup.handover import config
from joinedup.handover.deadlines import DEFAULT_RESPONSE_POLICY, Urgency, response_deadline
from joinedup.handover.information import Answer, InformationItem, check_complete
from joinedup.handover.models import OPEN_STATES, Dispute, DisputeState, Referral
from joinedup.handover.rules import Action, Side, allowed_actions
from joinedup.handover.services import answers, clock_stopped, side_of

_RELATED = ("client", "sending_team", "receiving_team", "referrer", "work_owner")
# Worklists show who, what and when: the handover answers stay in the database until the referral is
# opened, and of the people and teams only what names them is loaded (half an inbox's time was objects).
_PERSON = ("id", "username", "first_name", "last_name")
_LIST_FIELDS = (
    *(f.name for f in Referral._meta.concrete_fields if f.name != "information"),
    "client__id",
    "client__given_name",
    "client__family_name",
    "client__nhs_number",
    "client__date_of_birth",
    "client__locality_id",
    "client__accountable_team_id",
    "sending_team__id",
    "sending_team__name",
    "sending_team__organisation_id",
    "receiving_team__id",
    "receiving_team__name",
    "receiving_team__organisation_id",
    *(f"referrer__{name}" for name in _PERSON),
    *(f"work_owner__{name}" for name in _PERSON),
)


def _audited(actor: Actor, referrals: list[Referral], list_name: str) -> list[Referral]:
    visible = set(visible_clients(actor, among={r.client_id for r in referrals}).values_list("pk", flat=True))
    shown = [r for r in referrals if r.client_id in visible]
    if shown:
        with transaction.atomic():
            audit.record_many(actor, [Entry("list", "Referral", r.pk, r.client_id, list_name) for r in shown])
    return shown


def _teams(actor: Actor, team_id: int | None) -> set[int]:
    if team_id is None:
        return set(actor.team_ids)
    if team_id not in actor.team_ids:
        raise NotFound("team")
    return {team_id}


def _by_deadline(rows: QuerySet[Referral], team_field: str, teams: set[int], limit: int) -> list[Referral]:
    """Soonest deadline first across the teams: one indexed query of ids per team, merged here
    (PostgreSQL cannot read `team IN (a, b) ORDER BY deadline` from the index in order and sorts
    everything), then the page's referrals in one query."""
    per_team = [
        list(rows.filter(**{team_field: team}).order_by("deadline_at", "id").values_list("deadline_at", "id")[:limit])
        for team in sorted(teams)
    ]
    ids = [pk for _, pk in heapq.merge(*per_team)][:limit]
    found = rows.filter(pk__in=ids).select_related(*_RELATED).only(*_LIST_FIELDS).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def inbox(actor: Actor, team_id: int | None = None, *, limit: int = 100) -> list[Referral]:
    """Referrals awaiting our response, soonest deadline first."""
    rows = Referral.objects.filter(state__in=OPEN_STATES)
    return _audited(actor, _by_deadline(rows, "receiving_team_id", _teams(actor, team_id), limit), "inbox")


def sent(actor: Actor, team_id: int | None = None, *, limit: int = 100) -> list[Referral]:
    """Referrals awaiting their response, and our drafts."""
    rows = Referral.objects.filter(sending_team_id__in=_teams(actor, team_id), state__in=(*OPEN_STATES, "draft"))
    rows = rows.select_related(*_RELATED).only(*_LIST_FIELDS).order_by("deadline_at", "id")
    return _audited(actor, list(rows[:limit]), "sent referrals")


def overdue(actor: Actor, team_id: int | None = None, *, limit: int = 100) -> list[Referral]:
    teams = _teams(actor, team_id)
    rows = Referral.objects.filter(
        Q(receiving_team_id__in=teams) | Q(sending_team_id__in=teams),
        state__in=OPEN_STATES,
        deadline_at__lte=timezone.now(),
    )
    return _audited(
        actor,
        list(rows.select_related(*_RELATED).only(*_LIST_FIELDS).order_by("deadline_at", "id")[:limit]),
        "overdue",
    )


def decided(actor: Actor, team_id: int | None = None, *, limit: int = 50) -> list[Referral]:
    """Recently closed referrals of our teams, either side."""
    teams = _teams(actor, team_id)
    rows = Referral.objects.filter(Q(receiving_team_id__in=teams) | Q(sending_team_id__in=teams)).exclude(
        state__in=(*OPEN_STATES, "draft")
    )
    return _audited(
        actor,
        list(rows.select_related(*_RELATED).only(*_LIST_FIELDS).order_by("-updated_at")[:limit]),
        "closed referrals",
    )


def disputes(actor: Actor, *, include_decided: bool = False) -> list[Dispute]:
    """Disputes of the localities whose MDT the actor is in, about clients the actor may see
    (a client who refuses consent is listed only inside the holding organisation)."""
    rows = Dispute.objects.filter(locality_id__in=actor.mdt_locality_ids, client__in=visible_clients(actor))
    if not include_decided:
        rows = rows.filter(state=DisputeState.OPEN)
    found = list(
        rows.select_related("client", "default_owner", "organisation_a", "organisation_b", "decided_team").order_by(
            "decide_by", "id"
        )[:200]
    )
    if found:
        with transaction.atomic():
            audit.record_many(actor, [Entry("list", "Dispute", d.pk, d.client_id, "locality MDT") for d in found])
    return found


@dataclass(frozen=True)
class WorklistCounts:
    inbox: int
    sent: int
    overdue: int
    disputes: int


def worklist_counts(actor: Actor) -> WorklistCounts:
    """Counts for the header: no client data, so nothing to audit."""
    teams = list(actor.team_ids)
    open_rows = Referral.objects.filter(state__in=OPEN_STATES)
    counts = open_rows.aggregate(
        inbox=Count("pk", filter=Q(receiving_team_id__in=teams)),
        sent=Count("pk", filter=Q(sending_team_id__in=teams)),
        overdue=Count(
            "pk",
            filter=(Q(receiving_team_id__in=teams) | Q(sending_team_id__in=teams)) & Q(deadline_at__lte=timezone.now()),
        ),
    )
    open_disputes = Dispute.objects.filter(locality_id__in=actor.mdt_locality_ids, state=DisputeState.OPEN).count()
    return WorklistCounts(counts["inbox"], counts["sent"], counts["overdue"], open_disputes)


@dataclass(frozen=True)
class ReferralPage:
    """Everything the receiving (or sending) team needs on one page."""

    referral: Referral
    side: Side | None  # None: a member of the client's locality MDT, reading only
    record: ClientRecord
    items: tuple[InformationItem, ...]
    answers: dict[str, Answer]
    problems: dict[str, str]
    actions: frozenset[Action]
    clock_stopped: bool
    transitions: list
    escalations: list


def referral_page(actor: Actor, referral_id: int) -> ReferralPage:
    referral = Referral.objects.select_related(*_RELATED).filter(pk=referral_id).first()
    side = side_of(actor, referral) if referral else None
    if referral is not None and referral.state == "draft" and side is Side.RECEIVER:
        side = None  # a draft is the sending team's until it is sent
    # The locality MDT follows every handover of its clients (it decides the disputes), read-only.
    mdt_reader = (
        referral is not None
        and side is None
        and referral.state != "draft"
        and referral.client.locality_id in actor.mdt_locality_ids
    )
    if referral is None or (side is None and not mdt_reader):
        with transaction.atomic():
            audit.record(
                actor,
                "view",
                object_type="Referral",
                object_id=referral_id,
                outcome="refused",
                reason="not in the sending or receiving team",
            )
        raise NotFound("referral")
    record = client_record(actor, referral.client_id)  # audited; NotFound if consent now forbids it
    with transaction.atomic():
        audit.record(
            actor,
            "view",
            object_type="Referral",
            object_id=referral.pk,
            client_id=referral.client_id,
            reason=f"{side.value} of the referral" if side else "member of the locality MDT",
        )
    items = config.information_items()
    stopped = clock_stopped(referral)
    return ReferralPage(
        referral=referral,
        side=side,
        record=record,
        items=items,
        answers=answers(referral),
        problems={p.key: p.message for p in check_complete(answers(referral), items)},
        actions=allowed_actions(referral.state, side, clock_stopped=stopped) if side else frozenset(),
        clock_stopped=stopped,
        transitions=list(referral.transitions.select_related("actor")),
        escalations=list(referral.escalations.select_related("recipient")),
    )


def dispute_page(actor: Actor, dispute_id: int) -> tuple[Dispute, ClientRecord]:
    dispute = (
        Dispute.objects.select_related(
            "client", "default_owner", "organisation_a", "organisation_b", "decided_team", "decided_lead"
        )
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None or dispute.locality_id not in actor.mdt_locality_ids:
        raise NotFound("dispute")
    return dispute, client_record(actor, dispute.client_id)


def prefill(actor: Actor, client_id: int) -> dict[str, str]:
    """Handover answers drawn from the record, for the sender to check and complete.

    Reads through the same audited, scoped record as the page the sender came from.
    """
    record = client_record(actor, client_id)
    by_category: dict[str, list[str]] = {}
    for need in record.needs:
        if need.status == NeedStatus.OPEN:
            by_category.setdefault(need.category, []).append(need.description)
    groups = {
        "needs_physical_health": ["physical_health"],
        "needs_mental_health": ["mental_health", "cognition"],
        "needs_social_care": ["personal_care", "housing", "carer"],
        "risk_safeguarding": ["safeguarding"],
    }
    result = {key: "\n".join(d for c in cats for d in by_category.get(c, [])) for key, cats in groups.items()}
    client = record.client
    if client.consent_to_share == ConsentToShare.GIVEN and record.consent:
        latest = record.consent[0]
        result["consent_or_lawful_basis"] = (
            f"Consent to share given on {timezone.localtime(latest.recorded_at):%d %B %Y}"
            + (f": {latest.note}" if latest.note else "")
        )
    return {key: value for key, value in result.items() if value}


def referral_teams(actor: Actor) -> QuerySet:
    """Teams a referral can go to (any team; the directory is not personal data)."""
    from joinedup.directory.models import Team

    return Team.objects.select_related("organisation", "locality").order_by("name")


def client_referrals(actor: Actor, client: Client) -> list[Referral]:
    """The referrals of a client whose record the caller already shows (for the record page)."""
    return list(client.referrals.select_related("sending_team", "receiving_team").order_by("-created_at")[:50])


def deadlines_if_sent_now(team_id: int | None = None) -> dict[str, tuple[str, datetime]]:
    """For the referral form: each urgency's response time and the deadline if sent now, in the
    receiving team's own policy (the defaults when no team is chosen). Directory data only."""
    from joinedup.directory.models import Team

    team = Team.objects.select_related("response_policy").filter(pk=team_id).first() if team_id else None
    policy = config.response_policy(team) if team is not None else DEFAULT_RESPONSE_POLICY
    now = timezone.now()
    return {
        urgency.value: (str(policy.respond_within(urgency)), response_deadline(now, urgency, policy))
        for urgency in Urgency
    }


def dispute_referrals(dispute: Dispute) -> list[Referral]:
    """The referrals that bounced, oldest decision first, of a dispute the caller already shows."""
    return list(dispute.referrals.select_related("sending_team", "receiving_team").order_by("decided_at", "id"))
