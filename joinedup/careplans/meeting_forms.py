"""Forms of the MDT meeting pages: the schedule, attendance, the agenda, discussion, actions, disputes."""

from __future__ import annotations

from typing import Any

from django import forms

from joinedup.careplans.services.minutes import NewAction
from joinedup.careplans.visit_forms import TimeText
from joinedup.core.forms import NhsDateField, PageForm
from joinedup.directory.models import Locality, Practitioner, Team, TeamMembership

EVERY = [("1", "Every week"), ("2", "Every 2 weeks"), ("4", "Every 4 weeks")]
LENGTHS = [("60", "1 hour"), ("90", "1 hour 30 minutes"), ("120", "2 hours"), ("180", "3 hours")]


class SeriesForm(PageForm):
    locality = forms.ChoiceField(label="Locality")
    title = forms.CharField(
        label="Name of the meeting", max_length=160, error_messages={"required": "Give the meeting a name"}
    )
    first_date = NhsDateField(label="First meeting", help_text="Later meetings fall on the same weekday")
    start_time = TimeText(label="Starts at", error_messages={"required": "Enter the time it starts"})
    duration_minutes = forms.ChoiceField(label="How long", choices=LENGTHS, initial="90")
    every_weeks = forms.ChoiceField(label="How often", choices=EVERY, initial="1")
    location = forms.CharField(label="Where", required=False, max_length=200)

    def __init__(self, *args: Any, localities: list[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("locality", [(str(loc.pk), loc.name) for loc in localities])


class AttendanceForm(PageForm):
    present = forms.MultipleChoiceField(label="Here", required=False)
    apologies = forms.MultipleChoiceField(label="Apologies", required=False)
    guest_name = forms.CharField(label="Guest's name", required=False, max_length=160)
    guest_profession = forms.CharField(label="Profession or role", required=False, max_length=120)
    guest_organisation = forms.CharField(label="Organisation", required=False, max_length=200)

    def __init__(self, *args: Any, members: list[TeamMembership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(m.practitioner_id), m.practitioner.display_name) for m in members]
        self.set_choices("present", choices)
        self.set_choices("apologies", choices)

    def has_guest(self) -> bool:
        return any(self.cleaned_data.get(f"guest_{part}") for part in ("name", "profession", "organisation"))


class AddClientForm(PageForm):
    nhs_number = forms.CharField(label="NHS number", max_length=20, error_messages={"required": "Enter the NHS number"})
    reason = forms.CharField(
        label="Why discuss them", max_length=500, error_messages={"required": "Say why the MDT should discuss them"}
    )
    service_fields = {"client": "nhs_number"}


class DiscussionForm(PageForm):
    note = forms.CharField(
        label="Discussion",
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"required": "Write what was discussed"},
    )
    decision = forms.CharField(
        label="Decision",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Write what the MDT decided"},
    )


def owner_choices(people: list[Practitioner], teams: list[Team]) -> list[tuple[str, str]]:
    return [
        ("", "Choose who owns it"),
        *((f"p-{p.pk}", f"{p.display_name}, {p.get_profession_display()}") for p in people),
        *((f"t-{t.pk}", f"Team: {t.name}") for t in teams),
    ]


class ActionForm(PageForm):
    title = forms.CharField(label="Action", max_length=200, error_messages={"required": "Say what needs doing"})
    owner = forms.ChoiceField(label="Who owns it", error_messages={"required": "Choose who owns the action"})
    due_on = NhsDateField(label="Due")
    service_fields = {"owner_practitioner": "owner", "owner_team": "owner"}

    def __init__(self, *args: Any, people: list[Practitioner], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("owner", owner_choices(people, teams))

    def action(self) -> NewAction:
        data = self.cleaned_data
        kind, pk = data["owner"].split("-")
        return NewAction(
            title=data["title"],
            due_on=data["due_on"],
            owner_practitioner_id=int(pk) if kind == "p" else None,
            owner_team_id=int(pk) if kind == "t" else None,
        )


class DisputeDecisionForm(PageForm):
    team = forms.ChoiceField(label="Which team is accountable?", error_messages={"required": "Choose the team"})
    lead = forms.ChoiceField(label="Lead professional", required=False)
    reasons = forms.CharField(
        label="Reasons",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Record the reasons for the decision"},
    )
    service_fields = {"lead_professional": "lead"}

    def __init__(self, *args: Any, teams: list[Team], people: list[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("team", [("", "Choose a team"), *((str(t.pk), t.name) for t in teams)])
        self.set_choices("lead", [("", "The team's duty worker"), *((str(p.pk), p.display_name) for p in people)])
