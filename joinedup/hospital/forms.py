"""Forms of the hospital pages: resolving feed exceptions."""

from __future__ import annotations

from django import forms

from joinedup.core.forms import PageForm


class MatchForm(PageForm):
    nhs_number = forms.CharField(
        label="NHS number of the client this message is about",
        max_length=20,
        error_messages={"required": "Enter the NHS number you traced for this person"},
    )
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)


class DiscardForm(PageForm):
    reason = forms.CharField(
        label="Why is this message discarded?",
        max_length=500,
        error_messages={"required": "Say why the message is discarded", "max_length": "Keep it to 500 characters"},
    )
