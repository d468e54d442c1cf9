"""A hospital admission of a client within 48 hours of a crisis links to that crisis.

The hospital feed calls `link_admission` when it admits a client (HL7 v2 A01, a FHIR
Encounter...). The admission belongs to the client's latest crisis raised in the 48
hours before it (crisis.clock.admission_follows): the crisis then no longer counts as an
admission avoided, whatever its recorded outcome. The same admission (`source_ref`) is
linked once; a later admission never replaces an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit, bulk  # noqa: F401 (bulk registers the any_of lookup)
from joinedup.core.access import SYSTEM, Actor
from joinedup.core.compiled import Compiled
from joinedup.crisis.clock import ADMISSION_LINK_WINDOW, admission_follows
from joinedup.crisis.models import Crisis, CrisisEvent
from joinedup.tasks.services import notify

SOURCE = "crisis"


def link_admission(client_id: int, admitted_at: datetime, source_ref: str, *, actor: Actor = SYSTEM) -> Crisis | None:
    """Link the admission to the client's crisis raised within the 48 hours before it; None if there is none."""
    if admitted_at.tzinfo is None or admitted_at.utcoffset() is None:
        raise ValueError("The admission time must be timezone-aware")
    source_ref = source_ref.strip()
    if not source_ref or len(source_ref) > 120:
        raise ValueError("An admission is linked with its reference in the hospital feed (1 to 120 characters)")
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            return None
        already = Crisis.objects.filter(client=client, admission_source_ref=source_ref).first()
        if already is not None:
            return already
        crisis = (
            Crisis.objects.select_for_update(of=("self",))
            .filter(client=client, raised_at__lte=admitted_at, raised_at__gte=admitted_at - ADMISSION_LINK_WINDOW)
            .exclude(state="cancelled")
            .order_by("-raised_at", "-id")
            .first()
        )
        if crisis is None or not admission_follows(crisis.raised_at, admitted_at) or crisis.admitted_at is not None:
            return None
        crisis.admitted_at, crisis.admission_source_ref = admitted_at, source_ref
        crisis.save(update_fields=["admitted_at", "admission_source_ref", "updated_at"])
        local = timezone.localtime(admitted_at)
        summary = f"Admitted to hospital on {local.day} {local:%B} at {local:%H:%M}, after crisis #{crisis.pk}"
        CrisisEvent.objects.create(
            crisis=crisis, kind="admitted", at=timezone.now(), actor_id=actor.user_id, summary=summary
        )
        add_timeline_event(client, "crisis_admission", summary, source=SOURCE, actor=actor, obj=crisis)
        audit.record(
            actor, "link", object_type="Crisis", object_id=crisis.pk, client_id=client.pk,
            reason="admission within 48 hours of a crisis", detail={"source_ref": source_ref},
        )  # fmt: skip
        notify([crisis.owner_id, crisis.resolved_by_id], summary, link=f"/crisis/{crisis.pk}/")
    return crisis


# Asked by every batch with an admission: its SQL built once (core.compiled).
_WITH_CRISIS = Compiled(
    lambda client_ids, earliest, latest: (
        Crisis.objects.filter(client_id__any_of=client_ids, raised_at__gte=earliest, raised_at__lte=latest)
        .exclude(state="cancelled")
        .values_list("client_id")
    ),
    list,
    datetime,
    datetime,
)


def on_hospital_admissions(admissions: Sequence[Any]) -> None:
    """The hospital feed's batch hook (hospital.hooks.on_admissions): link each admission to a recent crisis.

    One query finds which of the batch's clients had a crisis in the window at all; only they are linked.
    """
    earliest = min(admission.admitted_at for admission in admissions) - ADMISSION_LINK_WINDOW
    latest = max(admission.admitted_at for admission in admissions)
    with_crisis = {row[0] for row in _WITH_CRISIS.rows(list({a.client_id for a in admissions}), earliest, latest)}
    for admission in admissions:
        if admission.client_id in with_crisis:
            link_admission(
                admission.client_id,
                admission.admitted_at,
                f"spell {admission.spell_id} at {admission.facility}"[:120],
            )
