"""Forms of the training pages: a course completed, a competency granted or withdrawn."""

from __future__ import annotations

from django import forms

from joinedup.core.forms import NhsDateField, PageForm
from joinedup.directory.rules import COMPETENCY_LABELS, COURSE_LABELS


class TrainingForm(PageForm):
    course = forms.ChoiceField(
        label="Course",
        choices=[("", "Choose a course"), *((c.value, v) for c, v in COURSE_LABELS.items())],
        error_messages={"required": "Choose a course from the list"},
    )
    completed_on = NhsDateField(label="Date completed")
    evidence = forms.CharField(
        label="Evidence", required=False, max_length=300, help_text="For example: certificate number, e-learning record"
    )


class CompetencyForm(PageForm):
    kind = forms.ChoiceField(
        label="Competency",
        choices=[("", "Choose a competency"), *((k.value, v) for k, v in COMPETENCY_LABELS.items())],
        error_messages={"required": "Choose a competency from the list"},
    )
    hours_limit = forms.CharField(
        label="Up to how many hours of care a week (package of care only)", required=False, max_length=6
    )
    granted_on = NhsDateField(label="Granted on")
    expires_on = NhsDateField(label="Expires on")
    evidence = forms.CharField(
        label="Evidence of competence",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Describe the evidence of competence"},
    )


class RevokeForm(PageForm):
    reason = forms.CharField(label="Why is it withdrawn?", max_length=300, error_messages={"required": "Say why"})
