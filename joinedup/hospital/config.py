"""The hospital feed's configuration: settings, the follow-up rules file, and the teams it names."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from joinedup.core.access import SYSTEM, Actor
from joinedup.directory.models import Team
from joinedup.hospital.rule_config import RuleConfigError, load
from joinedup.hospital.rules import RuleSet

# Who acts when the feed changes a record: the system, through the HL7 channel.
FEED = replace(SYSTEM, username="hospital-feed", name="Hospital feed (HL7 v2)", channel="hl7")


def feed_actor() -> Actor:
    return FEED


@functools.cache
def rule_set() -> RuleSet:
    """The follow-up rules, read and checked once; a mistake stops start-up."""
    try:
        return load(Path(settings.JOINEDUP_HOSPITAL_RULES_FILE))
    except RuleConfigError as error:
        raise ImproperlyConfigured(f"Follow-up rules: {error}") from error


def reload_rules() -> RuleSet:
    rule_set.cache_clear()
    return rule_set()


def bounce_days() -> int:
    return int(settings.JOINEDUP_HOSPITAL_BOUNCE_DAYS)


def integration_team() -> Team:
    """The team that owns feed exceptions: it must exist, or the feed does not acknowledge anything."""
    name = settings.JOINEDUP_HOSPITAL_INTEGRATION_TEAM
    team = Team.objects.filter(name=name).first() if name else None
    if team is None:
        raise ImproperlyConfigured(
            f"JOINEDUP_HOSPITAL_INTEGRATION_TEAM names no team ({name!r}): feed exceptions need an owner"
        )
    return team


def default_team() -> Team | None:
    """Accountable for a new client whose GP practice is not known, if configured (it needs a locality)."""
    name = settings.JOINEDUP_HOSPITAL_DEFAULT_TEAM
    if not name:
        return None
    team = Team.objects.filter(name=name).select_related("locality").first()
    if team is None or team.locality_id is None:
        raise ImproperlyConfigured(f"JOINEDUP_HOSPITAL_DEFAULT_TEAM must name a team with a locality, not {name!r}")
    return team


def check() -> list[str]:
    """Problems that stop the listener from starting (empty when it may start)."""
    problems = []
    for probe in (integration_team, default_team, rule_set):
        try:
            probe()
        except ImproperlyConfigured as error:
            problems.append(str(error))
    return problems


LONDON = ZoneInfo("Europe/London")
