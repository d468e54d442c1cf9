"""The handover information set: what a referral must carry before it can be sent. Pure.

A referral is a *handover*, not a hand-off: it cannot be sent until every item
of its team's information set is either answered (non-blank text) or marked
"not known" with a reason. The set is configurable per receiving team; the
default (`DEFAULT_INFORMATION_ITEMS`) is the one in issue 3.

Answers are plain data (`Answer`), stored by the Django layer as JSON via
`Answer.to_dict` / `answers_from_dict`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class InformationItem:
    """One question of the handover information set.

    `key` is a stable identifier (lower case, digits, underscores) used as the
    form field name and the JSON key of the answer. `section` groups items on
    the referral page. `not_known_allowed` is False for items the sender must
    always know (by default only "what is asked and why").
    """

    key: str
    question: str
    help_text: str = ""
    section: str = ""
    not_known_allowed: bool = True


@dataclass(frozen=True)
class Answer:
    """The sender's answer to one item: text, or "not known" with a reason."""

    text: str = ""
    not_known: bool = False
    not_known_reason: str = ""

    @property
    def is_answered(self) -> bool:
        return bool(self.text.strip())

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "not_known": self.not_known, "not_known_reason": self.not_known_reason}


@dataclass(frozen=True)
class Problem:
    """Why an item is not complete; `key` names the item (the form field)."""

    key: str
    message: str


