"""The crisis API: /api/v1/crises... for GP and NHS 111 systems (and any practitioner's) to raise a
crisis and follow it.

Raising is idempotent with the caller's `Idempotency-Key` header: a retry returns the crisis
already raised (200), never a second one. Invalid input is a 422 naming the field, and nothing
is stored. A crisis the caller neither raised nor responds to is the same 404 as one that is absent.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router
from ninja.errors import ValidationError as InputError

from joinedup.core.api_auth import api_actor
from joinedup.core.api_schemas import ERRORS, RecordId, refuse_unknown_query
from joinedup.core.errors import NotFound
from joinedup.crisis import queries, services
from joinedup.crisis.raising import raise_crisis
from joinedup.crisis.schemas import (
    IDEMPOTENCY_HELP,
    CancelIn,
    CrisisIn,
    CrisisList,
    CrisisOut,
    CrisisStatus,
    ListParams,
)

router = Router(tags=["crises"])

_KEY_HEADER = "Idempotency-Key"
# The services name some fields after the form; the API's body after its own schema.
_BODY_FIELDS = {
    "client": "client_id",
    "nhs_number": "person.nhs_number",
    "family_name": "person.family_name",
    "date_of_birth": "person.date_of_birth",
    "gp_practice": "person.gp_practice",
    "postcode": "person.postcode",
    "idempotency_key": _KEY_HEADER,
}


def _renamed(error: ValidationError) -> InputError:
    if not hasattr(error, "error_dict"):
        return InputError([{"type": "invalid", "loc": ["body"], "msg": m} for m in error.messages])
    found = []
    for field, messages in error.message_dict.items():
        name = _BODY_FIELDS.get(field, field)
        loc = ["header", name] if name == _KEY_HEADER else ["body", *name.split(".")]
        found += [{"type": "invalid", "loc": loc, "msg": message} for message in messages]
    return InputError(found)


@router.post("", response={200: CrisisStatus, 201: CrisisStatus, **ERRORS}, summary="Raise a crisis")
def raise_one(
    request: HttpRequest,
    payload: CrisisIn,
    idempotency_key: str = Header("", alias=_KEY_HEADER, description=IDEMPOTENCY_HELP),
) -> tuple[int, CrisisStatus]:
    """Routed and owned at once, whatever the time, day or bank holiday and whatever the client's
    accountability: 201 with who has it and the clock. The same request again with the same key: 200."""
    actor = api_actor(request)
    if not idempotency_key.strip():
        raise InputError(
            [{"type": "missing", "loc": ["header", _KEY_HEADER], "msg": "Send an Idempotency-Key with every crisis"}]
        )
    try:
        raised = raise_crisis(actor, payload.as_new(idempotency_key.strip()))
    except NotFound as error:
        raise InputError(
            [{"type": "invalid", "loc": ["body", "client_id"], "msg": "Choose a client you may see, or give person"}]
        ) from error
    except ValidationError as error:
        raise _renamed(error) from error
    page = queries.crisis_page(actor, raised.crisis.pk)
    status = CrisisStatus.of(page.crisis, identified=page.identified, now=timezone.now())
    return (201 if raised.created else 200), status


@router.get("", response={200: CrisisList, **ERRORS}, summary="Crises you raised or respond to")
def list_crises(request: HttpRequest, params: Query[ListParams]) -> CrisisList:
    """Open ones by default, newest first. A client is named only when you may see them; each named row is audited."""
    refuse_unknown_query(request, ListParams)
    rows = queries.crises_for(api_actor(request), open_only=not params.include_closed)
    now = timezone.now()
    return CrisisList(results=[CrisisStatus.of(row.crisis, identified=row.identified, now=now) for row in rows])


@router.get("/{crisis_id}", response={200: CrisisOut, **ERRORS}, summary="Follow a crisis")
def read_crisis(request: HttpRequest, crisis_id: RecordId) -> CrisisOut:
    """Who has it and how to reach them, the clock, what is being done, and how it ended."""
    return CrisisOut.of_page(queries.crisis_page(api_actor(request), crisis_id), timezone.now())


@router.post("/{crisis_id}/cancel", response={200: CrisisStatus, **ERRORS}, summary="Cancel a crisis raised in error")
def cancel_crisis(request: HttpRequest, crisis_id: RecordId, payload: CancelIn) -> CrisisStatus:
    """By whoever raised it, or a responder; a closed crisis is a 403 saying so."""
    actor = api_actor(request)
    try:
        services.cancel(actor, crisis_id, payload.reason)
    except ValidationError as error:
        raise _renamed(error) from error
    page = queries.crisis_page(actor, crisis_id)
    return CrisisStatus.of(page.crisis, identified=page.identified, now=timezone.now())
