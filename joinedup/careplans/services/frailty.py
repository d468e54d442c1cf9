"""Frailty: an electronic Frailty Index band from the GP record, for a client (ADR 0036)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.careplans.models import FrailtyRecord
from joinedup.careplans.rules.plans import AgreementError, check_frailty
from joinedup.careplans.services.common import SOURCE, editable_client, text
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor


def record_frailty(
    actor: Actor, client_id: int, band: str, assessed_on: date, efi_score: Decimal | None = None, source: str = ""
) -> FrailtyRecord:
    """An electronic Frailty Index band from the GP record (ADR 0036)."""
    try:
        checked = check_frailty(band, efi_score, assessed_on, timezone.localdate())
    except AgreementError as error:
        raise ValidationError({error.field: str(error)}) from error
    source = text(source, "source", 120)
    with transaction.atomic():
        client, reason = editable_client(actor, client_id)
        record = FrailtyRecord.objects.create(
            client=client,
            band=checked.value,
            efi_score=efi_score,
            assessed_on=assessed_on,
            source=source,
            recorded_by_id=actor.person_id,
            recorded_at=timezone.now(),
        )
        add_timeline_event(
            client,
            "frailty_recorded",
            f"Frailty (eFI): {checked.label.lower()}",
            source=SOURCE,
            actor=actor,
            obj=record,
        )
        audit.record(
            actor,
            "create",
            object_type="FrailtyRecord",
            object_id=record.pk,
            client_id=client.pk,
            reason=reason,
            detail={"band": checked.value},
        )
    return record
