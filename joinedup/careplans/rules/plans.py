"""Care plan rules: the client's agreement, frailty bands, and who may change a plan. Pure."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Agreement(StrEnum):
    PENDING = "pending"
    AGREED = "agreed"
    NOT_AGREED = "not_agreed"
    UNABLE = "unable"  # the client cannot take part in agreeing (capacity, illness): who acted, and why

    @property
    def label(self) -> str:
        return AGREEMENT_LABELS[self]


AGREEMENT_LABELS = {
    Agreement.PENDING: "Not yet recorded",
    Agreement.AGREED: "Agreed",
    Agreement.NOT_AGREED: "Not agreed",
    Agreement.UNABLE: "Unable to agree",
}


class AgreementError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_agreement(agreement: str, who: str, when: datetime, now: datetime, note: str) -> Agreement:
    """The client's agreement to a version: agreed, not agreed or unable, with who and when.

    Not agreed and unable need a note (what the client disagrees with; why they cannot agree
    and whose view was taken instead).
    """
    if agreement not in {a.value for a in Agreement} or agreement == Agreement.PENDING:
        raise AgreementError("agreement", "Choose agreed, not agreed, or unable to agree")
    if not who.strip():
        raise AgreementError("who", "Say who agreed or was asked: the client, or who spoke for them")
    if when > now:
        raise AgreementError("when", "The date of the agreement cannot be in the future")
    if agreement != Agreement.AGREED and not note.strip():
        what = "what the client does not agree with" if agreement == Agreement.NOT_AGREED else "why and who decided"
        raise AgreementError("note", f"Record {what}")
    return Agreement(agreement)


class FrailtyBand(StrEnum):
    """Electronic Frailty Index bands (Clegg et al., 2016): the share of 36 deficits present."""

    FIT = "fit"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return self.value.capitalize() if self is FrailtyBand.FIT else f"{self.value.capitalize()} frailty"


# The upper bound of each band's eFI score (the score is deficits present / 36).
EFI_UPPER = (
    (Decimal("0.12"), FrailtyBand.FIT),
    (Decimal("0.24"), FrailtyBand.MILD),
    (Decimal("0.36"), FrailtyBand.MODERATE),
)


def band_for_score(score: Decimal) -> FrailtyBand:
    if not Decimal(0) <= score <= Decimal(1):
        raise ValueError("An eFI score is between 0 and 1")
    for upper, band in EFI_UPPER:
        if score <= upper:
            return band
    return FrailtyBand.SEVERE


def check_frailty(band: str, score: Decimal | None, assessed_on: date, today: date) -> FrailtyBand:
    if band not in {b.value for b in FrailtyBand}:
        raise AgreementError("band", "Choose fit, mild, moderate or severe frailty")
    if assessed_on > today:
        raise AgreementError("assessed_on", "The date of the frailty index cannot be in the future")
    if score is not None:
        try:
            expected = band_for_score(score)
        except ValueError as error:
            raise AgreementError("efi_score", "An eFI score is between 0 and 1, for example 0.38") from error
        if expected != band:
            raise AgreementError("band", f"An eFI score of {score} is in the {expected.value} band")
    return FrailtyBand(band)


EDITING_ROLES = frozenset({"practitioner", "team_manager", "mdt_coordinator", "on_call"})
EMERGENCY = "emergency access"


def may_edit_plan(roles: Collection[str], relationship: str | None) -> bool:
    """A plan is changed by professionals with a legitimate relationship, not under emergency access.

    Support workers in the care team read it; emergency access is for reading in an emergency.
    """
    if relationship is None or relationship.startswith(EMERGENCY):
        return False
    return bool(set(roles) & EDITING_ROLES)
