"""The forms of the crisis pages. They parse and check input; the services decide and save."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.core.forms import NhsDateField, PageForm
from joinedup.crisis.outcomes import (
    BRIDGING_DEFAULT_HOURS,
    BRIDGING_MAX_HOURS,
    ActionKind,
    ActionStatus,
    Alternative,
    AlternativeAnswer,
    MedicationRoute,
    Outcome,
)
from joinedup.crisis.raising import Person
from joinedup.crisis.rules import NonexistentLocalTime, Sector, Situation, london_moment
from joinedup.directory.models import Organisation, OrganisationKind, Practitioner

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]


def situation_choices(sector: Sector) -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in Situation if s.sector is sector]


def _time_field(label: str, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=TIME_FORMATS,
        error_messages={"required": f"Enter the {label.lower()}", "invalid": f"{label}: enter a time like 17:30"},
    )


class RaiseForm(PageForm):
    """Raise a crisis in under a minute: what is happening, what is needed, who to call back, and the client."""

    service_fields = {"client": "nhs_number", "locality": "gp_practice"}

    situation = forms.ChoiceField(
        label="What is happening?",
        choices=[(s.value, s.label) for s in Situation],
        error_messages={"required": "Choose what is happening", "invalid_choice": "Choose what is happening"},
    )
    needed = forms.CharField(
        label="What is needed now?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Say what is needed"},
    )
    contact_name = forms.CharField(
        label="Who should the responder call back?",
        max_length=120,
        error_messages={"required": "Enter a name to call back"},
    )
    contact_phone = forms.CharField(
        label="Phone number to call back",
        max_length=40,
        error_messages={"required": "Enter a phone number to call back"},
    )
    contact_organisation = forms.CharField(label="Organisation (optional)", required=False, max_length=200)
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)
    given_name = forms.CharField(label="Given name", required=False, max_length=100)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    date_of_birth = NhsDateField(label="Date of birth", required=False)
    gp_practice = forms.ChoiceField(label="GP practice", required=False)
    postcode = forms.CharField(label="Postcode (if the GP practice is not known)", required=False, max_length=10)
    address = forms.CharField(label="Address (optional)", required=False, max_length=300)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, client: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        practices = Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).order_by("name")
        self.set_choices("gp_practice", [("", "Not known"), *((p.ods_code, p.name) for p in practices)])
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)  # one crisis, however often the button is pressed

    def person(self) -> Person | None:
        if self.client is not None:
            return None
        data = self.cleaned_data
        return Person(
            given_name=data.get("given_name", ""), family_name=data.get("family_name", ""),
            date_of_birth=data.get("date_of_birth"), nhs_number=data.get("nhs_number", ""),
            gp_practice=data.get("gp_practice", ""), postcode=data.get("postcode", ""), address=data.get("address", ""),
        )  # fmt: skip


class ArrivalForm(PageForm):
    arrived_at = _time_field("Time of arrival", required=False)

    def moment(self) -> datetime | None:
        chosen: time | None = self.cleaned_data.get("arrived_at")
        if chosen is None:
            return None
        try:
            return london_moment(timezone.localdate(), chosen)
        except NonexistentLocalTime as error:
            raise ValidationError({"arrived_at": str(error)}) from error


class ActionForm(PageForm):
    service_fields = {"owner": "owner"}

    kind = forms.ChoiceField(
        label="What is to be done?",
        choices=[(k.value, k.label) for k in ActionKind if k is not ActionKind.BRIDGING_PACKAGE],
        error_messages={"required": "Choose what is to be done", "invalid_choice": "Choose what is to be done"},
    )
    details = forms.CharField(
        label="Details", max_length=2000, widget=forms.Textarea, error_messages={"required": "Say what is to be done"}
    )
    medication_route = forms.ChoiceField(
        label="Emergency medication through",
        required=False,
        choices=[("", "Not medication"), *((m.value, m.label) for m in MedicationRoute)],
    )
    owner = forms.ChoiceField(label="Who does it?", required=False)

    def __init__(self, *args: Any, people: Iterable[Practitioner] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("owner", [("", "Me"), *((str(p.pk), p.display_name) for p in people)])

    def owner_id(self) -> int | None:
        value = self.cleaned_data.get("owner") or ""
        return int(value) if value.isdigit() else None


class BridgingForm(PageForm):
    care_tasks = forms.CharField(
        label="What the carers are to do", max_length=2000, widget=forms.Textarea,
        error_messages={"required": "Say what the carers are to do"},
    )  # fmt: skip
    hours_of_care = forms.DecimalField(
        label="Hours of care a day", min_value=0.5, max_value=24, decimal_places=1,
        error_messages={"required": "Enter the hours of care a day", "invalid": "Enter the hours of care a day, like 4",
                        "min_value": "Enter between 0.5 and 24 hours", "max_value": "Enter between 0.5 and 24 hours",
                        "max_decimal_places": "Give the hours to one decimal place"},
    )  # fmt: skip
    duration_hours = forms.IntegerField(
        label="For how many hours", initial=BRIDGING_DEFAULT_HOURS, min_value=1, max_value=BRIDGING_MAX_HOURS,
        error_messages={"required": "Enter how many hours the package lasts", "invalid": "Enter a number of hours",
                        "min_value": f"Enter 1 to {BRIDGING_MAX_HOURS} hours",
                        "max_value": f"Enter 1 to {BRIDGING_MAX_HOURS} hours"},
    )  # fmt: skip


class ActionPartForm(PageForm):
    """A form of one action on a crisis's page: its fields carry the action's prefix."""

    def anchor(self, name: str) -> str:
        plain = super().anchor(name)
        field = plain.removesuffix("-day")
        return self[field].html_name + plain[len(field) :] if field in self.fields else plain


class ArrangeForm(ActionPartForm):
    provider = forms.CharField(
        label="Care provider", max_length=200, error_messages={"required": "Enter the care provider"}
    )
    cost = forms.CharField(
        label="Cost of the package, in pounds", max_length=20, error_messages={"required": "Enter the cost"}
    )
    start_day = NhsDateField(label="Starts on", required=False)
    start_time = _time_field("Start time", required=False)

    def starts_at(self) -> datetime | None:
        day: date | None = self.cleaned_data.get("start_day")
        clock: time | None = self.cleaned_data.get("start_time")
        if day is None and clock is None:
            return None
        if day is None or clock is None:
            raise ValidationError({"start_day": "Give both the day and the time the package starts, or neither"})
        try:
            return london_moment(day, clock)
        except NonexistentLocalTime as error:
            raise ValidationError({"start_time": str(error)}) from error


class ActionStatusForm(ActionPartForm):
    status = forms.ChoiceField(
        label="Now",
        choices=[(s.value, s.value.capitalize()) for s in ActionStatus if s is not ActionStatus.REQUESTED],
        error_messages={
            "required": "Choose arranged, done or cancelled",
            "invalid_choice": "Choose arranged, done or cancelled",
        },
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class ChecklistForm(PageForm):
    reason = forms.CharField(
        label="Why would none of these keep the client at home?", max_length=2000, widget=forms.Textarea,
        error_messages={"required": "Say why none of the alternatives would keep the client at home"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(a.value, a.label) for a in AlternativeAnswer]
        for alternative in Alternative:
            self.fields[alternative.value] = forms.ChoiceField(
                label=alternative.label, choices=choices,
                error_messages={"required": f"{alternative.label}: say if it was tried, not suitable or not available",
                                "invalid_choice": f"{alternative.label}: choose one of the answers"},
            )  # fmt: skip
        self.order_fields([a.value for a in Alternative] + ["reason"])

    def answers(self) -> dict[str, str]:
        return {a.value: self.cleaned_data[a.value] for a in Alternative}


class OutcomeForm(PageForm):
    outcome = forms.ChoiceField(
        label="How did it end?",
        choices=[(o.value, o.label) for o in Outcome],
        error_messages={"required": "Choose how the crisis ended", "invalid_choice": "Choose how the crisis ended"},
    )
    note = forms.CharField(
        label="What happened (optional unless 'Other')", required=False, max_length=2000, widget=forms.Textarea
    )


class CancelForm(PageForm):
    reason = forms.CharField(
        label="Why cancel this crisis?", max_length=2000, widget=forms.Textarea,
        error_messages={"required": "Say why the crisis is cancelled"},
    )  # fmt: skip


class ShiftForm(PageForm):
    practitioner = forms.ChoiceField(label="Who is on call", error_messages={"required": "Choose who is on call"})
    start_day = NhsDateField(label="From (day)")
    start_time = _time_field("From (time)")
    end_day = NhsDateField(label="Until (day)")
    end_time = _time_field("Until (time)")
    position = forms.ChoiceField(
        label="Position", choices=[("1", "First on call"), ("2", "Second on call")], initial="1",
        error_messages={"required": "Choose first or second on call",
                        "invalid_choice": "Choose first or second on call"},
    )  # fmt: skip
    repeat_weeks = forms.IntegerField(
        label="Repeat weekly, for how many weeks", initial=1, min_value=1, max_value=12,
        error_messages={"required": "Enter 1 for this week only", "invalid": "Enter a number of weeks",
                        "min_value": "Enter 1 to 12 weeks", "max_value": "Enter 1 to 12 weeks"},
    )  # fmt: skip

    def __init__(self, *args: Any, people: Iterable[Practitioner] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("practitioner", [(str(p.pk), p.display_name) for p in people])


class RotaPeopleForm(PageForm):
    manager = forms.ChoiceField(label="Service manager", error_messages={"required": "Choose the service manager"})
    fallback = forms.ChoiceField(label="Named fallback", error_messages={"required": "Choose the named fallback"})

    def __init__(self, *args: Any, people: Iterable[Practitioner] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(p.pk), p.display_name) for p in people]
        self.set_choices("manager", choices)
        self.set_choices("fallback", choices)


class CapacityForm(PageForm):
    day = NhsDateField(label="Day")
    packages = forms.IntegerField(
        label="Bridging packages brokerage can start that day", min_value=0, max_value=500,
        error_messages={"required": "Enter a number of packages", "invalid": "Enter a number of packages",
                        "min_value": "Enter 0 to 500 packages", "max_value": "Enter 0 to 500 packages"},
    )  # fmt: skip
