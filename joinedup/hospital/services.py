"""What people do with the hospital feed: resolve feed exceptions (match to a client, or discard).

Only members of the team that owns an exception may resolve it; anyone else is
told "not found". Matching never merges records and never shows the matched
client to someone without a relationship: the person gives the NHS number they
traced, JoinedUp checks that the message's date of birth (and family name, when
both are given) agree with that client's, and applies the message to them.
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from joinedup.clients.models import Client
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound, Refused
from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.hospital.adt.mapping import read
from joinedup.hospital.events import ExceptionReason, Happening, NhsNumberStatus
from joinedup.hospital.ingest import ReplayRefused, apply_replay
from joinedup.hospital.models import ExceptionStatus, FeedException

MATCHABLE = frozenset(
    {
        ExceptionReason.NO_NHS_NUMBER,
        ExceptionReason.INVALID_NHS_NUMBER,
        ExceptionReason.UNVERIFIED_NHS_NUMBER,
        ExceptionReason.UNKNOWN_PERSON,
        ExceptionReason.IDENTITY_CONFLICT,
    }
)


def _open_exception(actor: Actor, exception_id: int) -> FeedException:
    exception = FeedException.objects.select_for_update().select_related("message").filter(pk=exception_id).first()
    if exception is None or exception.owner_team_id not in actor.team_ids:
        raise NotFound("feed exception")
    if exception.status != ExceptionStatus.OPEN:
        raise Refused(f"This exception is already {exception.get_status_display().lower()}")
    return exception


def _client_for(nhs_number: str) -> Client:
    try:
        digits = normalise(nhs_number)
    except InvalidNhsNumber as error:
        raise ValidationError({"nhs_number": str(error)}) from error
    client = Client.objects.filter(nhs_number=digits).first()
    if client is None:
        raise ValidationError({"nhs_number": "No client has this NHS number"})
    return client


def match_exception(actor: Actor, exception_id: int, nhs_number: str, note: str = "") -> FeedException:
    """Apply a held message to the client with this NHS number, after checking the message is about them."""
    with transaction.atomic():
        exception = _open_exception(actor, exception_id)
        if exception.reason not in MATCHABLE:
            raise Refused("This kind of exception cannot be matched to a client: discard it with a reason")
        client = _client_for(nhs_number)
        received = read(exception.message.raw)[0][0]
        event = received.event
        if event is None or event.happening is Happening.MERGE:
            raise Refused("This message cannot be matched to a client: discard it with a reason")
        person = event.person
        same_family = not person.family_name or person.family_name.lower() == client.family_name.lower()
        if (person.date_of_birth is not None and person.date_of_birth != client.date_of_birth) or not same_family:
            raise ValidationError({"nhs_number": "The message's name or date of birth is not this client's"})
        matched = replace(person, nhs_number=client.nhs_number or "", nhs_number_status=NhsNumberStatus.VERIFIED)
        replay = replace(received, event=replace(event, person=matched), refusal=None, replay_of=exception.message_id)
        try:
            apply_replay(replay)
        except ReplayRefused as refused:
            raise Refused(f"The message still cannot be applied to this client: {refused}") from refused
        _resolve(exception, actor, ExceptionStatus.MATCHED, note or "Matched to a client", client)
        add_timeline_event(
            client,
            "hospital_matched",
            f"A hospital message held on feed exceptions was matched to this client by {actor.name or actor.username}",
            source="hospital",
            actor=actor,
        )
        audit.record(
            actor,
            "update",
            object_type="FeedException",
            object_id=exception.pk,
            client_id=client.pk,
            reason=f"member of the team that owns feed exceptions ({exception.owner_team_id})",
            detail={"status": "matched", "message": exception.message_id},
        )
    return exception


def discard_exception(actor: Actor, exception_id: int, reason: str) -> FeedException:
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the message is discarded"})
    if len(reason.strip()) > 500:
        raise ValidationError({"reason": "Keep the reason to 500 characters or fewer"})
    with transaction.atomic():
        exception = _open_exception(actor, exception_id)
        _resolve(exception, actor, ExceptionStatus.DISCARDED, reason.strip(), None)
        audit.record(
            actor,
            "update",
            object_type="FeedException",
            object_id=exception.pk,
            client_id=exception.message.client_id,
            reason="member of the team that owns feed exceptions",
            detail={"status": "discarded", "why": reason.strip()},
        )
    return exception


def _resolve(exception: FeedException, actor: Actor, status: str, note: str, client: Client | None) -> None:
    exception.status = status
    exception.resolved_at = timezone.now()
    exception.resolved_by_id = actor.person_id
    exception.resolution_note = note[:500]
    exception.matched_client = client
    exception.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note", "matched_client"])
