"""Building blocks of the API's schemas, shared by every router.

Inputs are strict: an unknown field is a 422 (a typo is never silently
ignored), dates are ISO 8601 text only, ids are positive 64-bit integers.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Schema
from ninja.errors import ValidationError as InputError
from pydantic import BeforeValidator, ConfigDict, Field, field_validator

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_text(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("Give the date as YYYY-MM-DD, for example 1940-05-17")
    return value


# A calendar date written YYYY-MM-DD: not a number of seconds, not a date-time.
IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
# The id of a record: what fits a 64-bit primary key.
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_has_nul(item) for item in value)
    return False


class Input(Schema):
    """A request body: unknown fields are refused, text is stripped of surrounding spaces, and text
    may not hold the NUL character (PostgreSQL cannot store it; no person types it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("Text cannot contain the NUL character (\\u0000)")
        return value


class Reference(Schema):
    """Another record, by id and name."""

    id: int
    name: str


class Message(Schema):
    """An error with one message: 403, 404, 500, 401."""

    detail: str


class FieldError(Schema):
    type: str
    loc: list[str | int] = Field(description='Where the problem is: ["body", "field"], ["query", "field"]...')
    msg: str


class FieldErrors(Schema):
    """422: the input is invalid; nothing was stored. Each error names its field in `loc`."""

    detail: list[FieldError]


def refuse_unknown_query(request: HttpRequest, params: type[Schema]) -> None:
    """A 422 for a query parameter the operation does not take: a typo is never ignored."""
    unknown = sorted(set(request.GET) - set(params.model_fields))
    if unknown:
        raise InputError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ["query", name],
                    "msg": "Unknown query parameter",
                }
                for name in unknown
            ]
        )


ERRORS: dict[int, type[Schema]] = {400: Message, 401: Message, 403: Message, 404: Message, 422: FieldErrors}


def practitioner_ref(practitioner: Any) -> Reference | None:
    if practitioner is None:
        return None
    return Reference(id=practitioner.pk, name=practitioner.display_name)


def team_ref(team: Any) -> Reference | None:
    return None if team is None else Reference(id=team.pk, name=team.name)
