"""Hooks other parts of JoinedUp register with to hear what the hospital feed learns.

- `on_admission(callback)`: called for every admission the feed stores (a new
  inpatient stay, or an expected one that happens), inside the feed's
  transaction, after the stay is written. The crisis pathway uses it to link an
  admission within 48 hours to an open crisis request. A callback that raises is
  rolled back to its own savepoint and logged: it never refuses the hospital's
  message, whose acknowledgement must say only whether the admission was stored.
- `on_admissions(callback)`: the same, once per batch with all its admissions, for a part
  that can look them up together (the crisis pathway does: one query for a batch of 500,
  rather than one per admission).
- `on_open_care_package_check(callback)`: tells the follow-up rules which clients
  have an open care package (the `has_open_care_package` condition). Until a part
  of JoinedUp that records care packages registers one, no client has one.

Register in your AppConfig.ready().
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

logger = logging.getLogger("joinedup.hospital")


@dataclass(frozen=True)
class Admission:
    client_id: int
    spell_id: int
    admitted_at: datetime
    facility: str
    location: str


AdmissionHook = Callable[[Admission], None]
AdmissionsHook = Callable[[list[Admission]], None]
CarePackageCheck = Callable[[Collection[int]], set[int]]

_admission_hooks: list[AdmissionHook] = []
_admissions_hooks: list[AdmissionsHook] = []
_care_package_checks: list[CarePackageCheck] = []


def on_admission(callback: AdmissionHook) -> AdmissionHook:
    """Register a callback for admissions (usable as a decorator). Registering twice is harmless."""
    if callback not in _admission_hooks:
        _admission_hooks.append(callback)
    return callback


def on_admissions(callback: AdmissionsHook) -> AdmissionsHook:
    """Register a callback for each batch's admissions, all at once. Registering twice is harmless."""
    if callback not in _admissions_hooks:
        _admissions_hooks.append(callback)
    return callback


def on_open_care_package_check(callback: CarePackageCheck) -> CarePackageCheck:
    if callback not in _care_package_checks:
        _care_package_checks.append(callback)
    return callback


def forget(callback: Callable) -> None:
    """Unregister (tests)."""
    for registry in (_admission_hooks, _admissions_hooks, _care_package_checks):
        if callback in registry:
            registry.remove(callback)


def tell_admissions(admissions: Iterable[Admission]) -> None:
    """Call every admission hook for each admission, each call in its own savepoint."""
    admissions = list(admissions)
    if not admissions:
        return
    for batch_callback in list(_admissions_hooks):
        try:
            with transaction.atomic():
                batch_callback(admissions)
        except Exception:  # a hook's failure must not refuse the hospital's messages
            logger.exception("Admissions hook %s failed for %d admissions", batch_callback, len(admissions))
    for callback in list(_admission_hooks):
        for admission in admissions:
            try:
                with transaction.atomic():
                    callback(admission)
            except Exception:  # a hook's failure must not refuse the hospital's message
                logger.exception("Admission hook %s failed for spell %s", callback, admission.spell_id)


def clients_with_open_care_package(client_ids: Collection[int]) -> set[int]:
    found: set[int] = set()
    for check in list(_care_package_checks):
        found |= check(client_ids)
    return found
