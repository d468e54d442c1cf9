"""API schemas of the hospital feed."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from joinedup.core.api_schemas import Input
from joinedup.hospital.models import BounceEvent, FeedException, FollowUp, Spell


class DiagnosisOut(Schema):
    code: str
    text: str
    coding_system: str
    new_in_spell: bool


class SpellEventOut(Schema):
    change: str
    occurred_at: datetime
    summary: str
    location: str


class FollowUpOut(Schema):
    task_id: int
    title: str
    owner: str
    due_at: datetime
    status: str
    rule: str


class SpellOut(Schema):
    id: int
    facility: str
    visit_number: str
    kind: str
    status: str
    admitted_at: datetime | None
    discharged_at: datetime | None
    expected_at: datetime | None
    location: str
    discharge_method: str
    discharge_destination: str
    discharge_pathway: int | None = Field(description="Discharge to Assess pathway 0-3, from the configured mapping")
    diagnoses: list[DiagnosisOut]
    events: list[SpellEventOut]
    follow_ups: list[FollowUpOut]

    @classmethod
    def of(cls, spell: Spell) -> SpellOut:
        return cls(
            id=spell.pk,
            facility=spell.facility,
            visit_number=spell.visit_number,
            kind=spell.kind,
            status=spell.status,
            admitted_at=spell.admitted_at,
            discharged_at=spell.discharged_at,
            expected_at=spell.expected_at,
            location=spell.location,
            discharge_method=spell.discharge_method,
            discharge_destination=spell.discharge_destination,
            discharge_pathway=spell.discharge_pathway,
            diagnoses=[
                DiagnosisOut(code=d.code, text=d.text, coding_system=d.coding_system, new_in_spell=d.new_in_spell)
                for d in spell.diagnoses.all()
            ],
            events=[
                SpellEventOut(change=e.change, occurred_at=e.occurred_at, summary=e.summary, location=e.location)
                for e in spell.events.all()
            ],
            follow_ups=[follow_up_out(f) for f in spell.follow_ups.all()],
        )


def follow_up_out(follow_up: FollowUp) -> FollowUpOut:
    task = follow_up.task
    return FollowUpOut(
        task_id=task.pk,
        title=task.title,
        owner=task.owner_name,
        due_at=task.due_at,
        status=task.status,
        rule=follow_up.rule,
    )


class SpellList(Schema):
    results: list[SpellOut]


class BounceOut(Schema):
    id: int
    client_id: int
    spell_id: int
    previous_spell_id: int
    readmitted_at: datetime
    days_since_discharge: int
    open_follow_up: bool
    reason: str

    @classmethod
    def of(cls, bounce: BounceEvent) -> BounceOut:
        return cls(
            id=bounce.pk,
            client_id=bounce.client_id,
            spell_id=bounce.spell_id,
            previous_spell_id=bounce.previous_spell_id,
            readmitted_at=bounce.occurred_at,
            days_since_discharge=bounce.days_since_discharge,
            open_follow_up=bounce.open_follow_up,
            reason=bounce.reason,
        )


class BounceList(Schema):
    results: list[BounceOut]


class HospitalWorklistRow(Schema):
    client_id: int
    client_name: str
    spell_id: int
    discharged_at: datetime | None
    task_id: int | None = None
    task_title: str = ""
    owner: str = ""
    due_at: datetime | None = None
    bounce: BounceOut | None = None


class HospitalWorklist(Schema):
    name: str
    results: list[HospitalWorklistRow]
    has_next: bool


def follow_up_row(follow_up: FollowUp) -> HospitalWorklistRow:
    spell, task = follow_up.spell, follow_up.task
    return HospitalWorklistRow(
        client_id=spell.client_id,
        client_name=spell.client.full_name,
        spell_id=spell.pk,
        discharged_at=spell.discharged_at,
        task_id=task.pk,
        task_title=task.title,
        owner=task.owner_name,
        due_at=task.due_at,
    )


def bounce_row(bounce: BounceEvent) -> HospitalWorklistRow:
    return HospitalWorklistRow(
        client_id=bounce.client_id,
        client_name=bounce.client.full_name,
        spell_id=bounce.spell_id,
        discharged_at=bounce.previous_spell.discharged_at,
        bounce=BounceOut.of(bounce),
    )


class FeedExceptionOut(Schema):
    id: int
    reason: str
    detail: str
    status: str
    owner_team: str
    created_at: datetime
    message_type: str
    control_id: str
    facility: str
    ack_code: str
    raw: str | None = Field(default=None, description="The message as received (one exception only)")
    ack: str | None = Field(default=None, description="The acknowledgement sent (one exception only)")
    resolution_note: str
    matched_client_id: int | None

    @classmethod
    def of(cls, exception: FeedException, *, whole: bool = False) -> FeedExceptionOut:
        message = exception.message
        return cls(
            id=exception.pk,
            reason=exception.reason,
            detail=exception.detail,
            status=exception.status,
            owner_team=exception.owner_team.name,
            created_at=exception.created_at,
            message_type=message.message_type,
            control_id=message.control_id,
            facility=message.facility,
            ack_code=message.ack_code,
            raw=message.raw if whole else None,
            ack=message.ack if whole else None,
            resolution_note=exception.resolution_note,
            matched_client_id=exception.matched_client_id,
        )


class FeedExceptionList(Schema):
    results: list[FeedExceptionOut]
    has_next: bool


class MatchIn(Input):
    nhs_number: str = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=500)


class DiscardIn(Input):
    reason: str = Field(min_length=1, max_length=500)