class InformationSetConfigError(ValueError):
    """A configured information set is invalid; `errors` names each faulty item."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("The handover information set is not valid: " + "; ".join(self.errors))


def _item(key: str, section: str, question: str, help_text: str, *, required: bool = False) -> InformationItem:
    return InformationItem(key, question, help_text, section, not_known_allowed=not required)


DEFAULT_INFORMATION_ITEMS: tuple[InformationItem, ...] = (
    _item(
        "request",
        "The request",
        "What are you asking the receiving team to do, and why?",
        "Say what you want them to do and what prompted the referral now.",
        required=True,
    ),
    _item(
        "needs_physical_health",
        "Presenting needs",
        "Physical health needs",
        "Conditions, symptoms, recent changes, mobility, nutrition, continence, skin.",
    ),
    _item(
        "needs_mental_health",
        "Presenting needs",
        "Mental health needs",
        "Mood, memory and cognition, distress, diagnoses, current mental health support.",
    ),
    _item(
        "needs_social_care",
        "Presenting needs",
        "Social care needs",
        "Personal care, daily living, housing, money, isolation, current care package.",
    ),
    _item("risk_falls", "Risks", "Risk of falls", "Falls in the last year, near misses, aids used."),
    _item(
        "risk_self_neglect",
        "Risks",
        "Risk of self-neglect",
        "Hoarding, not eating, refusing care, the state of the home.",
    ),
    _item(
        "risk_safeguarding",
        "Risks",
        "Safeguarding concerns",
        "Any abuse or neglect suspected or reported, and whether a concern has been raised.",
    ),
    _item(
        "risk_lone_working",
        "Risks",
        "Hazards for staff working alone",
        "Aggression, animals, weapons, access problems: what a lone visitor must know.",
    ),
    _item(
        "medication",
        "Medication",
        "Medication, and who manages it",
        "Current medicines and whether the client, a carer, a pharmacy or care staff manage them.",
    ),
    _item(
        "others_involved",
        "People",
        "Who else is involved",
        "Other teams, services and professionals currently working with the client.",
    ),
    _item(
        "what_matters",
        "The client",
        "What matters to the client, in their own words",
        "Quote the client where you can; say if a carer spoke for them.",
    ),
    _item(
        "consent_or_lawful_basis",
        "The client",
        "Consent to share, or the lawful basis",
        "Has the client agreed to this referral and to sharing this information? If not, why may it be shared?",
    ),
    _item(
        "mental_capacity",
        "The client",
        "Mental capacity notes",
        "Any concern about capacity for the decisions involved, and any assessment made.",
    ),
    _item(
        "next_of_kin_and_carer",
        "People",
        "Next of kin and carer",
        "Names, relationship, contact details, and whether the carer needs support too.",
    ),
    _item(
        "access_to_home",
        "Access",
        "Access to the home",
        "How to get in: key safe (where; give the code by phone, not here), entry system, who has keys.",
    ),
)


def check_complete(answers: Mapping[str, Answer], items: Sequence[InformationItem]) -> list[Problem]:
    """Every problem that stops the referral being sent, in the items' order; empty when complete.

    An item is complete when its answer has non-blank text, or is marked not
    known with a non-blank reason (and the item allows "not known"). Answers to
    keys that are not in `items` are ignored.
    """
    problems: list[Problem] = []
    for item in items:
        answer = answers.get(item.key)
        message = _problem_with(item, answer)
        if message:
            problems.append(Problem(item.key, message))
    return problems


def _problem_with(item: InformationItem, answer: Answer | None) -> str | None:
    label = item.question.rstrip("?")
    if answer is None or (not answer.is_answered and not answer.not_known):
        if item.not_known_allowed:
            return f"{label}: answer this, or mark it not known and say why"
        return f"{label}: answer this (it cannot be marked not known)"
    if answer.is_answered and answer.not_known:
        return f"{label}: give an answer or mark it not known, not both"
    if answer.not_known and not item.not_known_allowed:
        return f"{label}: this cannot be marked not known"
    if answer.not_known and not answer.not_known_reason.strip():
        return f"{label}: say why this is not known"
    return None


def completeness(answers: Mapping[str, Answer], items: Sequence[InformationItem]) -> float:
    """Share of items answered with text (not "not known"), from 0.0 to 1.0, for the quality report."""
    if not items:
        return 1.0
    answered = sum(1 for item in items if (a := answers.get(item.key)) is not None and a.is_answered)
    return answered / len(items)


def answers_from_dict(data: Mapping[str, Any]) -> dict[str, Answer]:
    """Answers from stored JSON (`{key: {"text", "not_known", "not_known_reason"}}`); a bare string is text."""
    answers: dict[str, Answer] = {}
    for key, value in data.items():
        if isinstance(value, str):
            answers[key] = Answer(text=value)
        elif isinstance(value, Mapping):
            answers[key] = Answer(
                text=str(value.get("text") or ""),
                not_known=bool(value.get("not_known", False)),
                not_known_reason=str(value.get("not_known_reason") or ""),
            )
        else:
            raise ValueError(f"Answer to {key!r} must be text or an object")
    return answers


def information_set_from_config(config: Mapping[str, Any]) -> tuple[InformationItem, ...]:
    """The information set described by plain configuration (parsed from YAML or JSON elsewhere).

    Shape: ``{"include_defaults": bool, "items": [{"key", "question", "help_text",
    "section", "not_known_allowed"}, ...]}``. With ``include_defaults`` the
    configured items follow the default ones. Raises `InformationSetConfigError`
    naming every faulty item (by position and key).
    """
    if not isinstance(config, Mapping):
        raise InformationSetConfigError(["the configuration must be an object with an 'items' list"])
    unknown = sorted(set(config) - {"include_defaults", "items"})
    errors = [f"unknown setting {name!r}" for name in unknown]
    raw_items = config.get("items", [])
    if not isinstance(raw_items, list):
        raise InformationSetConfigError([*errors, "'items' must be a list"])
    items = list(DEFAULT_INFORMATION_ITEMS) if config.get("include_defaults") else []
    seen = {item.key for item in items}
    for position, raw in enumerate(raw_items, start=1):
        item, item_errors = _item_from_config(position, raw, seen)
        errors.extend(item_errors)
        if item is not None:
            items.append(item)
            seen.add(item.key)
    if not items and not errors:
        errors.append("the set has no items: a referral would carry no handover information")
    if errors:
        raise InformationSetConfigError(errors)
    return tuple(items)


_ITEM_FIELDS = {"key", "question", "help_text", "section", "not_known_allowed"}


def _item_from_config(position: int, raw: Any, seen: set[str]) -> tuple[InformationItem | None, list[str]]:
    if not isinstance(raw, Mapping):
        return None, [f"item {position}: must be an object with a key and a question"]
    key = raw.get("key")
    name = f"item {position} ({key!r})" if isinstance(key, str) and key else f"item {position}"
    errors = [f"{name}: unknown field {field!r}" for field in sorted(set(raw) - _ITEM_FIELDS)]
    if not isinstance(key, str) or not _KEY.match(key):
        errors.append(f"{name}: key must be lower case letters, digits and underscores, starting with a letter")
    elif key in seen:
        errors.append(f"{name}: key {key!r} is used twice")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        errors.append(f"{name}: question is missing")
    for field in ("help_text", "section"):
        if not isinstance(raw.get(field, ""), str):
            errors.append(f"{name}: {field} must be text")
    allowed = raw.get("not_known_allowed", True)
    if not isinstance(allowed, bool):
        errors.append(f"{name}: not_known_allowed must be true or false")
    if errors:
        return None, errors
    return InformationItem(
        key=str(key),
        question=str(question).strip(),
        help_text=str(raw.get("help_text", "")).strip(),
        section=str(raw.get("section", "")).strip(),
        not_known_allowed=bool(allowed),
    ), []
