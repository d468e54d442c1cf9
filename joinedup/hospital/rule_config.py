"""Reading follow-up rules from YAML, with the file, line and reason of every mistake. Pure.

Checked when JoinedUp starts: a wrong rule stops start-up (`RuleConfigError`),
so a mistyped rule can never silently do nothing on a Friday afternoon.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from joinedup.hospital.rules import (
    OWNER_ROLES,
    TRIGGERS,
    WEEKDAYS,
    Action,
    Age,
    AllOf,
    AnyOf,
    BeforeBankHoliday,
    Condition,
    CreateTask,
    DiagnosisIn,
    DraftReferral,
    Due,
    Fact,
    Notify,
    Owner,
    RaiseFlag,
    Rule,
    RuleSet,
    TimeOfDay,
    expand_codes,
)

FACTS = ("known_to_services", "lives_alone", "has_lead_professional", "has_open_care_package")


class RuleConfigError(ValueError):
    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source, self.line, self.reason = source, line, reason


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Node, reason: str) -> RuleConfigError:
        return RuleConfigError(self.source, node.start_mark.line + 1, reason)

    def mapping(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{what} must be a mapping of names to values")
        out: dict[str, Node] = {}
        for key, value in node.value:
            name = self.text(key, "a name")
            if name not in allowed:
                raise self.fail(key, f"{what}: unknown key {name!r} (expected one of: {', '.join(allowed)})")
            if name in out:
                raise self.fail(key, f"{what}: {name!r} is given twice")
            out[name] = value
        return out

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def text(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"expected {what} (a text)")
        return str(node.value).strip()

    def integer(self, node: Node, what: str, low: int, high: int) -> int:
        raw = self.text(node, what)
        if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
            raise self.fail(node, f"{what} must be a whole number from {low} to {high}, not {raw!r}")
        return int(raw)

    def boolean(self, node: Node, what: str) -> bool:
        raw = self.text(node, what).lower()
        if raw not in ("true", "false", "yes", "no"):
            raise self.fail(node, f"{what} must be true or false, not {raw!r}")
        return raw in ("true", "yes")

    def clock(self, node: Node, what: str) -> time:
        raw = self.text(node, what)
        try:
            hours, minutes = raw.split(":")
            return time(int(hours), int(minutes))
        except ValueError:
            raise self.fail(node, f"{what} must be a time like 12:00, not {raw!r}") from None


def load(path: Path) -> RuleSet:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RuleConfigError(str(path), 0, f"cannot read the rules file: {error.strerror}") from error
    return parse(text, str(path))


def parse(text: str, source: str = "<rules>") -> RuleSet:
    reader = _Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 0
        raise RuleConfigError(source, line, f"not valid YAML: {error.problem}") from error
    if root is None:
        raise RuleConfigError(source, 1, "the file is empty: it needs a list of rules")
    top = reader.mapping(root, "the rules file", ("version", "discharge_pathways", "rules"))
    if "version" in top and reader.integer(top["version"], "version", 1, 1) != 1:
        raise reader.fail(top["version"], "only version 1 is understood")
    if "rules" not in top:
        raise reader.fail(root, "the file needs 'rules:'")
    rules: list[Rule] = []
    for node in reader.sequence(top["rules"], "rules"):
        rule = _rule(reader, node)
        if any(r.name == rule.name for r in rules):
            raise reader.fail(node, f"two rules are called {rule.name!r}")
        rules.append(rule)
    pathways = _pathways(reader, top["discharge_pathways"]) if "discharge_pathways" in top else {}
    return RuleSet(tuple(rules), pathways, source)


def _pathways(reader: _Reader, node: Node) -> dict[str, int]:
    if not isinstance(node, MappingNode):
        raise reader.fail(node, "discharge_pathways maps a discharge destination (code or words) to a pathway 0-3")
    return {
        reader.text(key, "a discharge destination").lower(): reader.integer(value, "a pathway", 0, 3)
        for key, value in node.value
    }


def _rule(reader: _Reader, node: Node) -> Rule:
    parts = reader.mapping(node, "a rule", ("name", "description", "when", "if", "then"))
    for required in ("name", "when", "then"):
        if required not in parts:
            raise reader.fail(node, f"a rule needs '{required}:'")
    trigger = reader.text(parts["when"], "a trigger")
    if trigger not in TRIGGERS:
        raise reader.fail(parts["when"], f"'when' must be one of {', '.join(TRIGGERS)}, not {trigger!r}")
    conditions = _conditions(reader, parts["if"]) if "if" in parts else ()
    actions = tuple(_action(reader, item) for item in reader.sequence(parts["then"], "'then'"))
    if not actions:
        raise reader.fail(parts["then"], "a rule must do something: 'then' is empty")
    description = reader.text(parts["description"], "a description") if "description" in parts else ""
    name = reader.text(parts["name"], "a rule name")
    return Rule(name, trigger, conditions, actions, description, node.start_mark.line + 1)


def _conditions(reader: _Reader, node: Node) -> tuple[Condition, ...]:
    keys = ("diagnosis", "age", "discharged", "before_bank_holiday", "any_of", *FACTS)
    parts = reader.mapping(node, "'if'", keys)
    out: list[Condition] = []
    for name, value in parts.items():
        if name == "any_of":
            choices = reader.sequence(value, "any_of")
            if not choices:
                raise reader.fail(value, "any_of needs at least one set of conditions")
            out.append(AnyOf(tuple(AllOf(_conditions(reader, item)) for item in choices)))
        else:
            out.append(_CONDITIONS[name](reader, value))
    return tuple(out)


def _diagnosis(reader: _Reader, node: Node) -> Condition:
    parts = reader.mapping(node, "diagnosis", ("codes", "new_in_spell"))
    if "codes" not in parts:
        raise reader.fail(node, "diagnosis needs 'codes:' (ICD-10 codes or ranges like F00-F03)")
    codes: list[str] = []
    for item in reader.sequence(parts["codes"], "codes"):
        try:
            codes += expand_codes(reader.text(item, "an ICD-10 code"))
        except ValueError as error:
            raise reader.fail(item, str(error)) from None
    new = reader.boolean(parts["new_in_spell"], "new_in_spell") if "new_in_spell" in parts else False
    return DiagnosisIn(tuple(codes), new)


def _age(reader: _Reader, node: Node) -> Condition:
    parts = reader.mapping(node, "age", ("at_least", "under"))
    if not parts:
        raise reader.fail(node, "age needs at_least or under")
    at_least = reader.integer(parts["at_least"], "at_least", 0, 130) if "at_least" in parts else None
    under = reader.integer(parts["under"], "under", 0, 130) if "under" in parts else None
    return Age(at_least, under)


def _discharged(reader: _Reader, node: Node) -> Condition:
    parts = reader.mapping(node, "discharged", ("on", "after", "before"))
    days = frozenset(range(7))
    if "on" in parts:
        names = [reader.text(item, "a weekday").lower() for item in reader.sequence(parts["on"], "on")]
        for item, name in zip(parts["on"].value, names, strict=True):
            if name not in WEEKDAYS:
                raise reader.fail(item, f"{name!r} is not a day of the week")
        days = frozenset(WEEKDAYS.index(name) for name in names)
    after = reader.clock(parts["after"], "after") if "after" in parts else None
    before = reader.clock(parts["before"], "before") if "before" in parts else None
    return TimeOfDay(days, after, before)


def _fact(name: str) -> Callable[[_Reader, Node], Condition]:
    return lambda reader, node: Fact(name, reader.boolean(node, name))


_CONDITIONS: dict[str, Callable[[_Reader, Node], Condition]] = {
    "diagnosis": _diagnosis,
    "age": _age,
    "discharged": _discharged,
    "before_bank_holiday": lambda reader, node: BeforeBankHoliday(reader.boolean(node, "before_bank_holiday")),
    **{name: _fact(name) for name in FACTS},
}


def _owner(reader: _Reader, node: Node, what: str) -> Owner:
    if isinstance(node, ScalarNode):
        role = reader.text(node, what)
        if role not in ("gp_practice", "locality_mdt", "accountable_team"):
            raise reader.fail(
                node, f"{what} must be gp_practice, locality_mdt, accountable_team, {{service: NAME}} or {{team: NAME}}"
            )
        return Owner(role)
    parts = reader.mapping(node, what, ("service", "team"))
    if len(parts) != 1:
        raise reader.fail(node, f"{what} names one service or one team")
    role, value = next(iter(parts.items()))
    assert role in OWNER_ROLES
    return Owner(role, reader.text(value, f"a {role} name"))


def _due(reader: _Reader, node: Node) -> Due:
    parts = reader.mapping(node, "due", ("days", "working_days"))
    if len(parts) != 1:
        raise reader.fail(node, "due is either 'days: N' (calendar days) or 'working_days: N'")
    kind, value = next(iter(parts.items()))
    return Due(reader.integer(value, kind, 0, 365), working_days=kind == "working_days")


def _action(reader: _Reader, node: Node) -> Action:
    parts = reader.mapping(node, "an action", ("task", "flag", "notify", "referral"))
    if len(parts) != 1:
        raise reader.fail(node, "each item of 'then' is one action: task, flag, notify or referral")
    kind, body = next(iter(parts.items()))
    return _ACTIONS[kind](reader, body)


def _task(reader: _Reader, node: Node) -> Action:
    parts = _required(reader, node, "task", ("for", "title", "due"), ("details",))
    details = reader.text(parts["details"], "details") if "details" in parts else ""
    title = reader.text(parts["title"], "a title")
    if len(title) > 200:
        raise reader.fail(parts["title"], "a task title has at most 200 characters")
    return CreateTask(_owner(reader, parts["for"], "'for'"), title, _due(reader, parts["due"]), details)


def _flag(reader: _Reader, node: Node) -> Action:
    parts = _required(reader, node, "flag", ("code", "text"), ())
    return RaiseFlag(reader.text(parts["code"], "a flag code"), reader.text(parts["text"], "the flag's text"))


def _notify(reader: _Reader, node: Node) -> Action:
    parts = _required(reader, node, "notify", ("team", "message"), ())
    return Notify(_owner(reader, parts["team"], "'team'"), reader.text(parts["message"], "a message"))


def _referral(reader: _Reader, node: Node) -> Action:
    parts = _required(reader, node, "referral", ("to", "request"), ("urgency",))
    urgency = reader.text(parts["urgency"], "urgency") if "urgency" in parts else "routine"
    if urgency not in ("emergency", "urgent", "routine"):
        raise reader.fail(parts["urgency"], "urgency is emergency, urgent or routine")
    return DraftReferral(_owner(reader, parts["to"], "'to'"), reader.text(parts["request"], "the request"), urgency)


def _required(reader: _Reader, node: Node, what: str, needed: tuple[str, ...], optional: tuple[str, ...]) -> dict:
    parts = reader.mapping(node, what, needed + optional)
    for name in needed:
        if name not in parts:
            raise reader.fail(node, f"{what} needs '{name}:'")
    return parts


_ACTIONS: dict[str, Callable[[_Reader, Node], Action]] = {
    "task": _task,
    "flag": _flag,
    "notify": _notify,
    "referral": _referral,
}


def describe(rule_set: RuleSet) -> list[dict[str, Any]]:
    """The rules as plain data, for pages and the API."""
    return [
        {"name": r.name, "when": r.trigger, "description": r.description, "line": r.line, "actions": len(r.actions)}
        for r in rule_set.rules
    ]
