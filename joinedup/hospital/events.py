"""What a hospital tells JoinedUp, in the domain's words: admissions, transfers, discharges... Pure.

The ADT adapter (`hospital.adt`) turns HL7 v2 messages into these; everything
past it (spells, follow-up rules, bounce) reads only these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Happening(StrEnum):
    ADMISSION = "admission"
    ATTENDANCE = "attendance"  # a visit that is not an admission: an outpatient or emergency department registration
    PRE_ADMISSION = "pre_admission"  # an admission expected on a later date
    TRANSFER = "transfer"  # a move to another ward, bay or bed
    DISCHARGE = "discharge"
    UPDATE = "update"  # new or changed details of the person or the stay
    CANCEL_ADMISSION = "cancel_admission"
    CANCEL_TRANSFER = "cancel_transfer"
    CANCEL_DISCHARGE = "cancel_discharge"
    MERGE = "merge"  # two hospital records are one person: a person decides (never automatic)


# What may create a client when the NHS number is not yet known to JoinedUp: the start of a
# stay, and a discharge that arrives before its admission (ADR 0016).
CREATES_CLIENT = frozenset({Happening.ADMISSION, Happening.ATTENDANCE, Happening.PRE_ADMISSION, Happening.DISCHARGE})


class NhsNumberStatus(StrEnum):
    VERIFIED = "verified"  # traced against the national record (or the sender does not say: see ADR 0016)
    UNVERIFIED = "unverified"  # present, but not traced or a trace is pending or failed
    NOT_STATED = "not_stated"


@dataclass(frozen=True, slots=True)
class Person:
    nhs_number: str  # as sent, not yet checked ("" when absent)
    nhs_number_status: NhsNumberStatus = NhsNumberStatus.NOT_STATED
    nhs_number_status_code: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    sex: str = "unknown"
    address: str = ""
    postcode: str = ""
    phone: str = ""
    gp_practice_code: str = ""
    lives_alone: bool | None = None
    hospital_number: str = ""


@dataclass(frozen=True, slots=True)
class DiagnosisNote:
    code: str  # as the hospital coded it (ICD-10 for the default rules), upper case
    text: str
    coding_system: str
    kind: str = ""  # admitting, working, final... as sent
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One thing that happened, for one person, at one moment."""

    happening: Happening
    occurred_at: datetime
    person: Person
    facility: str = ""
    visit_number: str = ""
    patient_class: str = ""
    location: str = ""
    previous_location: str = ""
    admitted_at: datetime | None = None
    discharged_at: datetime | None = None
    expected_at: datetime | None = None
    discharge_method: str = ""
    discharge_destination: str = ""
    consultant: str = ""
    diagnoses: tuple[DiagnosisNote, ...] = ()
    merged_identifier: str = ""  # for a merge: the record that goes


class ExceptionReason(StrEnum):
    """Why a message landed on the feed exceptions worklist (and did not change a record by itself)."""

    UNREADABLE = "unreadable"
    NOT_SUPPORTED = "not_supported"
    NO_NHS_NUMBER = "no_nhs_number"
    INVALID_NHS_NUMBER = "invalid_nhs_number"
    UNVERIFIED_NHS_NUMBER = "unverified_nhs_number"
    UNKNOWN_PERSON = "unknown_person"
    IDENTITY_CONFLICT = "identity_conflict"
    NOTHING_TO_CANCEL = "nothing_to_cancel"
    NO_ACCOUNTABLE_TEAM = "no_accountable_team"
    INCOMPLETE_DETAILS = "incomplete_details"
    MERGE = "merge"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    ExceptionReason.UNREADABLE: "Could not be read",
    ExceptionReason.NOT_SUPPORTED: "Kind of message not taken",
    ExceptionReason.NO_NHS_NUMBER: "No NHS number",
    ExceptionReason.INVALID_NHS_NUMBER: "Invalid NHS number",
    ExceptionReason.UNVERIFIED_NHS_NUMBER: "NHS number not verified",
    ExceptionReason.UNKNOWN_PERSON: "Person not known",
    ExceptionReason.IDENTITY_CONFLICT: "Details do not match the client",
    ExceptionReason.NOTHING_TO_CANCEL: "Nothing to cancel",
    ExceptionReason.NO_ACCOUNTABLE_TEAM: "No team could be made accountable",
    ExceptionReason.INCOMPLETE_DETAILS: "Not enough details to register the person",
    ExceptionReason.MERGE: "Records to merge",
    ExceptionReason.FAILED: "Could not be applied",
}
