"""Flags on a client: raising and closing them. One transaction each, audited, on the timeline.

A flag is raised by a practitioner with a relationship to the client, or by a
part of JoinedUp acting as the system (the hospital feed's follow-up rules,
bounce detection; later the crisis pathway). At most one flag of a code is
open at a time: raising it again returns the open one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from joinedup.clients.models import Client, Flag
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor, relationship_to
from joinedup.core.errors import NotFound, Refused

SOURCE = "clients"


@dataclass(frozen=True)
class Raised:
    flag: Flag
    created: bool  # False: a flag of this code was already open


def _clean(code: str, text: str) -> tuple[str, str]:
    slug = slugify(code or "")[:60]
    if not slug:
        raise ValidationError({"code": "Give the kind of flag, for example 'falls-risk'"})
    if not text or not text.strip():
        raise ValidationError({"text": "Say what the flag is about"})
    if len(text.strip()) > 300:
        raise ValidationError({"text": "Keep the flag to 300 characters or fewer"})
    return slug, text.strip()


def _reason(actor: Actor, client: Client) -> str:
    """The relationship that allows a person to act; the system acts for the part that called it."""
    if actor.user_id is None:
        return f"raised by {actor.name or actor.username}"
    reason = relationship_to(actor, client)
    if reason is None:
        raise NotFound("client")
    return reason


def raise_flag(
    actor: Actor, client_id: int, code: str, text: str, *, source: str = SOURCE, raised_by: Any = None
) -> Raised:
    """Raise a flag (or find the open one of the same code). `raised_by` is what raised it, for links."""
    slug, text = _clean(code, text)
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            raise NotFound("client")
        reason = _reason(actor, client)
        existing = Flag.objects.filter(client=client, code=slug, closed_at__isnull=True).first()
        if existing is not None:
            return Raised(existing, created=False)
        flag = Flag.objects.create(
            client=client,
            code=slug,
            text=text,
            raised_at=timezone.now(),
            raised_by_id=actor.user_id,
            source=source,
            source_type=type(raised_by).__name__ if raised_by is not None else "",
            source_id=str(getattr(raised_by, "pk", "") or ""),
        )
        add_timeline_event(client, "flag_raised", f"Flag raised: {text}", source=source, actor=actor, obj=flag)
        audit.record(
            actor,
            "create",
            object_type="Flag",
            object_id=flag.pk,
            client_id=client.pk,
            reason=reason,
            detail={"code": slug, "source": source},
        )
    return Raised(flag, created=True)


def close_flag(actor: Actor, client_id: int, flag_id: int, reason: str) -> Flag:
    """Close an open flag, with the reason. People close flags; the system closes its own."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the flag is closed"})
    if len(reason.strip()) > 300:
        raise ValidationError({"reason": "Keep the reason to 300 characters or fewer"})
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            raise NotFound("client")
        relationship = _reason(actor, client)
        flag = Flag.objects.filter(pk=flag_id, client=client).first()
        if flag is None:
            raise NotFound("flag")
        if flag.closed_at is not None:
            raise Refused("This flag is already closed")
        flag.closed_at = timezone.now()
        flag.closed_by_id = actor.user_id
        flag.close_reason = reason.strip()
        flag.save(update_fields=["closed_at", "closed_by", "close_reason"])
        add_timeline_event(
            client,
            "flag_closed",
            f"Flag closed: {flag.text} ({flag.close_reason})",
            source=SOURCE,
            actor=actor,
            obj=flag,
        )
        audit.record(
            actor,
            "update",
            object_type="Flag",
            object_id=flag.pk,
            client_id=client.pk,
            reason=relationship,
            detail={"closed": True, "why": flag.close_reason},
        )
    return flag
