"""The reviewer's note on an access alert."""

from __future__ import annotations

from django import forms

from joinedup.core.forms import PageForm
from joinedup.governance.rules import NOTE_MAX


def _note(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=NOTE_MAX,
        widget=forms.Textarea,
        error_messages={
            "required": "Write a note: what you did or found",
            "max_length": f"Keep the note to {NOTE_MAX} characters or fewer",
        },
    )


class AcknowledgeForm(PageForm):
    note = _note("What will you do?")


class CloseForm(PageForm):
    """Its box has a name of its own, since both forms can be on the alert's page at once."""

    finding = _note("What did you find?")
    service_fields = {"note": "finding"}
