"""The crisis pathway's settings, read and checked once (at start-up, by CrisisConfig.ready)."""

from __future__ import annotations

import functools
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from joinedup.core.working_time import WorkingHours
from joinedup.crisis.rules import ServiceHoursConfigError, ServiceKey, service_hours_from_config

_POSITIVE = (
    "JOINEDUP_CRISIS_BOARD_POLL_SECONDS",
    "JOINEDUP_CRISIS_RELATIONSHIP_HOURS",
    "JOINEDUP_CRISIS_ROTA_LOOKAHEAD_HOURS",
)


def _raw_hours() -> Any:
    raw = settings.JOINEDUP_CRISIS_SERVICE_HOURS
    if isinstance(raw, str):
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise ServiceHoursConfigError([f"not valid JSON ({error.msg})"]) from error
    return raw


@functools.cache
def _cached_hours(raw: str) -> dict[ServiceKey, WorkingHours]:
    return service_hours_from_config(json.loads(raw))


def service_hours() -> dict[ServiceKey, WorkingHours]:
    """Each crisis service's hours (the defaults, or JOINEDUP_CRISIS_SERVICE_HOURS)."""
    return _cached_hours(json.dumps(_raw_hours(), sort_keys=True))


def poll_seconds() -> int:
    return int(settings.JOINEDUP_CRISIS_BOARD_POLL_SECONDS)


def relationship_hours() -> int:
    return int(settings.JOINEDUP_CRISIS_RELATIONSHIP_HOURS)


def lookahead_hours() -> int:
    return int(settings.JOINEDUP_CRISIS_ROTA_LOOKAHEAD_HOURS)


def board_shared_seconds() -> int:
    return int(settings.JOINEDUP_CRISIS_BOARD_SHARED_SECONDS)


def bridging_packages_per_day() -> int:
    return int(settings.JOINEDUP_CRISIS_BRIDGING_PACKAGES_PER_DAY)


def check_settings() -> None:
    """Refuse to start with crisis settings that would fail when a crisis is raised."""
    try:
        service_hours()
    except ServiceHoursConfigError as error:
        raise ImproperlyConfigured(f"JOINEDUP_CRISIS_SERVICE_HOURS: {'; '.join(error.errors)}") from error
    for name in _POSITIVE:
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 1:
            raise ImproperlyConfigured(f"{name} must be a whole number of 1 or more, not {value!r}")
    for name in ("JOINEDUP_CRISIS_BRIDGING_PACKAGES_PER_DAY", "JOINEDUP_CRISIS_BOARD_SHARED_SECONDS"):
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 0:
            raise ImproperlyConfigured(f"{name} must be 0 or more, not {value!r}")
