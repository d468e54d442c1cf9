"""Referrals for tests: complete handover information, and a mental health team to refer to."""

from __future__ import annotations

from joinedup.directory.models import Profession, Service, Team, TeamKind
from joinedup.handover.information import DEFAULT_INFORMATION_ITEMS
from joinedup.handover.services import NewReferral, create_referral, send_referral
from tests.factories import Borough, practitioner


def complete_information(**overrides: object) -> dict[str, object]:
    answers: dict[str, object] = {item.key: f"Answer to {item.question.lower()}" for item in DEFAULT_INFORMATION_ITEMS}
    answers["access_to_home"] = {"text": "", "not_known": True, "not_known_reason": "Never visited; ask the daughter"}
    answers.update(overrides)
    return answers


def mental_health_team(b: Borough) -> Team:
    """A community mental health team (another organisation) with a duty worker and a manager."""
    team = Team.objects.filter(name="North Community Mental Health").first()
    if team:
        return team
    team = Team.objects.create(
        name="North Community Mental Health",
        kind=TeamKind.SERVICE,
        service=Service.COMMUNITY_MENTAL_HEALTH,
        locality=b.north,
        organisation=b.mental_health,
    )
    b.people["mh.duty"] = practitioner(
        "mh.duty", b.mental_health, profession=Profession.MENTAL_HEALTH_PRACTITIONER, teams=(team,)
    )
    b.people["mh.manager"] = practitioner("mh.manager", b.mental_health, profession=Profession.MANAGER, teams=(team,))
    team.duty_worker, team.manager = b.people["mh.duty"], b.people["mh.manager"]
    team.save()
    return team


def sent_referral(
    b: Borough,
    client,
    *,
    kind: str = "transfer_of_care",
    urgency: str = "urgent",
    by: str = "ot.north",
    to: Team | None = None,
):
    to = to or mental_health_team(b)
    referral = create_referral(b.actor(by), NewReferral(client.pk, to.pk, kind, urgency, complete_information()))
    return send_referral(b.actor(by), referral.pk)
