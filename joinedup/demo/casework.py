"""A synthetic client's story: accountability history, consent, needs, tasks and timeline.

Everything is drawn from the population's one random stream, in a fixed order,
so the same seed tells the same stories.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from joinedup.clients.models import ConsentToShare, NeedCategory, NeedStatus
from joinedup.core.working_time import add_working_days
from joinedup.demo import names
from joinedup.demo.plan import LocalityPlan, Plan, TeamPlan
from joinedup.demo.tables import Batch, Ids
from joinedup.tasks.models import TaskStatus

SOURCE = "clients"
# The main need a team's clients have.
_PRIMARY_NEED = {
    "community_therapy": ("physical_health", "physical_health", "personal_care"),
    "district_nursing": ("physical_health",),
    "adult_social_work": ("personal_care", "personal_care", "carer", "housing", "safeguarding"),
    "community_mental_health": ("mental_health",),
    "memory_service": ("cognition",),
    "reablement": ("personal_care", "physical_health"),
    "rapid_response": ("physical_health",),
    "mdt": ("physical_health", "mental_health", "cognition", "personal_care"),
    "childrens_social_work": ("safeguarding", "safeguarding", "carer", "mental_health"),
}
# Teams that often held a client before the one accountable now.
_EARLIER_TEAMS = ("rapid_response", "reablement", "district_nursing", "social_work", "therapy")
_CATEGORY_LABELS = dict(NeedCategory.choices)
_CONSENT_LABELS = {key: label.lower() for key, label in ConsentToShare.choices}


@dataclass(frozen=True)
class Draft:
    """A client being drawn: who answers for them, where, since when."""

    client_id: int
    team: TeamPlan
    lead: int | None
    locality: LocalityPlan
    registered: datetime
    child: bool

    @property
    def answering(self) -> int:
        return self.lead or self.team.duty_id


class Casework:
    def __init__(self, plan: Plan, rng: random.Random, ids: Ids) -> None:
        self.plan, self.rng, self.ids = plan, rng, ids

    def lead_for(self, team: TeamPlan) -> int | None:
        """A lead professional from the team, or none (15%): the duty worker answers."""
        return self.rng.choice(team.leads) if self.rng.random() < 0.85 else None

    def record(self, batch: Batch, draft: Draft, *, active: bool) -> str:
        """Write the client's story into the batch; returns their consent to share."""
        registrar = self._accountabilities(batch, draft)
        consent = self._consent(batch, draft, registrar)
        needs = self._needs(batch, draft)
        if active:
            self._tasks(batch, draft, needs, consent)
        return consent

    def _event(
        self, batch: Batch, draft: Draft, at: datetime, kind: str, summary: str, actor: int | None,
        obj: tuple[str, int] | None = None, source: str = SOURCE,
    ) -> None:  # fmt: skip
        object_type, object_id = (obj[0], str(obj[1])) if obj else ("", "")
        row = (self.ids.take("timeline"), draft.client_id, at, kind, summary[:500], source, actor)
        batch.rows["timeline"].append((*row, object_type, object_id))

    def _chain(self, draft: Draft) -> list[TeamPlan]:
        r = self.rng.random()
        earlier = 0 if draft.child or r < 0.8 else 1 if r < 0.95 else 2
        candidates = [self.plan.team(key, draft.locality) for key in _EARLIER_TEAMS]
        candidates = [team for team in candidates if team.id != draft.team.id]
        return [*self.rng.sample(candidates, earlier), draft.team]

    def _accountabilities(self, batch: Batch, draft: Draft) -> int:
        """Accountability rows, the last one open, and their timeline; returns the registrar."""
        chain = self._chain(draft)
        span = self.plan.anchor - draft.registered
        moments = [draft.registered + span * (step / len(chain)) for step in range(len(chain))]
        registrar = 0
        for step, team in enumerate(chain):
            last = step == len(chain) - 1
            lead = draft.lead if last else self.lead_for(team)
            since, until = moments[step], None if last else moments[step + 1]
            reasons = names.HANDOVER_REASONS if step else names.REGISTRATION_REASONS
            reason = self.rng.choice(reasons)
            recorder = lead or team.duty_id
            row_id = self.ids.take("accountability")
            row = (row_id, draft.client_id, team.id, lead, since, until, reason, recorder)
            batch.rows["accountability"].append(row)
            if step == 0:
                registrar = recorder
                summary = f"Registered by {self.plan.usernames[recorder]}"
                self._event(batch, draft, since, "registered", summary, recorder)
                continue
            who = self.plan.display_names[lead] if lead else f"the duty worker of {team.name}"
            summary = f"Accountable: {team.name}, lead {who} ({reason})"
            obj = ("Accountability", row_id)
            self._event(batch, draft, since, "accountability_changed", summary, recorder, obj)
        return registrar

    def _consent(self, batch: Batch, draft: Draft, recorder: int) -> str:
        r = self.rng.random()
        decision = "given" if r < 0.80 else "not_asked" if r < 0.97 else "refused"
        if decision == "not_asked":
            return decision
        at = draft.registered + timedelta(hours=2)
        row_id = self.ids.take("consent")
        note = "Discussed at the first visit" if decision == "given" else "Does not want it shared"
        batch.rows["consent"].append((row_id, draft.client_id, decision, note, recorder, at))
        summary = f"Consent to share: {_CONSENT_LABELS[decision]}"
        self._event(batch, draft, at, "consent_recorded", summary, recorder, ("ConsentDecision", row_id))
        return decision

    def _needs(self, batch: Batch, draft: Draft) -> list[str]:
        rng = self.rng
        descriptions = names.CHILD_NEED_DESCRIPTIONS if draft.child else names.NEED_DESCRIPTIONS
        primary = rng.choice(_PRIMARY_NEED[draft.team.service])
        others = [category for category in descriptions if category != primary]
        extra = rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0]
        categories = [primary, *rng.sample(others, min(extra, len(others)))]
        span = (self.plan.anchor - draft.registered).total_seconds()
        for number, category in enumerate(categories):
            later = 0 if number == 0 else rng.random() * span * 0.9
            at = draft.registered + timedelta(hours=1, seconds=later)
            met = number > 0 and rng.random() >= 0.8
            status = NeedStatus.MET.value if met else NeedStatus.OPEN.value
            row_id = self.ids.take("need")
            text = rng.choice(descriptions[category])
            row = (row_id, draft.client_id, category, text, status, draft.answering, at, at)
            batch.rows["need"].append(row)
            summary = f"Need recorded: {_CATEGORY_LABELS[category]}"
            self._event(batch, draft, at, "need_recorded", summary, draft.answering, ("Need", row_id))
        return categories

    def _tasks(self, batch: Batch, draft: Draft, needs: list[str], consent: str) -> None:
        rng, team = self.rng, draft.team
        if rng.random() < 0.06:
            mine = draft.lead is not None and rng.random() < 0.7
            self._task(batch, draft, team.service, draft.lead if mine else None, None if mine else team)
        brokered = team.service in ("adult_social_work", "reablement") and "personal_care" in needs
        if brokered and rng.random() < 0.2:
            self._task(batch, draft, "brokerage", None, self.plan.teams["brokerage"])
        if consent == "given" and not draft.child and rng.random() < 0.01:
            connector = self.plan.teams["social_prescribing"].duty_id
            self._task(batch, draft, "social_prescribing", connector, None)

    def _task(self, batch: Batch, draft: Draft, service: str, owner: int | None, team: TeamPlan | None) -> None:
        rng = self.rng
        title = rng.choice(names.TASK_TITLES[service])
        created = self.plan.anchor - timedelta(days=rng.randint(1, 15), hours=rng.randint(9, 16))
        due = add_working_days(created, rng.randint(1, 10))
        status = TaskStatus.OPEN.value if rng.random() < 0.7 else TaskStatus.IN_PROGRESS.value
        task_id = self.ids.take("task")
        team_id = team.id if team else None
        row = (task_id, title, "", draft.client_id, owner, team_id, due, status, "manual", "")
        batch.rows["task"].append((*row, draft.answering, created, None, None))
        owner_name = team.name if team else self.plan.display_names[owner or 0]
        summary = f"Task for {owner_name}: {title}"
        self._event(
            batch,
            draft,
            created,
            "task_created",
            summary,
            draft.answering,
            ("Task", task_id),
            "manual",
        )
