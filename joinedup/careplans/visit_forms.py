"""Forms of the visit pages: booking (with the duplicate-assessment warning), recording, cancelling."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from joinedup.careplans.rules.visits import ASSESSMENT_LABELS, VisitKind
from joinedup.careplans.services.visits import NewVisit
from joinedup.core.forms import NhsDateField, PageForm
from joinedup.core.working_time import LONDON
from joinedup.directory.models import TeamMembership

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
DURATIONS = [
    ("15", "15 minutes"),
    ("30", "30 minutes"),
    ("45", "45 minutes"),
    ("60", "1 hour"),
    ("90", "1 hour 30 minutes"),
    ("120", "2 hours"),
]


class TimeText(forms.Field):
    """A time of day typed as 14:30 (or 14.30)."""

    def to_python(self, value: Any) -> time | None:
        text = str(value or "").strip()
        if not text:
            return None
        match = _TIME.match(text)
        if match is None:
            raise ValidationError("Enter the time like 09:30 or 14:00")
        return time(int(match.group(1)), int(match.group(2)))


def visitor_choices(memberships: list[TeamMembership]) -> list[tuple[str, str]]:
    return [("", "Choose who visits")] + [
        (
            f"{m.team_id}-{m.practitioner_id}",
            f"{m.practitioner.display_name}, {m.practitioner.get_profession_display()} ({m.team.name})",
        )
        for m in memberships
    ]


class VisitForm(PageForm):
    visitor = forms.ChoiceField(label="Who visits", error_messages={"required": "Choose who visits"})
    kind = forms.ChoiceField(
        label="Kind of visit",
        choices=[(k.value, k.label) for k in VisitKind],
        error_messages={"required": "Choose the kind of visit"},
    )
    assessment = forms.ChoiceField(
        label="What is assessed",
        required=False,
        choices=[("", "Not an assessment"), *((k.value, v) for k, v in ASSESSMENT_LABELS.items())],
    )
    day = NhsDateField(label="Date")
    at = TimeText(label="Time", error_messages={"required": "Enter the time of the visit"})
    duration_minutes = forms.ChoiceField(label="How long", choices=DURATIONS, initial="60")
    purpose = forms.CharField(label="Purpose", required=False, max_length=300)
    duplicate_reason = forms.CharField(
        label="Why book it anyway?", required=False, max_length=500, widget=forms.Textarea
    )
    service_fields = {"practitioner": "visitor", "team": "visitor", "starts_at": "day"}

    def __init__(self, *args: Any, memberships: list[TeamMembership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("visitor", visitor_choices(memberships))

    def new_visit(self) -> NewVisit:
        data = self.cleaned_data
        team_id, practitioner_id = (int(part) for part in data["visitor"].split("-"))
        return NewVisit(
            practitioner_id=practitioner_id,
            team_id=team_id,
            kind=data["kind"],
            assessment=data["assessment"],
            starts_at=datetime.combine(data["day"], data["at"], LONDON),
            duration_minutes=int(data["duration_minutes"]),
            purpose=data["purpose"],
        )


class DoneForm(PageForm):
    outcome = forms.CharField(
        label="What happened, what was found",
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"required": "Record what happened or what was found"},
    )
    recommended_hours = forms.CharField(label="Hours of care a week recommended", required=False, max_length=6)


class NoteForm(PageForm):
    note = forms.CharField(label="Note", required=False, max_length=500)
