"""Follow-up rules and bounce: pure decisions over plain facts (no Django).

A follow-up rule says: on this trigger (admission, discharge, a diagnosis new
in the stay), if these conditions hold, do these things (a task for a role or a
team due in N days or N working days, a flag, a notification, a draft
referral). Rules are written in YAML (`rule_config.py` reads and checks them);
`hospital.followup` carries out what they decide.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from joinedup.core.working_time import add_working_days

LONDON = ZoneInfo("Europe/London")
TRIGGERS = ("admission", "discharge", "diagnosis")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ICD10_SYSTEMS = frozenset({"", "I10", "ICD10", "ICD-10", "ICD10UK", "ICD-10-UK", "I10C", "2.16.840.1.113883.6.3"})


@dataclass(frozen=True)
class DiagnosisFact:
    code: str
    coding_system: str
    new_in_spell: bool  # first recorded for this client in this stay


@dataclass(frozen=True)
class Situation:
    """The facts a rule is judged on, gathered at the moment of its trigger."""

    trigger: str
    at: datetime
    age: int | None = None
    known_to_services: bool = False  # a client of JoinedUp before this stay
    lives_alone: bool | None = None
    has_lead_professional: bool = False
    has_open_care_package: bool = False
    diagnoses: tuple[DiagnosisFact, ...] = ()
    bank_holidays: frozenset[date] = frozenset()

    @property
    def local(self) -> datetime:
        return self.at.astimezone(LONDON)


def code_key(code: str) -> str:
    return code.upper().replace(".", "").replace(" ", "")


def expand_codes(spec: str) -> tuple[str, ...]:
    """'F00-F03' -> F00, F01, F02, F03 (ICD-10 categories); 'G30' -> G30. Raises ValueError."""
    spec = code_key(spec)
    if "-" not in spec:
        if not spec or not spec[0].isalpha():
            raise ValueError(f"{spec!r} is not an ICD-10 code")
        return (spec,)
    first, last = spec.split("-", 1)
    if len(first) != 3 or len(last) != 3 or first[0] != last[0] or not (first[1:] + last[1:]).isdigit():
        raise ValueError(f"{spec!r}: a range joins two categories of one letter, like F00-F03")
    low, high = int(first[1:]), int(last[1:])
    if low > high:
        raise ValueError(f"{spec!r}: the range runs backwards")
    return tuple(f"{first[0]}{n:02d}" for n in range(low, high + 1))


class Condition(ABC):
    """One test a follow-up rule makes of a discharge; each kind of condition says how."""

    @abstractmethod
    def holds(self, situation: Situation) -> bool: ...


@dataclass(frozen=True)
class DiagnosisIn(Condition):
    codes: tuple[str, ...]
    new_in_spell: bool = False

    def holds(self, situation: Situation) -> bool:
        return any(
            (d.new_in_spell or not self.new_in_spell)
            and d.coding_system.upper() in ICD10_SYSTEMS
            and code_key(d.code).startswith(self.codes)
            for d in situation.diagnoses
        )


@dataclass(frozen=True)
class Age(Condition):
    at_least: int | None = None
    under: int | None = None

    def holds(self, situation: Situation) -> bool:
        if situation.age is None:
            return False
        return (self.at_least is None or situation.age >= self.at_least) and (
            self.under is None or situation.age < self.under
        )


@dataclass(frozen=True)
class Fact(Condition):
    """A yes-or-no fact about the client: known_to_services, lives_alone, has_lead_professional..."""

    name: str
    value: bool

    def holds(self, situation: Situation) -> bool:
        return getattr(situation, self.name) is self.value


@dataclass(frozen=True)
class TimeOfDay(Condition):
    """On one of these weekdays, at or after `after` and before `before` (London time)."""

    weekdays: frozenset[int] = frozenset(range(7))
    after: time | None = None
    before: time | None = None

    def holds(self, situation: Situation) -> bool:
        local = situation.local
        clock = local.time()
        return (
            local.weekday() in self.weekdays
            and (self.after is None or clock >= self.after)
            and (self.before is None or clock < self.before)
        )


@dataclass(frozen=True)
class BeforeBankHoliday(Condition):
    """The day is the eve of an England and Wales bank holiday."""

    value: bool = True

    def holds(self, situation: Situation) -> bool:
        eve = situation.local.date() + timedelta(days=1) in situation.bank_holidays
        return eve is self.value


@dataclass(frozen=True)
class AllOf(Condition):
    conditions: tuple[Condition, ...]

    def holds(self, situation: Situation) -> bool:
        return all(condition.holds(situation) for condition in self.conditions)


@dataclass(frozen=True)
class AnyOf(Condition):
    conditions: tuple[Condition, ...]

    def holds(self, situation: Situation) -> bool:
        return any(condition.holds(situation) for condition in self.conditions)


OWNER_ROLES = ("gp_practice", "locality_mdt", "accountable_team", "service", "team")


@dataclass(frozen=True)
class Owner:
    """Who: a role relative to the client, or a named team. `value` is the service or team name."""

    role: str
    value: str = ""

    def describe(self) -> str:
        labels = {
            "gp_practice": "the client's registered GP practice",
            "locality_mdt": "the locality MDT",
            "accountable_team": "the accountable team",
            "service": f"the locality's {self.value.replace('_', ' ')} team",
            "team": self.value,
        }
        return labels[self.role]


@dataclass(frozen=True)
class Due:
    days: int = 0
    working_days: bool = False

    def after(self, moment: datetime) -> datetime:
        """Calendar days: the end of the working day (17:00 London) that many days on; working days: at close."""
        if self.working_days:
            return add_working_days(moment, self.days)
        day = moment.astimezone(LONDON).date() + timedelta(days=self.days)
        return datetime.combine(day, time(17, 0), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class CreateTask:
    owner: Owner
    title: str
    due: Due
    details: str = ""


@dataclass(frozen=True)
class RaiseFlag:
    code: str
    text: str


@dataclass(frozen=True)
class Notify:
    team: Owner
    message: str


@dataclass(frozen=True)
class DraftReferral:
    to: Owner
    request: str
    urgency: str = "routine"


Action = CreateTask | RaiseFlag | Notify | DraftReferral


@dataclass(frozen=True)
class Rule:
    name: str
    trigger: str
    conditions: tuple[Condition, ...] = ()
    actions: tuple[Action, ...] = ()
    description: str = ""
    line: int = 0  # where it is written, for messages

    def applies(self, situation: Situation) -> bool:
        return situation.trigger == self.trigger and all(c.holds(situation) for c in self.conditions)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = ()
    pathways: dict[str, int] = field(default_factory=dict)  # discharge destination -> Discharge to Assess pathway
    source: str = ""


def _facts_in(conditions: Iterable[Condition]) -> set[str]:
    names: set[str] = set()
    for condition in conditions:
        if isinstance(condition, Fact):
            names.add(condition.name)
        elif isinstance(condition, AllOf | AnyOf):
            names |= _facts_in(condition.conditions)
    return names


def facts_asked(rule_set: RuleSet) -> set[str]:
    """The yes-or-no facts any rule asks about (so that nobody reads the others)."""
    return {name for rule in rule_set.rules for name in _facts_in(rule.conditions)}


def rules_for(rule_set: RuleSet, situation: Situation) -> list[Rule]:
    return [rule for rule in rule_set.rules if rule.applies(situation)]


def fill(template: str, values: dict[str, str]) -> str:
    """A rule's text with {client}, {diagnoses}, {discharged} and similar filled in; unknown names stay as written."""

    class _Keep(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return template.format_map(_Keep(values))


# --- Bounce ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Discharge:
    spell_key: int
    at: datetime


@dataclass(frozen=True)
class Bounce:
    previous: Discharge
    days: int
    open_follow_up: bool
    reason: str


def bounce(
    admitted_at: datetime, discharges: Iterable[Discharge], open_follow_ups: int, window_days: int
) -> Bounce | None:
    """A readmission within `window_days` of the last discharge before it, or while a discharge
    follow-up is still open, is a bounce."""
    earlier = [d for d in discharges if d.at <= admitted_at]
    if not earlier:
        return None
    last = max(earlier, key=lambda d: d.at)
    days = (admitted_at - last.at).days
    within = admitted_at - last.at <= timedelta(days=window_days)
    if not within and not open_follow_ups:
        return None
    reasons = []
    if within:
        reasons.append(f"readmitted {days} day{'s' if days != 1 else ''} after discharge")
    if open_follow_ups:
        reasons.append("before the discharge follow-up was done")
    return Bounce(last, days, bool(open_follow_ups), " and ".join(reasons))
