"""Forms of the care plan pages: the plan (a new version), the client's agreement, a review, frailty, the care team.

They parse and check the shape of the input; careplans.services decide and save, and
their ValidationErrors land on the fields they name (PageForm.apply).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from joinedup.careplans.models import Goal, Intervention
from joinedup.careplans.rules import gas
from joinedup.careplans.rules.plans import AGREEMENT_LABELS, Agreement, FrailtyBand
from joinedup.careplans.services.plans import GoalIn, InterventionIn, PlanChanges
from joinedup.core.forms import NhsDateField, PageForm
from joinedup.core.working_time import LONDON
from joinedup.directory.models import Practitioner, Team

NEW_GOALS = 3
NEW_INTERVENTIONS = 2
LEVEL_HINTS = {level: f"{'+' if level > 0 else ''}{level}: {name}" for level, name in gas.LEVEL_NAMES.items()}


def team_choices(teams: Iterable[Team]) -> list[tuple[str, str]]:
    return [("", "Choose a team"), *((str(t.pk), t.name) for t in teams)]


def person_choices(people: Iterable[Practitioner], blank: str = "Nobody named yet") -> list[tuple[str, str]]:
    return [("", blank), *((str(p.pk), f"{p.display_name}, {p.get_profession_display()}") for p in people)]


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


class PlanForm(PageForm):
    """A new version of the plan (or the first): what matters, review date, goals and interventions."""

    what_matters = forms.CharField(label="What matters to me", required=False, max_length=4000, widget=forms.Textarea)
    review_due = NhsDateField(label="Review date", required=False)
    change_note = forms.CharField(label="What changed, and why", required=False, max_length=500)

    def __init__(
        self,
        *args: Any,
        teams: list[Team],
        people: list[Practitioner],
        goals: list[Goal] | None = None,
        interventions: list[Intervention] | None = None,
        creating: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.goals: list[Goal] = list(goals or [])
        self.interventions: list[Intervention] = list(interventions or [])
        if not creating:
            self.fields["change_note"].required = True
            self.fields["change_note"].error_messages["required"] = "Say what changed and why"
        for n in range(1, NEW_GOALS + 1):
            self.fields[f"goal_{n}_client_words"] = forms.CharField(
                label=f"New goal {n}, in the client's own words", required=False, max_length=500
            )
            for level in gas.LEVELS:
                self.fields[f"goal_{n}_level_{gas.level_key(level)}"] = forms.CharField(
                    label=LEVEL_HINTS[level], required=False, max_length=500
                )
            self.fields[f"goal_{n}_baseline"] = forms.ChoiceField(
                label="Where the client is now",
                choices=[("-1", "-1"), ("-2", "-2 (nothing worse is possible)")],
                initial="-1",
                required=False,
            )
            self.fields[f"goal_{n}_weight"] = forms.ChoiceField(
                label="Weight",
                choices=[(str(w), str(w)) for w in range(1, gas.MAX_WEIGHT + 1)],
                initial="1",
                required=False,
            )
        for n in range(1, NEW_INTERVENTIONS + 1):
            self.fields[f"intervention_{n}_team"] = forms.ChoiceField(
                label="Team", required=False, choices=team_choices(teams)
            )
            self.fields[f"intervention_{n}_practitioner"] = forms.ChoiceField(
                label="Practitioner", required=False, choices=person_choices(people)
            )
            self.fields[f"intervention_{n}_description"] = forms.CharField(
                label="What they will do", required=False, max_length=1000
            )
            self.fields[f"intervention_{n}_frequency"] = forms.CharField(
                label="How often", required=False, max_length=120
            )
        for goal in self.goals:
            self.fields[f"end_goal_{goal.number}"] = forms.CharField(
                label="End this goal because", required=False, max_length=300
            )
        for intervention in self.interventions:
            self.fields[f"end_intervention_{intervention.pk}"] = forms.BooleanField(label="End", required=False)
        self.goal_blocks: dict[int, int] = {}  # position in the service's list -> block number on the form

    def block_has_errors(self, prefix: str) -> bool:
        return any(name.startswith(prefix) for name in self.errors)

    def _goal_filled(self, n: int) -> bool:
        data = self.cleaned_data
        return any(
            (data.get(f"goal_{n}_{part}") or "").strip()
            for part in ["client_words", *(f"level_{gas.level_key(level)}" for level in gas.LEVELS)]
        )

    def changes(self) -> PlanChanges:
        data = self.cleaned_data
        goals: list[GoalIn] = []
        interventions: list[InterventionIn] = []
        for n in range(1, NEW_GOALS + 1):
            if self._goal_filled(n):
                self.goal_blocks[len(goals) + 1] = n
                goals.append(
                    GoalIn(
                        client_words=data[f"goal_{n}_client_words"],
                        levels={level: data[f"goal_{n}_level_{gas.level_key(level)}"] for level in gas.LEVELS},
                        baseline=int(data[f"goal_{n}_baseline"] or -1),
                        weight=int(data[f"goal_{n}_weight"] or 1),
                    )
                )
        blocks = {}
        for n in range(1, NEW_INTERVENTIONS + 1):
            parts = [data.get(f"intervention_{n}_{p}") for p in ("team", "practitioner", "description", "frequency")]
            if any(parts):
                blocks[len(interventions) + 1] = n
                interventions.append(
                    InterventionIn(_int(parts[0] or ""), parts[2] or "", _int(parts[1] or ""), parts[3] or "")
                )
        self.service_fields = {
            **{
                f"goal_{i}_{rest}": f"goal_{n}_{rest}"
                for i, n in self.goal_blocks.items()
                for rest in self._goal_parts()
            },
            **{
                f"intervention_{i}_{p}": f"intervention_{n}_{p}"
                for i, n in blocks.items()
                for p in ("team", "practitioner", "description", "frequency")
            },
        }
        return PlanChanges(
            change_note=data.get("change_note", ""),
            add_goals=goals,
            end_goals={g.number: data[f"end_goal_{g.number}"] for g in self.goals if data.get(f"end_goal_{g.number}")},
            add_interventions=interventions,
            end_interventions=[i.pk for i in self.interventions if data.get(f"end_intervention_{i.pk}")],
            what_matters=data.get("what_matters", ""),
            what_matters_source=self.initial.get("what_matters_source", "") if self.creating else "",
            review_due=data.get("review_due"),
        )

    @staticmethod
    def _goal_parts() -> list[str]:
        return ["client_words", "baseline", "weight", *(f"level_{gas.level_key(level)}" for level in gas.LEVELS)]


class AgreementForm(PageForm):
    agreement = forms.ChoiceField(
        label="Does the client agree to the plan?",
        choices=[(a.value, label) for a, label in AGREEMENT_LABELS.items() if a is not Agreement.PENDING],
        error_messages={"required": "Choose agreed, not agreed, or unable to agree"},
    )
    who = forms.CharField(
        label="Who agreed, or was asked",
        max_length=200,
        error_messages={"required": "Say who agreed or was asked: the client, or who spoke for them"},
    )
    when = NhsDateField(label="Date")
    note = forms.CharField(label="Notes", required=False, max_length=2000, widget=forms.Textarea)

    def when_at(self) -> datetime:
        day = self.cleaned_data["when"]
        now = timezone.localtime()
        return now if day == now.date() else datetime.combine(day, time(12, 0), LONDON)


class ReviewForm(PageForm):
    held_on = NhsDateField(label="Date of the review")
    next_review_due = NhsDateField(label="Next review date")
    note = forms.CharField(label="Notes", required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"score_{goal.number}"] = forms.ChoiceField(
                label=goal.client_words,
                choices=[(str(level), f"{LEVEL_HINTS[level]}: {goal.level(level)}") for level in reversed(gas.LEVELS)],
                error_messages={"required": f"Score goal {goal.number} on its scale"},
            )

    def scores(self) -> dict[int, int]:
        return {g.number: int(self.cleaned_data[f"score_{g.number}"]) for g in self.goals}


class FrailtyForm(PageForm):
    band = forms.ChoiceField(
        label="Electronic Frailty Index band",
        choices=[(b.value, b.label) for b in FrailtyBand],
        error_messages={"required": "Choose the band"},
    )
    efi_score = forms.DecimalField(
        label="eFI score (if known)", required=False, min_value=0, max_value=1, decimal_places=3, max_digits=4
    )
    assessed_on = NhsDateField(label="Date of the index")
    source = forms.CharField(label="Where it comes from", required=False, max_length=120)


class CareTeamForm(PageForm):
    practitioner = forms.ChoiceField(label="A practitioner", required=False)
    team = forms.ChoiceField(label="Or a whole team", required=False)
    role = forms.CharField(
        label="Their part in the client's care",
        max_length=120,
        error_messages={"required": "Say what part they play, e.g. 'Community pharmacist'"},
    )

    def __init__(self, *args: Any, teams: list[Team], people: list[Practitioner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("practitioner", person_choices(people, blank="Choose a practitioner"))
        self.set_choices("team", team_choices(teams))
        self.service_fields = {"member": "practitioner"}


class ReasonForm(PageForm):
    reason = forms.CharField(label="Why", max_length=500, error_messages={"required": "Give the reason"})
