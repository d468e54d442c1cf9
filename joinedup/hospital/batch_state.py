"""What a batch of messages needs to know, read in a few queries for the whole batch.

Clients by NHS number (one query), their spells with diagnosis codes (two),
open discharge follow-ups (one), and later the facts the follow-up rules ask
about (a few, only for clients whose events trigger rules).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from joinedup.clients.models import Accountability, Client, Flag
from joinedup.core import bulk  # noqa: F401 (registers the any_of lookup)
from joinedup.core.compiled import Compiled
from joinedup.hospital.models import Diagnosis, FollowUp, Spell
from joinedup.hospital.spells import Counter, SpellKind, SpellState, SpellStatus
from joinedup.tasks.models import OPEN_TASK_STATUSES

_CLIENT_FIELDS = (
    "id",
    "nhs_number",
    "date_of_birth",
    "locality_id",
    "accountable_team_id",
    "lead_professional_id",
    "gp_practice_id",
    "given_name",
    "family_name",
)
_SPELL_FIELDS = (
    "id",
    "client_id",
    "facility",
    "visit_number",
    "kind",
    "status",
    "opened_by",
    "admitted_at",
    "discharged_at",
    "expected_at",
    "location",
    "patient_class",
    "consultant",
    "discharge_method",
    "discharge_destination",
    "discharge_pathway",
    "lives_alone",
    "earlier_locations",
)


# The reads every batch makes, their SQL built once (core.compiled: building it cost more than running it).
_CLIENTS_BY_NUMBER = Compiled(
    lambda numbers: Client.objects.filter(nhs_number__any_of=numbers).values_list(*_CLIENT_FIELDS), list
)
_CLIENTS_BY_NUMBER_OR_ID = Compiled(
    lambda numbers, ids: Client.objects.filter(Q(nhs_number__any_of=numbers) | Q(pk__any_of=ids)).values_list(
        *_CLIENT_FIELDS
    ),
    list,
    list,
)
_SPELLS = Compiled(
    lambda client_ids: (
        Spell.objects.filter(client_id__any_of=client_ids)
        .exclude(status=SpellStatus.CANCELLED)
        .order_by("id")
        .values_list(*_SPELL_FIELDS)
    ),
    list,
)
_DIAGNOSIS_CODES = Compiled(
    lambda spell_ids: Diagnosis.objects.filter(spell_id__any_of=spell_ids).values_list("spell_id", "code"), list
)
_OPEN_FOLLOW_UPS = Compiled(
    lambda client_ids: (
        FollowUp.objects.filter(
            spell__client_id__any_of=client_ids, trigger="discharge", task__status__in=OPEN_TASK_STATUSES
        )
        .values_list("spell__client_id")
        .annotate(n=Count("id"))
    ),
    list,
)


@dataclass
class ClientFacts:
    id: int
    nhs_number: str | None  # None: a client imported without one, known by id (client_key)
    date_of_birth: date
    locality_id: int
    accountable_team_id: int
    lead_professional_id: int | None
    gp_practice_id: int | None
    given_name: str
    family_name: str
    new: bool = False  # registered by this batch

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name.upper()}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class BatchState:
    clients: dict[str, ClientFacts] = field(default_factory=dict)  # by NHS number
    spells: dict[int, list[SpellState]] = field(default_factory=dict)  # by client id, oldest first
    keys: Counter = field(default_factory=Counter)
    _open_follow_ups: dict[int, int] | None = None

    def open_follow_ups(self, client_id: int) -> int:
        """Open discharge follow-up tasks of the client (read for the whole batch on first use)."""
        if self._open_follow_ups is None:
            ids = [facts.id for facts in self.clients.values() if not facts.new]
            self._open_follow_ups = dict(_OPEN_FOLLOW_UPS.rows(ids)) if ids else {}
        return self._open_follow_ups.get(client_id, 0)

    def add(self, client: Client, *, new: bool) -> ClientFacts:
        facts = ClientFacts(*(getattr(client, name) for name in _CLIENT_FIELDS))
        facts.new = new
        self.clients[facts.nhs_number or client_key(facts.id)] = facts
        self.spells.setdefault(facts.id, [])
        return facts


def client_key(client_id: int) -> str:
    """The key of a client the sender identified by id rather than NHS number (never an NHS number)."""
    return f"#{client_id}"


def load(numbers: Collection[str], *, diagnoses: bool = True) -> BatchState:
    """The batch's clients (by NHS number, or by client_key) and their spells; with `diagnoses`, the
    codes recorded in each spell too (needed only when a message of the batch brings diagnoses)."""
    state = BatchState()
    if not numbers:
        return state
    by_id = [int(key[1:]) for key in numbers if key.startswith("#")]
    by_number = [key for key in numbers if not key.startswith("#")]
    rows = _CLIENTS_BY_NUMBER_OR_ID.rows(by_number, by_id) if by_id else _CLIENTS_BY_NUMBER.rows(by_number)
    for row in rows:
        facts = ClientFacts(*row)
        if facts.nhs_number is not None and facts.nhs_number in numbers:
            state.clients[facts.nhs_number] = facts
        if client_key(facts.id) in numbers:
            state.clients[client_key(facts.id)] = facts
    _load_spells(state, [facts.id for facts in state.clients.values()], diagnoses)
    return state


def _spell(row: tuple) -> SpellState:
    values = dict(zip(_SPELL_FIELDS, row, strict=True))
    spell_id = values.pop("id")
    values["kind"] = SpellKind(values["kind"])
    values["status"] = SpellStatus(values["status"])
    values["earlier_locations"] = list(values["earlier_locations"] or [])
    return SpellState(key=spell_id, **values)


def _load_spells(state: BatchState, client_ids: list[int], diagnoses: bool) -> None:
    if not client_ids:
        return
    by_id: dict[int, SpellState] = {}
    for row in _SPELLS.rows(client_ids):
        spell = _spell(row)
        by_id[spell.key] = spell
        state.spells.setdefault(spell.client_id, []).append(spell)
    if by_id and diagnoses:
        for spell_id, code in _DIAGNOSIS_CODES.rows(list(by_id)):
            by_id[spell_id].diagnosis_codes.add(code)


@dataclass(frozen=True)
class RuleFacts:
    """Facts about clients the follow-up rules may ask, read once for the clients that need them."""

    known_to_services: set[int]
    lives_alone_flagged: set[int]


def rule_facts(client_ids: Collection[int], asked: Collection[str]) -> RuleFacts:
    """The facts the rules ask about (`asked`), for these clients; the others stay empty, unread."""
    ids = list(client_ids)
    known: set[int] = set()
    alone: set[int] = set()
    if "known_to_services" in asked:  # someone, not the feed, has made a team accountable for them
        rows = Accountability.objects.filter(client_id__any_of=ids, recorded_by__isnull=False)
        known = set(rows.values_list("client_id", flat=True))
    if "lives_alone" in asked:
        flags = Flag.objects.filter(client_id__any_of=ids, code="lives-alone", closed_at__isnull=True)
        alone = set(flags.values_list("client_id", flat=True))
    return RuleFacts(known, alone)
