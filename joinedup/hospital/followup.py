"""Carrying out what the follow-up rules decide, recording bounces, undoing the follow-ups of a
cancelled admission or discharge, and telling admission hooks. In the batch's transaction.

Rare next to the messages themselves (a discharge with a rule that applies, a
readmission), so these go through the other parts' services one by one:
tasks.services.create_task, clients.flags.raise_flag, tasks.services.notify.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from joinedup.clients.flags import raise_flag
from joinedup.clients.models import Client
from joinedup.clients.services import add_timeline_event
from joinedup.core import audit
from joinedup.core.compiled import Compiled
from joinedup.core.working_time import bank_holidays
from joinedup.hospital import batch_state, config, hooks
from joinedup.hospital.batch_state import BatchState, ClientFacts
from joinedup.hospital.follow_up_rows import FollowUpRows
from joinedup.hospital.models import BounceEvent, Diagnosis, Spell
from joinedup.hospital.owners import Owners
from joinedup.hospital.persist import Written
from joinedup.hospital.referrals import draft_referral
from joinedup.hospital.rules import (
    Bounce,
    CreateTask,
    DiagnosisFact,
    DraftReferral,
    Notify,
    RaiseFlag,
    Rule,
    Situation,
    facts_asked,
    fill,
    rules_for,
)
from joinedup.hospital.spells import Change, SpellState, destination_words
from joinedup.tasks.models import OPEN_TASK_STATUSES, Task, TaskStatus

if TYPE_CHECKING:
    from joinedup.hospital.ingest import Taken, Work

SOURCE = "hospital follow-up"
_TRIGGER_ORDER = ("admission", "diagnosis", "discharge")


@dataclass
class Context:
    """One client's trigger: what the rule's actions need."""

    client: Client
    facts: ClientFacts
    spell: SpellState
    spell_id: int
    at: datetime
    values: dict[str, str]
    rows: FollowUpRows


class _Clients:
    """The batch's triggered clients as rows, read in one query the first time an action needs one."""

    def __init__(self, ids: set[int]) -> None:
        self.ids = ids
        self._rows: dict[int, Client] | None = None

    def __getitem__(self, client_id: int) -> Client:
        if self._rows is None:
            self._rows = Client.objects.in_bulk(list(self.ids))
        return self._rows[client_id]


def carry_out(work: Work, state: BatchState, written: Written) -> None:
    undone = [t for t in work.taken if t.applied is not None and t.applied.undone is not None]
    triggered = [t for t in work.taken if t.applied is not None and t.applied.triggers and t.client is not None]
    if undone:
        _undo_follow_ups(undone, written, work.now)
    if triggered or work.bounces:
        ids = {t.client.id for t in triggered if t.client} | {t.client.id for t, _ in work.bounces if t.client}
        clients = _Clients(ids)
        owners = Owners()
        rows = FollowUpRows(work.now)
        if triggered:
            _run_rules(triggered, clients, owners, written, rows)
        for taken, found in work.bounces:
            assert taken.client is not None
            _record_bounce(taken, found, clients[taken.client.id], owners, written, rows)
        rows.write(owners.members)
    hooks.tell_admissions(_admissions(work, written))


def _admissions(work: Work, written: Written) -> Iterable[hooks.Admission]:
    for taken in work.taken:
        applied = taken.applied
        if applied is None or applied.change is not Change.ADMITTED or applied.spell is None or taken.client is None:
            continue
        spell = applied.spell
        yield hooks.Admission(
            taken.client.id,
            written.spell_id(spell.key) or 0,
            spell.admitted_at or work.now,
            spell.facility,
            spell.location,
        )


_DIAGNOSES = Compiled(
    lambda spell_ids: (
        Diagnosis.objects.filter(spell_id__any_of=spell_ids)
        .order_by("id")
        .values_list("spell_id", "code", "text", "coding_system", "new_in_spell")
    ),
    list,
)


def _diagnosis_facts(spell_ids: list[int]) -> dict[int, list[tuple[str, str, str, bool]]]:
    found: dict[int, list[tuple[str, str, str, bool]]] = {}
    for spell_id, code, text, system, new in _DIAGNOSES.rows(spell_ids):
        found.setdefault(spell_id, []).append((code, text, system, new))
    return found


