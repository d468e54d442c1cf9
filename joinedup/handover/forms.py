"""The forms of the handover pages. They parse and check input; the services decide and save.

The referral form carries the handover information set: for each item a text
(its field is the item's key), and for items that allow it a "not known" box
(`<key>_not_known`) with its reason (`<key>_reason`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from joinedup.core.forms import PageForm
from joinedup.directory.models import Practitioner, Team
from joinedup.handover.information import Answer, InformationItem
from joinedup.handover.rules import ReferralKind

ANSWER_LENGTH = 4000
REASON_LENGTH = 1000

KIND_CHOICES = [
    (ReferralKind.TRANSFER_OF_CARE.value, "Transfer of care"),
    (ReferralKind.REQUEST_FOR_SERVICE.value, "Request for a service"),
]
KIND_HINTS = {
    ReferralKind.TRANSFER_OF_CARE.value: "They become accountable for the client when they accept.",
    ReferralKind.REQUEST_FOR_SERVICE.value: "Your team stays accountable; they take on a piece of work.",
}
URGENCY_CHOICES = [("emergency", "Emergency"), ("urgent", "Urgent"), ("routine", "Routine")]


def team_label(team: Team) -> str:
    where = team.locality.name if team.locality is not None else "borough-wide"
    return f"{team.name} ({team.organisation.name}, {where})"


def grouped_teams(teams: Iterable[Team], first_locality_id: int | None) -> list[tuple[str, list[Team]]]:
    """Teams grouped by locality: the client's locality first, then borough-wide teams, then the others."""
    groups: dict[str, list[Team]] = {}
    order: dict[str, tuple[int, str]] = {}
    for team in teams:
        name = team.locality.name if team.locality is not None else "Borough-wide"
        rank = 1 if team.locality is None else 0 if team.locality_id == first_locality_id else 2
        groups.setdefault(name, []).append(team)
        order[name] = (rank, name)
    return [(name, sorted(groups[name], key=lambda t: t.name)) for name in sorted(groups, key=order.__getitem__)]


def member_choices(members: Iterable[Practitioner]) -> list[tuple[str, str]]:
    return [(str(p.pk), f"{p.display_name}, {p.get_profession_display().lower()}") for p in members]


