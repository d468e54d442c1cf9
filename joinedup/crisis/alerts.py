"""Gaps in a rota are never silent: an alert, a task for the service manager, and notifications.

A gap found when a crisis is raised (it went to the fallback, or to the locality MDT when
there is no rota), and a gap found ahead by `joinedup tick` (crisis.tick), once per gap.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import SYSTEM
from joinedup.crisis.models import Crisis, Rota, RotaAlert
from joinedup.crisis.routing import Routed
from joinedup.tasks.services import create_task, notify

SOURCE = "crisis"


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%B} {local:%H:%M}"


def alert_gap_at_raise(crisis: Crisis, routed: Routed) -> RotaAlert:
    """A crisis had to go past its first choice: tell the people who can fill the gap (caller's transaction)."""
    rota = routed.rota
    message = f"Crisis #{crisis.pk} in {crisis.locality.name} at {_when(crisis.raised_at)}: {crisis.route_gap}"
    people: list[int | None]
    if rota is not None:
        people, person, team_id = [rota.manager_id, rota.fallback_id], rota.manager_id, None
        title = f"Fill the gap in the {rota}: {crisis.route_gap.lower()}"
    else:
        mdt = routed.last_resort
        people, person, team_id = [mdt.manager_id, mdt.duty_worker_id], None, mdt.pk
        title = f"Set up an on-call rota for {crisis.locality.name} ({crisis.get_sector_display().lower()})"
    task = create_task(
        SYSTEM, title=title[:200], due_at=timezone.now(), owner_practitioner_id=person, owner_team_id=team_id,
        source=SOURCE, source_ref=f"crisis:{crisis.pk}:gap",
    )  # fmt: skip
    alert = RotaAlert.objects.create(
        rota=rota, locality=crisis.locality, crisis=crisis, kind=RotaAlert.AT_RAISE, starts_at=crisis.raised_at,
        message=message[:400], raised_at=timezone.now(), task=task,
    )  # fmt: skip
    notify(people, f"Rota gap: {message}"[:400], link="/crisis/rotas/")
    audit.record(SYSTEM, "alert", object_type="RotaAlert", object_id=alert.pk, reason="rota gap at raise")
    return alert


def alert_gap_ahead(rota: Rota, starts_at: datetime, ends_at: datetime) -> RotaAlert | None:
    """Nobody is on call from `starts_at` to `ends_at`: one alert per gap, whatever how often the tick runs."""
    if RotaAlert.objects.filter(rota=rota, kind=RotaAlert.AHEAD, starts_at=starts_at).exists():
        return None
    message = f"Nobody is on call on the {rota} from {_when(starts_at)} to {_when(ends_at)}"
    try:
        with transaction.atomic():
            task = create_task(
                SYSTEM, title=f"Fill the rota gap: {message}"[:200], due_at=starts_at,
                owner_practitioner_id=rota.manager_id, source=SOURCE,
                source_ref=f"rota:{rota.pk}:gap:{starts_at.isoformat()}",
            )  # fmt: skip
            alert = RotaAlert.objects.create(
                rota=rota, locality=rota.locality, kind=RotaAlert.AHEAD, starts_at=starts_at, ends_at=ends_at,
                message=message[:400], raised_at=timezone.now(), task=task,
            )  # fmt: skip
            notify([rota.manager_id, rota.fallback_id], message, link="/crisis/rotas/")
            audit.record(SYSTEM, "alert", object_type="RotaAlert", object_id=alert.pk, reason="rota gap ahead")
    except IntegrityError:
        return None  # another tick raised it a moment ago
    return alert