def _values(facts: ClientFacts, spell: SpellState, diagnoses: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    new = [f"{code} {text}".strip() for code, text, _, is_new in diagnoses if is_new]
    discharged = spell.discharged_at.astimezone(config.LONDON) if spell.discharged_at else None
    return {
        "client": facts.full_name,
        "diagnoses": ", ".join(new) or "none new",
        "discharged": f"{discharged:%d %b %Y %H:%M}" if discharged else "(not discharged)",
        "destination": destination_words(spell.discharge_destination) or "a destination not stated",
        "ward": spell.location or "a ward not stated",
    }


def _run_rules(triggered: list[Taken], clients: _Clients, owners: Owners, written: Written, rows: FollowUpRows) -> None:
    client_ids = {t.client.id for t in triggered if t.client}
    asked = facts_asked(config.rule_set())
    facts = batch_state.rule_facts(client_ids, asked)
    packages = hooks.clients_with_open_care_package(client_ids) if "has_open_care_package" in asked else set()
    spell_ids = [written.spell_id(t.spell_key) or 0 for t in triggered]
    diagnoses = _diagnosis_facts(spell_ids)
    holidays = bank_holidays()
    rule_set = config.rule_set()
    for taken, spell_id in zip(triggered, spell_ids, strict=True):
        client, applied, event = taken.client, taken.applied, taken.received.event
        assert client is not None and applied is not None and applied.spell is not None and event is not None
        spell = applied.spell
        spell_diagnoses = diagnoses.get(spell_id, [])
        lives_alone = spell.lives_alone if spell.lives_alone is not None else client.id in facts.lives_alone_flagged
        for trigger in sorted(applied.triggers, key=_TRIGGER_ORDER.index):
            at = spell.discharged_at if trigger == "discharge" and spell.discharged_at else event.occurred_at
            considered = (
                spell_diagnoses
                if trigger != "diagnosis"
                else [(note.code, note.text, note.coding_system, True) for note, new in applied.diagnoses if new]
            )
            situation = Situation(
                trigger=trigger,
                at=at,
                age=client.age_on(at.astimezone(config.LONDON).date()),
                known_to_services=client.id in facts.known_to_services,
                lives_alone=lives_alone,
                has_lead_professional=client.lead_professional_id is not None,
                has_open_care_package=client.id in packages,
                bank_holidays=holidays,
                diagnoses=tuple(DiagnosisFact(code, system, new) for code, _, system, new in considered),
            )
            values = _values(client, spell, considered)
            for rule in rules_for(rule_set, situation):
                _carry_out_rule(rule, Context(clients[client.id], client, spell, spell_id, at, values, rows), owners)


def _carry_out_rule(rule: Rule, context: Context, owners: Owners) -> None:
    for action in rule.actions:
        if isinstance(action, CreateTask):
            team, note = owners.resolve(action.owner, context.facts)
            details = (fill(action.details, context.values), note, f"Made by the follow-up rule '{rule.name}'.")
            context.rows.task(
                client_id=context.client.pk,
                client_name=context.facts.full_name,
                team=team,
                title=fill(action.title, context.values),
                details="\n".join(part for part in details if part),
                due_at=action.due.after(context.at),
                spell_id=context.spell_id,
                rule=rule.name,
                trigger=rule.trigger,
            )
        elif isinstance(action, RaiseFlag):
            raise_flag(
                config.feed_actor(),
                context.client.pk,
                action.code,
                fill(action.text, context.values),
                source="hospital",
                raised_by=Spell(pk=context.spell_id),
            )
        elif isinstance(action, Notify):
            team, _ = owners.resolve(action.team, context.facts)
            context.rows.notify(
                owners.members(team),
                fill(action.message, context.values),
                link=f"/clients/{context.client.pk}/hospital/",
                client_id=context.client.pk,
            )
        elif isinstance(action, DraftReferral):
            team, note = owners.resolve(action.to, context.facts)
            request = fill(action.request, context.values)
            draft_referral(context.client, team, request, action.urgency, rule.name, owners, context.facts, note)


def _record_bounce(
    taken: Taken, found: Bounce, client: Client, owners: Owners, written: Written, rows: FollowUpRows
) -> None:
    assert taken.client is not None and taken.applied is not None and taken.applied.spell is not None
    spell_id = written.spell_id(taken.applied.spell.key)
    previous_id = written.spell_id(found.previous.spell_key)
    admitted = taken.applied.spell.admitted_at
    assert spell_id is not None and previous_id is not None and admitted is not None
    bounce = BounceEvent.objects.create(
        client=client,
        spell_id=spell_id,
        previous_spell_id=previous_id,
        days_since_discharge=max(found.days, 0),
        open_follow_up=found.open_follow_up,
        reason=found.reason[:200],
        occurred_at=admitted,
    )
    text = f"Bounce: back in hospital, {found.reason}"
    add_timeline_event(client, "hospital_bounce", text, source="hospital", actor=config.feed_actor(), obj=bounce)
    audit.record(
        config.feed_actor(),
        "create",
        object_type="BounceEvent",
        object_id=bounce.pk,
        client_id=client.pk,
        reason=f"readmission reported by {taken.received.facility}",
        detail={"days": found.days},
    )
    raise_flag(
        config.feed_actor(),
        client.pk,
        "bounce",
        f"Bounced back into hospital: {found.reason}"[:300],
        source="hospital",
        raised_by=bounce,
    )
    mdt = owners.locality_mdt(taken.client.locality_id)
    if mdt is not None:
        rows.notify(
            owners.members(mdt),
            f"{client.full_name} is back in hospital: {found.reason}",
            link=f"/clients/{client.pk}/hospital/",
            client_id=client.pk,
        )


def _undo_follow_ups(undone: list[Taken], written: Written, now: datetime) -> None:
    """An admission or discharge entered in error: the open tasks its rules made are cancelled."""
    trigger_of = {Change.DISCHARGED: "discharge", Change.ADMITTED: "admission"}
    for taken in undone:
        assert taken.applied is not None and taken.applied.undone is not None and taken.client is not None
        spell_id = written.spell_id(taken.spell_key)
        trigger = trigger_of.get(taken.applied.undone)
        if spell_id is None:
            continue
        tasks = list(
            Task.objects.select_for_update().filter(
                hospital_follow_up__spell_id=spell_id,
                hospital_follow_up__trigger=trigger,
                status__in=OPEN_TASK_STATUSES,
            )
        )
        if not tasks:
            continue
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(status=TaskStatus.CANCELLED, completed_at=now)
        audit.record_many(
            config.feed_actor(),
            [
                audit.Entry(
                    "update",
                    "Task",
                    t.pk,
                    t.client_id,
                    f"{taken.applied.undone.value} cancelled by the hospital",
                    detail={"status": [t.status, TaskStatus.CANCELLED.value]},
                )
                for t in tasks
            ],
        )
        client = Client.objects.get(pk=taken.client.id)
        titles = "; ".join(t.title for t in tasks)[:300]
        add_timeline_event(
            client,
            "task_cancelled",
            f"Follow-up cancelled ({taken.applied.summary}): {titles}",
            source=SOURCE,
            actor=config.feed_actor(),
        )