class ReferralForm(PageForm):
    """A new referral or a draft: where to, what kind, how urgent, and the handover information."""

    service_fields = {"receiving_team": "receiving_team", "sending_team": "sending_team"}

    sending_team = forms.ChoiceField(label="Refer from", required=False)
    receiving_team = forms.ChoiceField(
        label="Refer to", error_messages={"required": "Choose the team you are referring to"}
    )
    kind = forms.ChoiceField(
        label="What are you asking for?",
        choices=KIND_CHOICES,
        error_messages={
            "required": "Choose a transfer of care or a request for a service",
            "invalid_choice": "Choose a transfer of care or a request for a service",
        },
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=URGENCY_CHOICES,
        error_messages={"required": "Choose how urgent the referral is", "invalid_choice": "Choose how urgent it is"},
    )

    def __init__(
        self,
        *args: Any,
        items: tuple[InformationItem, ...],
        receiving_teams: list[tuple[str, list[Team]]] | None = None,
        sending_teams: list[Team] | None = None,
        may_transfer: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.information_items = items
        self.team_groups = receiving_teams or []
        if receiving_teams is None:  # a draft: the receiving team is fixed
            del self.fields["receiving_team"]
        else:
            self.set_choices(
                "receiving_team", [(str(t.pk), team_label(t)) for _, teams in receiving_teams for t in teams]
            )
        self.sending_teams = sending_teams or []
        if len(self.sending_teams) > 1:
            self.fields["sending_team"].required = True
            self.fields["sending_team"].error_messages["required"] = "Choose which of your teams refers"
            self.set_choices("sending_team", [(str(t.pk), t.name) for t in self.sending_teams])
        else:
            del self.fields["sending_team"]
        if not may_transfer:
            self.set_choices("kind", KIND_CHOICES[1:])
        for item in items:
            self.fields[item.key] = forms.CharField(
                label=item.question,
                required=False,
                max_length=ANSWER_LENGTH,
                widget=forms.Textarea,
                error_messages={"max_length": f"{item.question}: keep it to 4,000 characters"},
            )
            if item.not_known_allowed:
                self.fields[f"{item.key}_not_known"] = forms.BooleanField(label="Not known", required=False)
                self.fields[f"{item.key}_reason"] = forms.CharField(
                    label="Why is this not known?",
                    required=False,
                    max_length=REASON_LENGTH,
                    error_messages={"max_length": f"{item.question}: keep the reason to 1,000 characters"},
                )

    @staticmethod
    def data_of(answers: Mapping[str, Answer], *, kind: str, urgency: str) -> dict[str, str]:
        """Form data for a saved draft, to show it bound (and its gaps as errors)."""
        data = {"kind": kind, "urgency": urgency}
        for key, answer in answers.items():
            data[key] = answer.text
            if answer.not_known:
                data[f"{key}_not_known"] = "on"
            data[f"{key}_reason"] = answer.not_known_reason
        return data

    def sections(self) -> list[tuple[str, list[InformationItem]]]:
        """The items grouped by section, in the order the sections first appear."""
        sections: dict[str, list[InformationItem]] = {}
        for item in self.information_items:
            sections.setdefault(item.section or "Handover information", []).append(item)
        return list(sections.items())

    def information(self) -> dict[str, dict[str, Any]]:
        """The answers as the services take them."""
        data = self.cleaned_data
        answers = {}
        for item in self.information_items:
            not_known = bool(data.get(f"{item.key}_not_known"))
            answers[item.key] = {
                "text": data.get(item.key, ""),
                "not_known": not_known,
                "not_known_reason": data.get(f"{item.key}_reason", "") if not_known else "",
            }
        return answers

    def show_problems(self, problems: Mapping[str, str]) -> None:
        """The items that stop the referral being sent, each on the field that needs attention."""
        for key, message in problems.items():
            reason = f"{key}_reason"
            ticked = self[f"{key}_not_known"].value() if f"{key}_not_known" in self.fields else False
            target = reason if ticked and reason in self.fields and "say why" in message else key
            if target in self.fields and target not in self.errors:
                self.add_error(target, message)
            elif target not in self.fields:
                self.add_error(None, message)

    def apply(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            keys = {item.key for item in self.information_items}
            items = {k: " ".join(v) for k, v in error.message_dict.items() if k in keys}
            self.show_problems(items)
            rest = {k: v for k, v in error.message_dict.items() if k not in keys}
            if rest:
                super().apply(ValidationError(rest))
            return
        super().apply(error)

    def anchor(self, name: str) -> str:
        if name in ("kind", "urgency") and name in self.fields:
            return name  # the first radio's id is the field's name
        return super().anchor(name)


class AcceptForm(PageForm):
    service_fields = {"lead_professional": "lead"}

    lead = forms.ChoiceField(label="Lead professional", required=False)

    def __init__(self, *args: Any, members: Iterable[Practitioner], transfer: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = "Nobody yet: the team's duty worker answers" if transfer else "Me"
        self.fields["lead"].label = "Lead professional" if transfer else "Who will do the work?"
        self.set_choices("lead", [("", blank), *member_choices(members)])
        self.fields["lead"].error_messages["invalid_choice"] = "Choose a member of your team"

    def lead_id(self) -> int | None:
        chosen = self.cleaned_data.get("lead")
        return int(chosen) if chosen else None


def _reason(label: str, required: str, length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=length,
        widget=forms.Textarea,
        error_messages={"required": required, "max_length": f"Keep it to {length:,} characters"},
    )


class DeclineForm(PageForm):
    reason = _reason("Why are you declining?", "Give a reason for declining")
    alternative = _reason(
        "What service or team do you suggest instead?",
        "Suggest an alternative service or team when you decline a referral",
    )


class QuestionForm(PageForm):
    service_fields = {"reason": "question"}

    question = _reason("What information do you need?", "Say what information you need")


class ReplyForm(PageForm):
    service_fields = {"reason": "reply"}

    reply = _reason("Your reply", "Give the information that was asked for")


class StopClockForm(PageForm):
    service_fields = {"reason": "stop_reason"}

    stop_reason = _reason("Why are you stopping the clock?", "Give a reason for stopping the clock", 1000)


class WithdrawForm(PageForm):
    service_fields = {"reason": "withdraw_reason"}

    withdraw_reason = _reason("Why are you withdrawing the referral?", "Give a reason for withdrawing the referral")


class TeamFilterForm(PageForm):
    team = forms.ChoiceField(label="Team", required=False)

    def __init__(self, *args: Any, teams: Iterable[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("team", [("", "All my teams"), *[(str(t.pk), t.name) for t in teams]])

    def team_id(self) -> int | None:
        if not self.is_bound or not self.is_valid():
            return None
        chosen = self.cleaned_data.get("team")
        return int(chosen) if chosen else None


class DecisionForm(PageForm):
    """The locality MDT's decision on a dispute."""

    service_fields = {"lead_professional": "lead"}

    team = forms.ChoiceField(
        label="Which team is accountable?", error_messages={"required": "Choose the team that is accountable"}
    )
    lead = forms.ChoiceField(label="Lead professional (optional)", required=False)
    reasons = _reason("Reasons for the decision", "Record the reasons for the decision", 2000)

    def __init__(self, *args: Any, teams: list[tuple[str, list[Team]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team_groups = teams
        every = [t for _, group in teams for t in group]
        self.set_choices("team", [(str(t.pk), team_label(t)) for t in every])
        named: dict[int, tuple[str, list[str]]] = {}
        for team in every:
            for membership in team.memberships.all():
                person = membership.practitioner
                named.setdefault(person.pk, (person.display_name, []))[1].append(team.name)
        people = sorted(named.items(), key=lambda item: item[1][0])
        self.set_choices(
            "lead",
            [
                ("", "Nobody yet: the team's duty worker answers"),
                *[(str(pk), f"{name} ({', '.join(names)})") for pk, (name, names) in people],
            ],
        )
        self.fields["lead"].error_messages["invalid_choice"] = "Choose a member of the team"

    def lead_id(self) -> int | None:
        chosen = self.cleaned_data.get("lead")
        return int(chosen) if chosen else None
