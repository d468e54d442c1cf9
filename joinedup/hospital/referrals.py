"""Draft referrals made by a follow-up rule: waiting for a person of the sending team to complete and send.

A draft carries no relationship and sends nothing: the sending team (the
client's accountable team, or the locality MDT when the referral is to the
accountable team itself) sees it among its drafts, its duty worker is named as
the referrer and told, and a person checks it before it goes. The handover
information set is prefilled with what the hospital said.
"""

from __future__ import annotations

from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.directory.models import Team
from joinedup.handover.models import Referral
from joinedup.handover.rules import ReferralKind
from joinedup.hospital import config
from joinedup.hospital.batch_state import ClientFacts
from joinedup.hospital.owners import Owners
from joinedup.tasks.services import notify


def _answer(text: str) -> dict[str, object]:
    return {"text": text[:4000], "not_known": False, "not_known_reason": ""}


def _sending_team(client: Client, receiving: Team, owners: Owners, facts: ClientFacts) -> tuple[Team, int] | None:
    """The accountable team (the locality MDT when the referral is to the accountable team), and its referrer."""
    sending = owners.team(client.accountable_team_id)  # the batch's directory: no query per referral
    if sending is None or sending.pk == receiving.pk:
        sending = owners.locality_mdt(facts.locality_id)
    referrer = (sending.duty_worker_id or sending.manager_id) if sending is not None else None
    if sending is None or referrer is None or sending.pk == receiving.pk:
        return None
    return sending, referrer


def draft_referral(
    client: Client,
    receiving: Team,
    request: str,
    urgency: str,
    rule: str,
    owners: Owners,
    facts: ClientFacts,
    note: str = "",
) -> Referral | None:
    """Draft a request for a service from the accountable team (or the locality MDT) to `receiving`."""
    found = _sending_team(client, receiving, owners, facts)
    if found is None:
        mdt = owners.locality_mdt(facts.locality_id)
        if mdt is not None:
            text = f"A referral to {receiving.name} for {client.full_name} could not be drafted: no team with a duty "
            notify(
                owners.members(mdt),
                text + "worker to send it. Please refer by hand.",
                client=client,
                link=f"/clients/{client.pk}/",
            )
        return None
    sending, referrer = found
    referral = Referral.objects.create(
        client=client,
        kind=ReferralKind.REQUEST_FOR_SERVICE.value,
        urgency=urgency,
        sending_team=sending,
        receiving_team=receiving,
        referrer_id=referrer,
        created_at=timezone.now(),
        information={"request": _answer(" ".join(part for part in (request, note) if part))},
    )
    summary = f"Draft referral to {receiving.name} prepared by the follow-up rule '{rule}', for {sending.name} to "
    add_timeline_event(
        client,
        "referral_drafted",
        summary + "complete and send",
        source="hospital",
        actor=config.feed_actor(),
        obj=referral,
    )
    audit.record(
        config.feed_actor(),
        "create",
        object_type="Referral",
        object_id=referral.pk,
        client_id=client.pk,
        reason=f"follow-up rule {rule}",
        detail={"to": receiving.pk, "draft": True},
    )
    notify(
        [referrer],
        f"A draft referral to {receiving.name} for {client.full_name} waits for you to complete and send",
        link=f"/referrals/{referral.pk}/",
        client=client,
    )
    return referral
