"""Reviewing an access alert: acknowledge it, close it, each with a note, audited (ADR 0045)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.governance import rules
from joinedup.governance.models import AccessAlert
from joinedup.governance.queries import alerts_in_scope
from joinedup.governance.rules import ACKNOWLEDGE, ALERT_OBJECT, CLOSE, AlertChangeError, AlertStatus


def _note(note: str | None) -> str:
    try:
        return rules.check_note(note)
    except AlertChangeError as error:
        raise ValidationError({"note": str(error)}) from error


def _review(actor: Actor, alert_id: int, change: str, note: str | None) -> AccessAlert:
    text = _note(note)  # the input first: a broken note changes nothing, whoever sends it
    with transaction.atomic():
        alert = alerts_in_scope(actor).select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound("alert")
        if alert.practitioner_id == actor.user_id:
            raise Refused("This alert is about your own access: another information governance lead must review it")
        try:
            status = rules.next_status(AlertStatus(alert.status), change)
        except AlertChangeError as error:
            raise Refused(str(error)) from error
        now = timezone.now()
        alert.status = status
        if change == ACKNOWLEDGE:
            alert.acknowledged_at, alert.acknowledged_by_id, alert.acknowledge_note = now, actor.person_id, text
        else:
            alert.closed_at, alert.closed_by_id, alert.close_note = now, actor.person_id, text
        alert.save()
        audit.record(
            actor,
            change,
            object_type=ALERT_OBJECT,
            object_id=alert.pk,
            client_id=alert.client_id,
            reason=text,
            detail={"rule": alert.rule, "status": status.value},
        )
    return alert


def acknowledge_alert(actor: Actor, alert_id: int, note: str | None) -> AccessAlert:
    """Someone is looking into it: the note says who and what they will do."""
    return _review(actor, alert_id, ACKNOWLEDGE, note)


def close_alert(actor: Actor, alert_id: int, note: str | None) -> AccessAlert:
    """The review is done: the note says what was found (a legitimate reason, or what follows)."""
    return _review(actor, alert_id, CLOSE, note)
