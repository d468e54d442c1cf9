"""The handover's configuration, read from settings and team policies, validated once."""

from __future__ import annotations

import functools

from django.conf import settings

from joinedup.directory.models import Team
from joinedup.handover.deadlines import DEFAULT_RESPONSE_POLICY, ResponsePolicy, response_policy_from_config
from joinedup.handover.information import DEFAULT_INFORMATION_ITEMS, InformationItem, information_set_from_config
from joinedup.handover.rules import GovernanceModel


@functools.cache
def information_items() -> tuple[InformationItem, ...]:
    configured = settings.JOINEDUP_HANDOVER_INFORMATION_SET
    if not configured:
        return DEFAULT_INFORMATION_ITEMS
    return information_set_from_config({"items": configured})


def governance_model() -> GovernanceModel:
    return GovernanceModel(settings.JOINEDUP_GOVERNANCE_MODEL)


def response_policy(team: Team) -> ResponsePolicy:
    """The receiving team's own response times, or the defaults (emergency 2 h, urgent 1, routine 5 working days)."""
    policy = getattr(team, "response_policy", None)
    if policy is None:
        return DEFAULT_RESPONSE_POLICY
    return response_policy_from_config(policy.config)
