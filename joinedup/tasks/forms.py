"""The forms of the task pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from joinedup.core.forms import NhsDateField, PageForm
from joinedup.core.working_time import LONDON, OFFICE_HOURS
from joinedup.directory.models import Team
from joinedup.tasks.models import TaskStatus

ME = "me"


class TeamChoiceForm(PageForm):
    team = forms.ChoiceField(label="Team", required=False)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("team", [("", "All my teams"), *((str(t.pk), t.name) for t in teams)])


class TaskStatusForm(PageForm):
    status = forms.ChoiceField(
        label="Status",
        choices=TaskStatus.choices,
        error_messages={"required": "Choose the task's status"},
    )


class NewTaskForm(PageForm):
    service_fields = {"due_at": "due_days", "owner_practitioner": "owner", "owner_team": "owner"}

    title = forms.CharField(
        label="What needs doing",
        max_length=200,
        error_messages={"required": "Enter what needs doing"},
    )
    details = forms.CharField(label="Details (optional)", required=False, max_length=4000, widget=forms.Textarea)
    owner = forms.ChoiceField(label="Who will do it", error_messages={"required": "Choose who will do it"})
    due_days = forms.IntegerField(
        label="Due in working days",
        required=False,
        min_value=0,
        max_value=60,
        error_messages={
            "invalid": "Enter the number of working days as a number",
            "min_value": "Enter 0 working days or more",
            "max_value": "Enter 60 working days or fewer",
        },
    )
    due_date = NhsDateField(label="Or due on a date", required=False)

    def __init__(self, *args: Any, me: str, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(
            "owner",
            [
                (ME, f"Me ({me})"),
                *((f"team:{t.pk}", t.name) for t in teams),
            ],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "due_days" in self.errors or "due_date" in self.errors:
            return data
        days, chosen = data.get("due_days"), data.get("due_date")
        if days is None and chosen is None:
            self.add_error("due_days", "Enter a number of working days, or a due date")
        elif days is not None and chosen is not None:
            self.add_error("due_days", "Enter a number of working days or a due date, not both")
        elif chosen is not None and chosen < timezone.localdate():
            self.add_error("due_date", "The due date must be today or in the future")
        return data

    def owner_ids(self, user_id: int) -> tuple[int | None, int | None]:
        """(owner practitioner, owner team): exactly one of them."""
        owner = self.cleaned_data["owner"]
        if owner == ME:
            return user_id, None
        return None, int(owner.removeprefix("team:"))

    def due_on_date(self) -> datetime:
        """The close of office hours on the chosen day, London time."""
        return datetime.combine(self.cleaned_data["due_date"], OFFICE_HOURS.closes, tzinfo=LONDON)
