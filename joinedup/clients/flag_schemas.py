"""API schemas of flags on a client."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from joinedup.clients.models import Flag
from joinedup.core.api_schemas import Input


class FlagIn(Input):
    code: str = Field(min_length=1, max_length=60, description="The kind of flag: letters, numbers and hyphens")
    text: str = Field(min_length=1, max_length=300)


class FlagCloseIn(Input):
    reason: str = Field(min_length=1, max_length=300)


class FlagOut(Schema):
    id: int
    code: str
    text: str
    raised_at: datetime
    raised_by: str = Field(description="The practitioner, or the part of JoinedUp that raised it")
    source: str
    source_type: str
    source_id: str
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str

    @classmethod
    def of(cls, flag: Flag) -> FlagOut:
        return cls(
            id=flag.pk,
            code=flag.code,
            text=flag.text,
            raised_at=flag.raised_at,
            raised_by=flag.raised_by.display_name if flag.raised_by else f"JoinedUp ({flag.source})",
            source=flag.source,
            source_type=flag.source_type,
            source_id=flag.source_id,
            closed_at=flag.closed_at,
            closed_by=flag.closed_by.display_name if flag.closed_by else ("JoinedUp" if flag.closed_at else None),
            close_reason=flag.close_reason,
        )


class FlagList(Schema):
    results: list[FlagOut]
