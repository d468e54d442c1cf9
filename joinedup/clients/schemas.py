"""What the clients API takes and gives. Field names follow the services, so a 422 names them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from joinedup.clients.models import (
    Accountability,
    Client,
    ClientStatus,
    ConsentDecision,
    ConsentToShare,
    EmergencyAccess,
    Need,
    NeedCategory,
    NeedStatus,
    Sex,
    TimelineEvent,
)
from joinedup.clients.queries import ClientDetails
from joinedup.core.api_schemas import (
    Input,
    IsoDate,
    RecordId,
    Reference,
    practitioner_ref,
    team_ref,
)

NhsNumberText = Field(default=None, max_length=14, description="10 digits; spaces are allowed")


# --- inputs ----------------------------------------------------------------------------


class ClientIn(Input):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: IsoDate
    gp_practice: str = Field(min_length=1, max_length=12, description="The ODS code of the GP practice")
    accountable_team: RecordId
    lead_professional: RecordId | None = Field(
        default=None,
        description="A member of the accountable team; without one, its duty worker answers",
    )
    nhs_number: str | None = NhsNumberText
    sex: Sex = Sex.UNKNOWN
    address: str = Field(default="", max_length=300)
    postcode: str = Field(default="", max_length=10)
    phone: str = Field(default="", max_length=40)


def _unchanged(**constraints: Any) -> Any:
    """An optional field: absent means unchanged; null is refused unless its type allows it."""
    return Field(default=None, **constraints)


class ClientChanges(Input):
    """Only the fields given are changed. nhs_number may be null (not yet known); others may not."""

    given_name: str = _unchanged(min_length=1, max_length=100)
    family_name: str = _unchanged(min_length=1, max_length=100)
    date_of_birth: IsoDate = _unchanged()
    sex: Sex = _unchanged()
    address: str = _unchanged(max_length=300)
    postcode: str = _unchanged(max_length=10)
    phone: str = _unchanged(max_length=40)
    nhs_number: str | None = NhsNumberText
    gp_practice: str = _unchanged(min_length=1, max_length=12, description="ODS code")


class NeedIn(Input):
    category: NeedCategory
    description: str = Field(min_length=1, max_length=4000)


class NeedStatusIn(Input):
    status: NeedStatus


class ConsentIn(Input):
    decision: ConsentToShare
    note: str = Field(default="", max_length=2000)


class AccountabilityIn(Input):
    team: RecordId
    lead_professional: RecordId | None = Field(
        default=None, description="A member of the team; without one, its duty worker answers"
    )
    reason: str = Field(min_length=1, max_length=300)


class EmergencyAccessIn(Input):
    reason: str = Field(max_length=2000, description="Why you need this record now (at least 10 characters)")


# --- outputs ---------------------------------------------------------------------------


class Locality(Schema):
    code: str
    name: str


class CurrentAccountability(Schema):
    team: Reference
    lead_professional: Reference | None
    duty_worker: Reference | None = Field(description="Answers for the client while no lead is named")
    since: datetime | None
    reason: str


class ClientSummary(Schema):
    id: int
    nhs_number: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    status: ClientStatus
    gp_practice: str | None = Field(description="ODS code")
    accountable_team: Reference

    @classmethod
    def of(cls, client: Client) -> ClientSummary:
        return cls(
            id=client.pk,
            nhs_number=client.nhs_number,
            given_name=client.given_name,
            family_name=client.family_name,
            date_of_birth=client.date_of_birth,
            sex=Sex(client.sex),
            status=ClientStatus(client.status),
            gp_practice=client.gp_practice.ods_code if client.gp_practice else None,
            accountable_team=Reference(id=client.accountable_team.pk, name=client.accountable_team.name),
        )


class ClientSearchResults(Schema):
    results: list[ClientSummary]


class ClientOut(Schema):
    id: int
    nhs_number: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    address: str
    postcode: str
    phone: str
    status: ClientStatus
    gp_practice: str | None = Field(description="ODS code")
    locality: Locality
    holding_organisation: str = Field(description="ODS code of the organisation that holds the record")
    consent_to_share: ConsentToShare
    accountability: CurrentAccountability
    relationship: str = Field(description="Why you may see this record")

    @classmethod
    def of(cls, details: ClientDetails) -> ClientOut:
        client = details.client
        team = client.accountable_team
        return cls(
            id=client.pk,
            nhs_number=client.nhs_number,
            given_name=client.given_name,
            family_name=client.family_name,
            date_of_birth=client.date_of_birth,
            sex=Sex(client.sex),
            address=client.address,
            postcode=client.postcode,
            phone=client.phone,
            status=ClientStatus(client.status),
            gp_practice=client.gp_practice.ods_code if client.gp_practice else None,
            locality=Locality(code=client.locality.code, name=client.locality.name),
            holding_organisation=client.holding_organisation.ods_code,
            consent_to_share=ConsentToShare(client.consent_to_share),
            accountability=CurrentAccountability(
                team=Reference(id=team.pk, name=team.name),
                lead_professional=practitioner_ref(client.lead_professional),
                duty_worker=None if client.lead_professional_id else practitioner_ref(team.duty_worker),
                since=details.accountable_since,
                reason=details.accountability_reason,
            ),
            relationship=details.relationship,
        )


class ClientCreated(Schema):
    id: int
    location: str = Field(description="Where to read the record (through the access policy)")


class NeedOut(Schema):
    id: int
    category: NeedCategory
    description: str
    status: NeedStatus
    recorded_by: Reference | None
    recorded_at: datetime

    @classmethod
    def of(cls, need: Need) -> NeedOut:
        return cls(
            id=need.pk,
            category=NeedCategory(need.category),
            description=need.description,
            status=NeedStatus(need.status),
            recorded_by=practitioner_ref(need.recorded_by),
            recorded_at=need.recorded_at,
        )


class NeedList(Schema):
    results: list[NeedOut]


class ConsentOut(Schema):
    id: int
    decision: ConsentToShare
    note: str
    recorded_by: Reference | None
    recorded_at: datetime

    @classmethod
    def of(cls, consent: ConsentDecision) -> ConsentOut:
        return cls(
            id=consent.pk,
            decision=ConsentToShare(consent.decision),
            note=consent.note,
            recorded_by=practitioner_ref(consent.recorded_by),
            recorded_at=consent.recorded_at,
        )


class ConsentHistory(Schema):
    consent_to_share: ConsentToShare = Field(description="The current choice: the newest decision")
    results: list[ConsentOut] = Field(description="The newest decisions first")


class AccountabilityOut(Schema):
    id: int
    team: Reference
    lead_professional: Reference | None
    since: datetime
    until: datetime | None
    reason: str
    recorded_by: Reference | None

    @classmethod
    def of(cls, row: Accountability) -> AccountabilityOut:
        team = team_ref(row.team)
        assert team is not None
        return cls(
            id=row.pk,
            team=team,
            lead_professional=practitioner_ref(row.lead_professional),
            since=row.since,
            until=row.until,
            reason=row.reason,
            recorded_by=practitioner_ref(row.recorded_by),
        )


class AccountabilityHistory(Schema):
    results: list[AccountabilityOut] = Field(description="The open accountability first")


class TimelineEventOut(Schema):
    id: int
    occurred_at: datetime
    kind: str
    summary: str
    source: str
    actor: Reference | None

    @classmethod
    def of(cls, event: TimelineEvent) -> TimelineEventOut:
        return cls(
            id=event.pk,
            occurred_at=event.occurred_at,
            kind=event.kind,
            summary=event.summary,
            source=event.source,
            actor=practitioner_ref(event.actor),
        )


class Timeline(Schema):
    results: list[TimelineEventOut] = Field(description="The newest first")


class EmergencyAccessOut(Schema):
    id: int
    client_id: int
    reason: str
    started_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, grant: EmergencyAccess) -> EmergencyAccessOut:
        return cls(
            id=grant.pk,
            client_id=grant.client_id,
            reason=grant.reason,
            started_at=grant.started_at,
            expires_at=grant.expires_at,
        )


def changes_of(payload: ClientChanges) -> dict[str, Any]:
    """The fields the caller gave, and only those."""
    return payload.model_dump(exclude_unset=True)
