"""Checks of FHIR primitive values in their JSON form, by the specification's regular expressions.

Each check takes the JSON value and returns None when it is valid, else what is wrong. Values
seen valid before are remembered (codes, systems and dates repeat a great deal), so the regular
expression runs once per distinct value. Pure: no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any
from xml.parsers import expat

Check = Callable[[Any], str | None]

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
_CACHE_LIMIT = 200_000
XHTML_NS = "http://www.w3.org/1999/xhtml"
# The elements the specification allows in a narrative (FHIR R4, Narrative, rule txt-1 and txt-2).
XHTML_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "b",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "ul",
        "var",
    ]
)
_DATE_TYPES = ("date", "dateTime", "instant")
# Strings the specification caches well: values that repeat across resources.
_CACHED = frozenset({"code", "uri", "url", "canonical", "id", "oid", "uuid", "date", "dateTime", "instant", "time"})
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_WHITESPACE = re.compile(r"\s+")


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _real_date(value: str) -> bool:
    """The regular expressions allow 2021-02-30; the calendar does not."""
    if len(value) < 10:
        return True
    try:
        date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return False
    return True


# string and markdown: any characters but the ASCII vertical tab and form feed ([ \r\n\t\S]+).
_TEXT = r"[ \r\n\t\S]+"


def _text_problem(value: str) -> bool:
    return "\x0b" in value or "\x0c" in value


def _string_check(type_code: str, regex: str | None, max_length: int | None) -> Check:
    pattern = re.compile(regex, re.ASCII) if regex and regex != _TEXT else None
    text = regex == _TEXT
    seen: set[str] = set()
    cached = type_code in _CACHED
    is_date = type_code in _DATE_TYPES
    label = "date/time" if is_date else type_code

    def check(value: Any) -> str | None:
        if type(value) is not str:
            return f"A {type_code} must be a JSON string, not {_json_kind(value)}"
        if value in seen:
            return None
        if not value:
            return f"A {type_code} cannot be empty: leave the property out, or give it a value"
        if max_length is not None and len(value) > max_length:
            return f"The {type_code} is longer than {max_length:,} characters"
        if (pattern is not None and pattern.fullmatch(value) is None) or (text and _text_problem(value)):
            return f"Not a valid {label} format: {_shown(value)}"
        if is_date and not _real_date(value):
            return f"Not a valid {label}: {_shown(value)} is not a day of the calendar"
        if (cached or (text and len(value) < 64)) and value[0] != "#":  # "#id" must reach the contained check
            if len(seen) > _CACHE_LIMIT:
                seen.clear()
            seen.add(value)
        return None

    check.seen = seen  # type: ignore[attr-defined]
    return check


def known_values(check: Check) -> set[str] | frozenset[str]:
    """The set of values a check has found valid (empty for types not worth remembering)."""
    return getattr(check, "seen", frozenset())


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _boolean(value: Any) -> str | None:
    return None if type(value) is bool else f"A boolean must be JSON true or false, not {_json_kind(value)}"


def _integer_check(type_code: str, minimum: int) -> Check:
    def check(value: Any) -> str | None:
        if type(value) is not int:
            return f"An {type_code} must be a JSON whole number, not {_json_kind(value)}"
        if value < minimum or value > INT32_MAX:
            return f"The {type_code} {value} is outside its range ({minimum} to {INT32_MAX})"
        return None

    return check


def _decimal(value: Any) -> str | None:
    if type(value) is int:
        return None
    if type(value) is float:
        return None if math.isfinite(value) else "A decimal must be a finite number"
    return f"A decimal must be a JSON number, not {_json_kind(value)}"


def _base64(value: Any) -> str | None:
    if type(value) is not str:
        return f"A base64Binary must be a JSON string, not {_json_kind(value)}"
    compact = _WHITESPACE.sub("", value)
    if not compact or len(compact) % 4 or _BASE64.fullmatch(compact) is None:
        return f"The value {_shown(value)} is not valid base64"
    return None


class _Narrative:
    """Walks an XHTML div with expat: well-formed, in the XHTML namespace, allowed elements only."""

    def __init__(self) -> None:
        self.problem: str | None = None
        self.depth = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if self.depth == 0 and (local != "div" or namespace != XHTML_NS):
            self.problem = f"The narrative must be a <div> in the XHTML namespace ({XHTML_NS})"
        elif namespace != XHTML_NS or local not in XHTML_ELEMENTS:
            self.problem = self.problem or f"The element <{local}> is not allowed in a narrative"
        for attribute in attributes:
            if attribute.rpartition(" ")[2].lower().startswith("on"):
                self.problem = self.problem or "Event attributes (on...) are not allowed in a narrative"
        self.depth += 1


def _xhtml(value: Any) -> str | None:
    if type(value) is not str:
        return f"A narrative must be a JSON string, not {_json_kind(value)}"
    narrative = _Narrative()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = narrative.start
    try:
        parser.Parse(value, True)
    except expat.ExpatError as error:
        return f"The narrative is not well-formed XHTML ({expat.errors.messages[error.code]})"
    return narrative.problem


def checks(raw: dict[str, Any]) -> dict[str, Check]:
    """A check for every primitive type the definitions name."""
    found: dict[str, Check] = {}
    for type_code, spec in raw.items():
        if type_code == "boolean":
            found[type_code] = _boolean
        elif type_code == "integer":
            found[type_code] = _integer_check(type_code, INT32_MIN)
        elif type_code == "unsignedInt":
            found[type_code] = _integer_check(type_code, 0)
        elif type_code == "positiveInt":
            found[type_code] = _integer_check(type_code, 1)
        elif type_code == "decimal":
            found[type_code] = _decimal
        elif type_code == "base64Binary":
            found[type_code] = _base64
        elif type_code == "xhtml":
            found[type_code] = _xhtml
        else:
            found[type_code] = _string_check(type_code, spec.get("regex"), spec.get("maxLength"))
    return found
