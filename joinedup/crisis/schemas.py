"""What the crisis API takes and gives (for GP and NHS 111 systems, and any practitioner's).

Inputs are strict (unknown fields refused, text bounded, situations an enum). A crisis names
its client only to a caller who may see the client; the raiser follows the crisis itself.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field, model_validator

from joinedup.core.api_schemas import Input, IsoDate, RecordId, Reference, practitioner_ref, team_ref
from joinedup.crisis.models import Crisis, CrisisAction
from joinedup.crisis.outcomes import ActionKind, ActionStatus, Outcome
from joinedup.crisis.queries import CrisisPage
from joinedup.crisis.raising import NewCrisis, Person
from joinedup.crisis.rules import Basis, Sector, Situation

IDEMPOTENCY_HELP = (
    "Required. A key of your own for this request (8 to 100 letters, digits, '.', ':', '-', '_'), for "
    "example a UUID. Sending the same request again with the same key (a retry after a timeout) answers "
    "200 with the crisis raised the first time; the same key with a different request is a 422."
)


class PersonIn(Input):
    """Who the crisis is for, when you cannot give a client_id: their NHS number (a client already
    known is found by it), or enough to register them: names, date of birth and a GP practice
    (ODS code), a postcode or a locality code."""

    nhs_number: str = Field(default="", max_length=20)
    given_name: str = Field(default="", max_length=100)
    family_name: str = Field(default="", max_length=100)
    date_of_birth: IsoDate | None = None
    gp_practice: str = Field(default="", max_length=12, description="ODS code of the GP practice")
    postcode: str = Field(default="", max_length=10)
    locality: str = Field(default="", max_length=40, description="Locality code, if neither of the above")
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)


class CrisisIn(Input):
    """A crisis: what is happening, what is needed, who to call back, and the client."""

    situation: Situation
    needed: str = Field(min_length=1, max_length=2000)
    contact_name: str = Field(min_length=1, max_length=120)
    contact_phone: str = Field(min_length=6, max_length=40)
    contact_organisation: str = Field(default="", max_length=200)
    client_id: RecordId | None = Field(default=None, description="A client you may see")
    person: PersonIn | None = None

    @model_validator(mode="after")
    def _one_client(self) -> CrisisIn:
        if (self.client_id is None) == (self.person is None):
            raise ValueError("Give either client_id or person, not both")
        return self

    def as_new(self, key: str) -> NewCrisis:
        person = Person(**self.person.model_dump()) if self.person is not None else None
        return NewCrisis(
            situation=self.situation.value, needed=self.needed, contact_name=self.contact_name,
            contact_phone=self.contact_phone, contact_organisation=self.contact_organisation,
            client_id=self.client_id, person=person, idempotency_key=key,
        )  # fmt: skip


class CancelIn(Input):
    reason: str = Field(min_length=3, max_length=2000)


class ListParams(Input):
    include_closed: bool = Field(default=False, description="Crises closed recently too")


class ClientRef(Schema):
    id: int
    name: str


class CrisisStatus(Schema):
    """How a crisis is going: who has it, the clock, the state. Names the client only to those who may see them."""

    id: int
    situation: Situation
    sector: Sector
    state: str
    locality: Reference
    client: ClientRef | None = Field(description="Null when you may not see the client's record")
    raised_at: datetime
    acknowledge_due_at: datetime
    response_due_at: datetime
    time_left_seconds: int | None = Field(
        description="Until the 2-hour target; negative when late; null once arrived or closed"
    )
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    closed_at: datetime | None
    owner: Reference | None
    owner_phone: str = Field(description="How to reach the owner")
    owner_team: Reference
    basis: Basis
    rota_gap: str = Field(description="Why the crisis could not go to its first choice, or empty")
    outcome: Outcome | None
    admitted_at: datetime | None = Field(description="A hospital admission within 48 hours of raising")
    location: str

    @classmethod
    def of(cls, crisis: Crisis, *, identified: bool, now: datetime) -> CrisisStatus:
        open_clock = crisis.is_open and crisis.arrived_at is None
        owner = crisis.owner
        return cls(
            id=crisis.pk, situation=Situation(crisis.situation), sector=Sector(crisis.sector), state=crisis.state,
            locality=Reference(id=crisis.locality.pk, name=crisis.locality.name),
            client=ClientRef(id=crisis.client.pk, name=crisis.client.full_name) if identified else None,
            raised_at=crisis.raised_at, acknowledge_due_at=crisis.acknowledge_due_at,
            response_due_at=crisis.response_due_at,
            time_left_seconds=int((crisis.response_due_at - now).total_seconds()) if open_clock else None,
            acknowledged_at=crisis.acknowledged_at, arrived_at=crisis.arrived_at, closed_at=crisis.resolved_at,
            owner=practitioner_ref(owner), owner_phone=owner.phone if owner is not None else "",
            owner_team=team_ref(crisis.owner_team) or Reference(id=0, name=""), basis=Basis(crisis.basis),
            rota_gap=crisis.route_gap, outcome=Outcome(crisis.outcome) if crisis.outcome else None,
            admitted_at=crisis.admitted_at, location=f"/api/v1/crises/{crisis.pk}",
        )  # fmt: skip


class ActionOut(Schema):
    id: int
    kind: ActionKind
    status: ActionStatus
    owner: str
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, action: CrisisAction) -> ActionOut:
        return cls(
            id=action.pk, kind=ActionKind(action.kind), status=ActionStatus(action.status), owner=action.owner_name,
            created_at=action.created_at, completed_at=action.completed_at,
        )  # fmt: skip


class CrisisOut(CrisisStatus):
    """A crisis with what is being done about it, for its raiser or responders."""

    needed: str
    your_role: str = Field(description="responder, raiser, or reader (another relationship to the client)")
    actions: list[ActionOut]

    @classmethod
    def of_page(cls, page: CrisisPage, now: datetime) -> CrisisOut:
        status = CrisisStatus.of(page.crisis, identified=page.identified, now=now)
        return cls(
            **status.model_dump(), needed=page.crisis.needed, your_role=page.role,
            actions=[ActionOut.of(action) for action in page.actions],
        )  # fmt: skip


class CrisisList(Schema):
    results: list[CrisisStatus]
