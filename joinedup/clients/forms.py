"""The forms of the client pages. They parse and check input; the services decide and save."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

from joinedup.clients.models import ConsentToShare, NeedCategory, NeedStatus, Sex
from joinedup.clients.queries import CASELOAD_SORTS
from joinedup.core.forms import NhsDateField, PageForm
from joinedup.core.nhs_number import InvalidNhsNumber, normalise
from joinedup.directory.models import Organisation, OrganisationKind, Practitioner, Team

SORT_CHOICES = [
    ("name", "Name"),
    ("dob", "Date of birth (oldest first)"),
    ("updated", "Recently updated"),
]
assert all(value in CASELOAD_SORTS for value, _ in SORT_CHOICES)


def _team_choices(teams: Iterable[Team]) -> list[tuple[str, str]]:
    return [(str(team.pk), team.name) for team in teams]


def _member_choices(teams: Iterable[Team]) -> list[tuple[str, str]]:
    """Each member once, named with the teams they are in (the service checks the team)."""
    named: dict[int, tuple[str, list[str]]] = {}
    for team in teams:
        for membership in team.memberships.all():
            person = membership.practitioner
            named.setdefault(person.pk, (person.display_name, []))[1].append(team.name)
    ordered = sorted(named.items(), key=lambda item: item[1][0])
    return [(str(pk), f"{name} ({', '.join(team_names)})") for pk, (name, team_names) in ordered]


def _gp_practices() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE)
        .select_related("locality")
        .order_by("name"),
        label="GP practice",
        error_messages={
            "required": "Choose the client's GP practice",
            "invalid_choice": "Choose a GP practice from the list",
        },
    )


class CaseloadForm(PageForm):
    q = forms.CharField(label="Name", required=False, max_length=100)
    mine = forms.BooleanField(label="Only clients I lead", required=False)
    team = forms.ChoiceField(label="Team", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, teams: Iterable[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("team", [("", "All my teams"), *_team_choices(teams)])


class SearchForm(PageForm):
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    given_name = forms.CharField(label="Given name", required=False, max_length=100)
    date_of_birth = NhsDateField(label="Date of birth", required=False)


class ClientDetailsForm(PageForm):
    """Who the client is: the fields of update_client, and of create_client with the team below."""

    given_name = forms.CharField(
        label="Given name",
        max_length=100,
        error_messages={"required": "Enter the client's given name"},
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=100,
        error_messages={"required": "Enter the client's family name"},
    )
    date_of_birth = NhsDateField(label="Date of birth")
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        initial=Sex.UNKNOWN,
        error_messages={"required": "Choose female, male, other or not known"},
    )
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)
    address = forms.CharField(label="Address", required=False, max_length=300)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    phone = forms.CharField(label="Phone number", required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gp_practice"] = _gp_practices()

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].upper().split())


class NewClientForm(ClientDetailsForm):
    service_fields = {"lead_professional": "lead", "accountable_team": "team"}

    team = forms.ChoiceField(
        label="Accountable team",
        error_messages={"required": "Choose the team accountable for the client"},
    )
    lead = forms.ChoiceField(label="Lead professional", required=False)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.set_choices("team", _team_choices(teams))
        self.set_choices(
            "lead",
            [
                ("", "Nobody yet: the team's duty worker answers"),
                *_member_choices(teams),
            ],
        )

    def clean_team(self) -> Team:
        return self.teams[self.cleaned_data["team"]]

    def clean_lead(self) -> Practitioner | None:
        chosen = self.cleaned_data["lead"]
        members = (m.practitioner for team in self.teams.values() for m in team.memberships.all())
        return next((person for person in members if str(person.pk) == chosen), None)


class NeedForm(PageForm):
    category = forms.ChoiceField(
        label="Kind of need",
        choices=NeedCategory.choices,
        error_messages={"required": "Choose the kind of need"},
    )
    description = forms.CharField(
        label="Describe the need",
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"required": "Describe the need"},
    )


class NeedStatusForm(PageForm):
    status = forms.ChoiceField(
        label="Status",
        choices=NeedStatus.choices,
        error_messages={"required": "Choose open, met or no longer needed"},
    )


class ConsentForm(PageForm):
    decision = forms.ChoiceField(
        label="Does the client consent to share their record?",
        choices=ConsentToShare.choices,
        error_messages={"required": "Choose given, refused or not yet asked"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea)


class AccountabilityForm(PageForm):
    service_fields = {"lead_professional": "lead"}

    team = forms.ChoiceField(label="Accountable team", error_messages={"required": "Choose a team"})
    lead = forms.ChoiceField(label="Lead professional", required=False)
    reason = forms.CharField(
        label="Reason for the change",
        max_length=300,
        widget=forms.Textarea,
        error_messages={"required": "Give the reason for the change"},
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("team", _team_choices(teams))
        self.set_choices(
            "lead",
            [
                ("", "Nobody yet: the team's duty worker answers"),
                *_member_choices(teams),
            ],
        )


class EmergencyAccessForm(PageForm):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        error_messages={"required": "Enter the client's NHS number"},
    )
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Give the reason for emergency access"},
    )

    def __init__(self, *args: Any, with_nhs_number: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_nhs_number:
            del self.fields["nhs_number"]

    def clean_nhs_number(self) -> str:
        try:
            return normalise(self.cleaned_data["nhs_number"])
        except InvalidNhsNumber as error:
            raise forms.ValidationError(str(error)) from error


def with_members(teams: QuerySet[Team]) -> list[Team]:
    """Teams with their members read in two queries, for the team and lead choices."""
    return list(teams.prefetch_related("memberships__practitioner").order_by("name"))


def all_teams() -> QuerySet[Team]:
    return Team.objects.select_related("locality")


class RaiseFlagForm(PageForm):
    code = forms.SlugField(
        label="Kind of flag",
        help_text="A short name in lower case, for example falls-risk or lives-alone",
        max_length=60,
        error_messages={"required": "Give the kind of flag", "invalid": "Use letters, numbers and hyphens only"},
    )
    text = forms.CharField(
        label="What everyone should know",
        max_length=300,
        error_messages={"required": "Say what the flag is about", "max_length": "Keep it to 300 characters"},
    )


class CloseFlagForm(PageForm):
    reason = forms.CharField(
        label="Why is the flag closed?",
        max_length=300,
        error_messages={"required": "Say why the flag is closed", "max_length": "Keep it to 300 characters"},
    )
