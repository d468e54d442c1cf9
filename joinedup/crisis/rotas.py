"""Editing on-call rotas: shifts (one or repeated weekly), the service manager and the named fallback,
and brokerage's bridging capacity for a day. Directory data, no client's: audited all the same.

Who may edit a rota: its service manager, a team manager of its on-call team, or a system
administrator. Times are typed on the London wall clock (crisis.rules.london_moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.core.roles import Role
from joinedup.crisis.models import BridgingCapacity, Rota, RotaShift
from joinedup.crisis.rules import FIRST_ON_CALL, SECOND_ON_CALL, NonexistentLocalTime, london_moment
from joinedup.directory.models import Practitioner, Service

MAX_SHIFT = timedelta(days=7)
MAX_REPEAT_WEEKS = 12


def may_edit(actor: Actor, rota: Rota) -> bool:
    if actor.has_role(Role.SYSTEM_ADMINISTRATOR) or rota.manager_id == actor.user_id:
        return True
    return actor.has_role(Role.TEAM_MANAGER) and rota.team_id in actor.team_ids


def _editable(actor: Actor, rota_id: int) -> Rota:
    rota = Rota.objects.select_for_update(of=("self",)).select_related("locality", "team").filter(pk=rota_id).first()
    if rota is None:
        raise NotFound("rota")
    if not may_edit(actor, rota):
        raise Refused("Only the rota's service manager, a manager of its team or a system administrator can change it")
    return rota


@dataclass(frozen=True)
class NewShift:
    practitioner_id: int
    start_day: date
    start_time: time
    end_day: date
    end_time: time
    position: int = FIRST_ON_CALL
    repeat_weeks: int = 1  # the same shift this many weeks running


def _moments(new: NewShift) -> list[tuple[datetime, datetime]]:
    problems: dict[str, str] = {}
    if new.position not in (FIRST_ON_CALL, SECOND_ON_CALL):
        problems["position"] = "Choose first or second on call"
    if not 1 <= new.repeat_weeks <= MAX_REPEAT_WEEKS:
        problems["repeat_weeks"] = f"Repeat for 1 to {MAX_REPEAT_WEEKS} weeks"
    if not Practitioner.objects.filter(pk=new.practitioner_id, is_active=True).exists():
        problems["practitioner"] = "Choose an active practitioner"
    moments = []
    for week in range(max(1, min(new.repeat_weeks, MAX_REPEAT_WEEKS))):
        shift = timedelta(weeks=week)
        try:
            starts = london_moment(new.start_day + shift, new.start_time)
        except NonexistentLocalTime as error:
            problems.setdefault("start_day", str(error))
            continue
        try:
            ends = london_moment(new.end_day + shift, new.end_time)
        except NonexistentLocalTime as error:
            problems.setdefault("end_day", str(error))
            continue
        if ends <= starts:
            problems.setdefault("end_day", "The shift must end after it starts")
        elif ends - starts > MAX_SHIFT:
            problems.setdefault("end_day", "A shift lasts 7 days at most: add another for the week after")
        moments.append((starts, ends))
    if problems:
        raise ValidationError(problems)
    return moments


def add_shifts(actor: Actor, rota_id: int, new: NewShift) -> list[RotaShift]:
    """Put someone on call (weekly, `repeat_weeks` times); never twice at once on the same rota."""
    moments = _moments(new)
    if moments[-1][1] <= timezone.now():
        raise ValidationError({"end_day": "The shift is over already: give a shift to come"})
    with transaction.atomic():
        rota = _editable(actor, rota_id)
        now = timezone.now()
        shifts = []
        for starts, ends in moments:
            clash = RotaShift.objects.filter(
                rota=rota, practitioner_id=new.practitioner_id, starts_at__lt=ends, ends_at__gt=starts
            ).exists()
            if clash:
                raise ValidationError({"practitioner": "This person is already on call on this rota at that time"})
            shifts.append(
                RotaShift(
                    rota=rota,
                    practitioner_id=new.practitioner_id,
                    starts_at=starts,
                    ends_at=ends,
                    position=new.position,
                    created_by_id=actor.user_id,
                    created_at=now,
                )
            )
        created = RotaShift.objects.bulk_create(shifts)
        audit.record(
            actor, "create", object_type="RotaShift", object_id=rota.pk, reason="rota edited",
            detail={"rota": rota.pk, "practitioner": new.practitioner_id, "shifts": len(created),
                    "first": moments[0][0].isoformat()},
        )  # fmt: skip
    return created


def remove_shift(actor: Actor, shift_id: int) -> RotaShift | None:
    """Take a shift off the rota: one to come is removed; one under way ends now; a past one stays."""
    with transaction.atomic():
        shift = RotaShift.objects.select_related("rota").filter(pk=shift_id).first()
        if shift is None:
            raise NotFound("shift")
        _editable(actor, shift.rota_id)
        now = timezone.now()
        if shift.ends_at <= now:
            raise Refused("This shift is over: it stays on the rota's history")
        detail = {
            "rota": shift.rota_id,
            "practitioner": shift.practitioner_id,
            "starts_at": shift.starts_at.isoformat(),
        }
        if shift.starts_at >= now:
            shift.delete()
            result = None
        else:
            shift.ends_at = now
            shift.save(update_fields=["ends_at"])
            result = shift
        audit.record(actor, "delete", object_type="RotaShift", object_id=shift_id, reason="rota edited", detail=detail)
    return result


def set_rota_people(actor: Actor, rota_id: int, manager_id: int, fallback_id: int) -> Rota:
    """Name the service manager and the fallback (who owns a crisis when nobody is on call)."""
    active = set(
        Practitioner.objects.filter(pk__in=[manager_id, fallback_id], is_active=True).values_list("pk", flat=True)
    )
    problems = {}
    if manager_id not in active:
        problems["manager"] = "Choose an active practitioner as service manager"
    if fallback_id not in active:
        problems["fallback"] = "Choose an active practitioner as the named fallback"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        rota = _editable(actor, rota_id)
        before = {"manager": rota.manager_id, "fallback": rota.fallback_id}
        rota.manager_id, rota.fallback_id = manager_id, fallback_id
        rota.save(update_fields=["manager", "fallback"])
        audit.record(
            actor, "update", object_type="Rota", object_id=rota.pk, reason="rota edited",
            detail={"before": before, "manager": manager_id, "fallback": fallback_id},
        )  # fmt: skip
    return rota


def may_set_capacity(actor: Actor) -> bool:
    if actor.has_role(Role.SYSTEM_ADMINISTRATOR):
        return True
    from joinedup.directory.models import Team

    return Team.objects.filter(pk__in=actor.team_ids, service=Service.BROKERAGE).exists()


def set_bridging_capacity(actor: Actor, day: date, packages: int) -> BridgingCapacity:
    """How many bridging packages brokerage can start on `day`."""
    if not may_set_capacity(actor):
        raise Refused("Only the brokerage team sets its capacity")
    if not 0 <= packages <= 500:
        raise ValidationError({"packages": "Enter a number of packages from 0 to 500"})
    if day < timezone.localdate():
        raise ValidationError({"day": "Set the capacity of today or a day to come"})
    with transaction.atomic():
        capacity, _ = BridgingCapacity.objects.update_or_create(
            day=day, defaults={"packages": packages, "set_by_id": actor.person_id, "set_at": timezone.now()}
        )
        audit.record(
            actor, "update", object_type="BridgingCapacity", object_id=day.isoformat(), reason="capacity set",
            detail={"packages": packages},
        )  # fmt: skip
    return capacity
