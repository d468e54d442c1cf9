"""The hospital feed's agenda source for the locality MDT: clients readmitted or bounced since the last meeting.

Registered in HospitalConfig.ready() with careplans' registry (hospital depends on careplans, never
the other way: ADR 0040). Like every agenda source it reads, checks no access (the agenda keeps only
the clients the coordinator may see) and writes nothing.

A readmission is an inpatient stay admitted in the period within the bounce window
(JOINEDUP_HOSPITAL_BOUNCE_DAYS) of the client's last inpatient discharge before it; a bounce is what
the feed recorded as one (BounceEvent: within the window, or before the discharge follow-up was
done). A stay whose admission was cancelled (entered in error) is neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from joinedup.careplans.agenda import day_words
from joinedup.careplans.rules.agenda import PRIORITY_READMISSION, Period, Proposal
from joinedup.hospital import config
from joinedup.hospital.models import BounceEvent, Spell
from joinedup.hospital.spells import SpellKind, SpellStatus

SOURCE = "readmissions"
_TAKEN = (SpellStatus.ADMITTED.value, SpellStatus.DISCHARGED.value)


@dataclass(frozen=True)
class Readmission:
    spell_id: int
    client_id: int
    admitted_at: datetime
    discharged_before: datetime  # the discharge it followed
    discharged_at: datetime | None  # of this stay, if it has ended
    bounce: BounceEvent | None


def readmission_reason(found: Readmission) -> str:
    """The reason as the meeting reads it: "Readmitted 3 March, 9 days after discharge on 22 February"..."""
    admitted, before = timezone.localtime(found.admitted_at).date(), timezone.localtime(found.discharged_before).date()
    days = (admitted - before).days
    text = (
        f"Readmitted {day_words(admitted)}, {days} day{'' if days == 1 else 's'} after discharge on {day_words(before)}"
    )
    if found.bounce is not None:
        text += " (a bounce, before the discharge follow-up was done)" if found.bounce.open_follow_up else " (a bounce)"
    if found.discharged_at is None:
        return text + "; still in hospital"
    return text + f"; discharged again on {day_words(found.discharged_at)}"


def _spells_in(locality_id: int, period: Period) -> dict[int, tuple[int, datetime, datetime | None]]:
    """Inpatient stays of the locality's clients admitted in the period, and those the feed found bounced in it."""
    taken = Spell.objects.filter(client__locality_id=locality_id, kind=SpellKind.INPATIENT.value, status__in=_TAKEN)
    admitted = taken.filter(admitted_at__gte=period.start, admitted_at__lt=period.end)
    bounced = taken.filter(bounce__occurred_at__gte=period.start, bounce__occurred_at__lt=period.end)
    return {
        pk: (client_id, admitted_at, discharged_at)
        for query in (admitted, bounced)
        for pk, client_id, admitted_at, discharged_at in query.values_list(
            "pk", "client_id", "admitted_at", "discharged_at"
        )
        if admitted_at is not None
    }


def _discharges(client_ids: set[int], since: datetime, until: datetime) -> dict[int, list[tuple[int, datetime]]]:
    rows = Spell.objects.filter(
        client_id__in=client_ids,
        kind=SpellKind.INPATIENT.value,
        status=SpellStatus.DISCHARGED.value,
        discharged_at__gte=since,
        discharged_at__lt=until,
    ).values_list("client_id", "pk", "discharged_at")
    found: dict[int, list[tuple[int, datetime]]] = {}
    for client_id, spell_id, discharged_at in rows:
        if discharged_at is not None:  # always, by the filter; the column may be null
            found.setdefault(client_id, []).append((spell_id, discharged_at))
    return found


def readmissions(locality_id: int, period: Period) -> list[Readmission]:
    spells = _spells_in(locality_id, period)
    if not spells:
        return []
    bounces = {b.spell_id: b for b in BounceEvent.objects.filter(spell_id__in=spells).select_related("previous_spell")}
    window = timedelta(days=config.bounce_days())
    discharges = _discharges({client_id for client_id, _, _ in spells.values()}, period.start - window, period.end)
    found = []
    for spell_id, (client_id, admitted_at, discharged_at) in sorted(spells.items(), key=lambda kv: kv[1][1]):
        bounce = bounces.get(spell_id)
        earlier = bounce.previous_spell.discharged_at if bounce is not None else None
        if earlier is None:
            bounce = None
            window_start = admitted_at - window
            fits = [d for pk, d in discharges.get(client_id, []) if pk != spell_id and window_start <= d <= admitted_at]
            earlier = max(fits, default=None)
        if earlier is not None:
            found.append(Readmission(spell_id, client_id, admitted_at, earlier, discharged_at, bounce))
    return found


def readmissions_and_bounces(locality_id: int, period: Period) -> list[Proposal]:
    """The agenda source: one reason per readmitting stay."""
    return [
        Proposal(r.client_id, SOURCE, readmission_reason(r), PRIORITY_READMISSION, f"spell:{r.spell_id}")
        for r in readmissions(locality_id, period)
    ]
