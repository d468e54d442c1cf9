"""The handover's configuration, read from settings and team policies, validated once."""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from joinedup.directory.models import Team
from joinedup.handover.deadlines import (
    DEFAULT_RESPONSE_POLICY,
    PolicyConfigError,
    ResponsePolicy,
    response_policy_from_config,
)
from joinedup.handover.information import (
    DEFAULT_INFORMATION_ITEMS,
    InformationItem,
    InformationSetConfigError,
    information_set_from_config,
)
from joinedup.handover.rules import GovernanceModel

logger = logging.getLogger(__name__)


@functools.cache
def information_items() -> tuple[InformationItem, ...]:
    configured = settings.JOINEDUP_HANDOVER_INFORMATION_SET
    if not configured:
        return DEFAULT_INFORMATION_ITEMS
    return information_set_from_config({"items": configured})


def governance_model() -> GovernanceModel:
    return GovernanceModel(settings.JOINEDUP_GOVERNANCE_MODEL)


def response_policy(team: Team) -> ResponsePolicy:
    """The receiving team's own response times, or the defaults (emergency 2 h, urgent 1, routine 5 working days).

    A policy that no longer validates falls back to the defaults, loudly: a deadline is never lost to a typo.
    """
    policy = getattr(team, "response_policy", None)
    if policy is None:
        return DEFAULT_RESPONSE_POLICY
    try:
        return response_policy_from_config(policy.config)
    except PolicyConfigError as error:
        logger.error("Response policy of %s is invalid, defaults used: %s", team, error)
        return DEFAULT_RESPONSE_POLICY


def check_settings() -> None:
    """Refuse to start with a handover setting that would fail later (called at start-up)."""
    try:
        governance_model()
    except ValueError as error:
        raise ImproperlyConfigured(
            f"JOINEDUP_GOVERNANCE_MODEL must be one of {[m.value for m in GovernanceModel]}"
        ) from error
    try:
        information_items.cache_clear()
        information_items()
    except InformationSetConfigError as error:
        raise ImproperlyConfigured(f"JOINEDUP_HANDOVER_INFORMATION_SET: {error}") from error
