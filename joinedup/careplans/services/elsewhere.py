"""Recording the care plans, goals and care team members that other systems sent (ADR 0046).

Called by an import, in its transaction, with what the sender said in careplans' own terms
(careplans.rules.elsewhere): a row per plan and goal keyed on its identity at the source, and a
team's members replaced together. What is the same as kept is left alone (no write, no audit
event), so bringing the same data again changes nothing. Every row created, changed or removed
has its audit event. Organisations named by ODS code are linked to the directory's for showing;
nothing here touches the care team that gives access (careplans.relationships).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.careplans.models import ExternalCarePlan, ExternalCareTeamMember, ExternalGoal
from joinedup.careplans.rules.elsewhere import GoalFromElsewhere, PlanFromElsewhere, TeamFromElsewhere
from joinedup.core import audit
from joinedup.core.access import Actor
from joinedup.core.audit import Entry
from joinedup.directory.models import Organisation

_Upserted = ExternalCarePlan | ExternalGoal


@dataclass
class Recorded:
    """How many rows an import created or changed; the rest were already as sent."""

    plans: int = 0
    goals: int = 0
    teams: int = 0
    members: int = 0  # members of the teams created or changed


def _plan_fields(plan: PlanFromElsewhere) -> dict[str, Any]:
    return {
        "client_id": plan.client_id,
        "source": plan.source[:200],
        "source_file": plan.source_file[:500],
        "status": plan.status[:20],
        "intent": plan.intent[:20],
        "title": plan.title[:300],
        "description": plan.description,
        "categories": list(plan.categories),
        "period_start": plan.period_start[:40],
        "period_end": plan.period_end[:40],
        "author": plan.author[:300],
        "addresses": list(plan.addresses),
        "activities": [{**asdict(a), "performers": list(a.performers)} for a in plan.activities],
        "goal_keys": list(plan.goal_keys),
    }


def _goal_fields(goal: GoalFromElsewhere) -> dict[str, Any]:
    return {
        "client_id": goal.client_id,
        "source": goal.source[:200],
        "source_file": goal.source_file[:500],
        "description": goal.description,
        "lifecycle_status": goal.lifecycle_status[:20],
        "achievement_status": goal.achievement_status[:120],
        "start": goal.start[:40],
        "targets": [asdict(t) for t in goal.targets],
    }


def record_from_elsewhere(
    actor: Actor,
    reason: str,
    *,
    plans: Iterable[PlanFromElsewhere] = (),
    goals: Iterable[GoalFromElsewhere] = (),
    teams: Iterable[TeamFromElsewhere] = (),
) -> Recorded:
    """Create or bring up to date what was sent; a later item with the same key replaces an earlier one."""
    done = Recorded()
    entries: list[Entry] = []
    with transaction.atomic():
        done.plans = _upsert(ExternalCarePlan, {p.key: _plan_fields(p) for p in plans}, entries, reason)
        done.goals = _upsert(ExternalGoal, {g.key: _goal_fields(g) for g in goals}, entries, reason)
        done.teams, done.members = _teams({t.key: t for t in teams}, entries, reason)
        audit.record_many(actor, entries)
    return done


def _upsert(model: type[_Upserted], wanted: dict[str, dict[str, Any]], entries: list[Entry], reason: str) -> int:
    if not wanted:
        return 0
    now = timezone.now()
    kept = {row.key: row for row in model.objects.filter(key__in=list(wanted))}
    new: list[_Upserted] = []
    changed: list[_Upserted] = []
    for key, fields in wanted.items():
        row = kept.get(key)
        if row is None:
            new.append(model(key=key, recorded_at=now, updated_at=now, **fields))
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_at = now
            changed.append(row)
    model.objects.bulk_create(new)  # type: ignore[arg-type]
    model.objects.bulk_update(changed, [*next(iter(wanted.values())), "updated_at"])  # type: ignore[arg-type]
    kind = model.__name__
    entries += [Entry("create", kind, row.pk, row.client_id, reason) for row in new]
    entries += [Entry("update", kind, row.pk, row.client_id, reason) for row in changed]
    return len(new) + len(changed)


def _member_rows(team: TeamFromElsewhere, organisations: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "client_id": team.client_id,
            "source": team.source[:200],
            "source_file": team.source_file[:500],
            "team_name": team.name[:300],
            "team_status": team.status[:20],
            "position": position,
            "name": member.name[:300],
            "kind": member.kind[:20],
            "roles": list(member.roles),
            "organisation_name": member.organisation[:300],
            "ods_code": member.ods_code[:12],
            "organisation_id": organisations.get(member.ods_code.upper()),
            "period_start": member.period_start[:40],
            "period_end": member.period_end[:40],
        }
        for position, member in enumerate(team.members)
    ]


_COMPARED: tuple[str, ...] = ("client_id", "source", "team_name", "team_status", "position", "name", "kind")
_COMPARED += ("roles", "organisation_name", "ods_code", "organisation_id", "period_start", "period_end")


def _teams(wanted: dict[str, TeamFromElsewhere], entries: list[Entry], reason: str) -> tuple[int, int]:
    """Each team's members as sent, in place of those kept; a team kept as sent is left alone."""
    if not wanted:
        return 0, 0
    codes = {m.ods_code.upper() for t in wanted.values() for m in t.members if m.ods_code}
    organisations = dict(Organisation.objects.filter(ods_code__in=codes).values_list("ods_code", "pk"))
    kept: dict[str, list[dict[str, Any]]] = {}
    members = ExternalCareTeamMember.objects.filter(team_key__in=list(wanted)).order_by("position")
    for team_key, *values in members.values_list("team_key", *_COMPARED):
        kept.setdefault(team_key, []).append(dict(zip(_COMPARED, values, strict=True)))
    now = timezone.now()
    new: list[ExternalCareTeamMember] = []
    teams = 0
    for key, team in wanted.items():
        rows = _member_rows(team, organisations)
        before = kept.get(key, [])
        if [{name: row[name] for name in _COMPARED} for row in rows] == before:
            continue
        teams += 1
        ExternalCareTeamMember.objects.filter(team_key=key).delete()
        new += [ExternalCareTeamMember(team_key=key, recorded_at=now, updated_at=now, **row) for row in rows]
        action = "update" if before else "create"
        entries.append(Entry(action, "ExternalCareTeam", key, team.client_id, reason, detail={"members": len(rows)}))
    ExternalCareTeamMember.objects.bulk_create(new)
    return teams, len(new)


def forget_from_elsewhere(actor: Actor, reason: str, keys: Iterable[str]) -> int:
    """Remove what a newer copy no longer says about a client JoinedUp knows (its subject changed)."""
    keys = list(keys)
    entries: list[Entry] = []
    with transaction.atomic():
        for model in (ExternalCarePlan, ExternalGoal):
            gone = list(model.objects.filter(key__in=keys).values_list("pk", "client_id"))
            model.objects.filter(pk__in=[pk for pk, _ in gone]).delete()
            entries += [Entry("delete", model.__name__, pk, client_id, reason) for pk, client_id in gone]
        teams = set(
            ExternalCareTeamMember.objects.filter(team_key__in=keys).values_list("team_key", "client_id").distinct()
        )
        ExternalCareTeamMember.objects.filter(team_key__in=keys).delete()
        entries += [Entry("delete", "ExternalCareTeam", key, client_id, reason) for key, client_id in sorted(teams)]
        audit.record_many(actor, entries)
    return len(entries)
