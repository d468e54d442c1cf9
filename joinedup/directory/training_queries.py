"""Reads of training records and competencies: a practitioner's record and a team's matrix of who is due.

Staff records: each read is for those `training.may_read_training` allows, and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.core.roles import Role
from joinedup.directory import rules
from joinedup.directory.models import Competency, Practitioner, Team, TrainingRecord
from joinedup.directory.training import completions_of, facts_of, manages, may_read_training


@dataclass(frozen=True)
class CompetencyRow:
    competency: Competency
    usable: rules.Usable


@dataclass(frozen=True)
class TrainingPage:
    practitioner: Practitioner
    records: list[TrainingRecord]
    statuses: list[tuple[rules.Course, rules.TrainingStatus, rules.Completion | None]]
    competencies: list[CompetencyRow]
    may_record: bool
    may_grant: bool


def _due_days() -> int:
    return settings.JOINEDUP_TRAINING_DUE_DAYS


def training_page(actor: Actor, practitioner_id: int, today: date | None = None) -> TrainingPage:
    today = today or timezone.localdate()
    person = Practitioner.objects.select_related("organisation").filter(pk=practitioner_id, is_active=True).first()
    if person is None or not may_read_training(actor, person.pk):
        raise NotFound("practitioner")
    completions = completions_of([person.pk])[person.pk]
    records = list(TrainingRecord.objects.filter(practitioner=person).select_related("recorded_by"))
    competencies = list(Competency.objects.filter(practitioner=person).select_related("granted_by", "revoked_by"))
    with transaction.atomic():
        audit.record(actor, "view", object_type="TrainingRecord", object_id=person.pk, reason="training record")
    return TrainingPage(
        practitioner=person,
        records=records,
        statuses=[
            (c, rules.training_status(completions, c, today, _due_days()), rules.latest(completions, c))
            for c in rules.Course
        ],
        competencies=[CompetencyRow(c, rules.competency_usable(facts_of(c), completions, today)) for c in competencies],
        may_record=actor.user_id == person.pk or manages(actor, person.pk),
        may_grant=manages(actor, person.pk),
    )


@dataclass(frozen=True)
class MatrixRow:
    practitioner: Practitioner
    cells: list[tuple[rules.TrainingStatus, rules.Completion | None]]
    trusted: list[CompetencyRow]

    @property
    def due_count(self) -> int:
        return sum(1 for status, _ in self.cells if status is not rules.TrainingStatus.IN_DATE)


@dataclass(frozen=True)
class TrainingMatrix:
    team: Team
    courses: list[rules.Course]
    rows: list[MatrixRow]
    due_days: int

    def count(self, status: rules.TrainingStatus) -> int:
        return sum(1 for row in self.rows for s, _ in row.cells if s is status)


def may_read_matrix(actor: Actor, team: Team) -> bool:
    if team.manager_id == actor.user_id and actor.user_id is not None:
        return True
    in_team = team.pk in actor.team_ids
    return in_team and (actor.has_role(Role.TEAM_MANAGER) or actor.has_role(Role.MDT_COORDINATOR))


def team_matrix(actor: Actor, team_id: int, today: date | None = None) -> TrainingMatrix:
    """Each member against each course: in date, due (expires within JOINEDUP_TRAINING_DUE_DAYS), expired, not done."""
    today = today or timezone.localdate()
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not may_read_matrix(actor, team):
        raise NotFound("team")
    people = list(
        Practitioner.objects.filter(memberships__team=team, is_active=True)
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )
    completions = completions_of([p.pk for p in people])
    competencies: dict[int, list[Competency]] = {}
    for competency in Competency.objects.filter(practitioner__in=people, revoked_on__isnull=True):
        competencies.setdefault(competency.practitioner_id, []).append(competency)
    courses = list(rules.Course)
    rows = [
        MatrixRow(
            practitioner=p,
            cells=[
                (rules.training_status(completions[p.pk], c, today, _due_days()), rules.latest(completions[p.pk], c))
                for c in courses
            ],
            trusted=[
                CompetencyRow(c, rules.competency_usable(facts_of(c), completions[p.pk], today))
                for c in competencies.get(p.pk, [])
            ],
        )
        for p in people
    ]
    with transaction.atomic():
        audit.record(actor, "view", object_type="TeamTrainingMatrix", object_id=team.pk, reason="training matrix")
    return TrainingMatrix(team=team, courses=courses, rows=rows, due_days=_due_days())
