"""The FHIR R4 (4.0.1) definitions, compiled once into shapes the validator walks quickly.

`r4_definitions.json` is generated from the specification by scripts/fhir_definitions.py and
committed with its provenance; nothing is fetched at run time. Pure: no Django.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from joinedup.fhir.validation import primitives

DEFINITIONS_FILE = Path(__file__).with_name("r4_definitions.json")

# How the validator treats an element's value.
PRIMITIVE, COMPLEX, RESOURCE = 1, 2, 3


@dataclass(eq=False)
class Shape:
    """The elements an object may hold, keyed by JSON property name (choices expanded)."""

    name: str  # the type or backbone path, as FHIRPath names it: "HumanName", "Patient.contact"
    children: dict[str, Element] = field(default_factory=dict)
    # (label, property names any of which satisfies it) for every element with min >= 1
    required: tuple[tuple[str, tuple[str, ...]], ...] = ()
    is_resource: bool = False


@dataclass(eq=False)
class Element:
    name: str  # the JSON property name: "valueQuantity"
    path_name: str  # as FHIRPath names it: "value.ofType(Quantity)"
    type_code: str
    kind: int
    many: bool
    max: int | None  # None: unbounded
    check: Callable[[Any], str | None] | None = None  # primitives
    # Values already found valid here (shared by every element of the type; the binding's codes when bound).
    known: frozenset[str] | set[str] = frozenset()
    shape: Shape | None = None  # complex types and backbone elements
    choice: str | None = None  # the choice element this belongs to: "value"
    binding: ValueSet | None = None
    targets: frozenset[str] | None = None  # allowed reference target types; None: any
    definition_path: str = ""  # "Patient.name", "HumanName.family": for extension contexts
    may_be_local: bool = False  # a uri or canonical that may point at a contained resource ("#vs1")


@dataclass(frozen=True, eq=False)
class ValueSet:
    url: str
    by_system: dict[str, frozenset[str]]
    codes: frozenset[str]  # every code whatever its system: for `code` elements

    def has_coding(self, system: str | None, code: str) -> bool:
        if system is None:
            return code in self.codes
        return code in self.by_system.get(system, frozenset())


@dataclass(frozen=True)
class ExtensionDefinition:
    url: str
    value_types: tuple[str, ...]  # empty: a complex extension (sub-extensions, no value)
    contexts: frozenset[str]


class Definitions:
    """Every resource type and data type of FHIR R4, ready for the validator."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.fhir_version: str = raw["fhirVersion"]
        self.provenance: dict[str, Any] = raw["provenance"]
        self._raw_types: dict[str, Any] = raw["types"]
        self.value_sets = {
            url: ValueSet(
                url,
                {system: frozenset(codes) for system, codes in systems.items()},
                frozenset(code for codes in systems.values() for code in codes),
            )
            for url, systems in raw["valueSets"].items()
        }
        self.unexpanded_value_sets: dict[str, str] = raw["unexpandedValueSets"]
        self.extensions = {
            url: ExtensionDefinition(url, tuple(spec["v"]), frozenset(spec["c"]))
            for url, spec in raw["extensions"].items()
        }
        self.primitive_types = frozenset(raw["primitives"])
        self.checks = primitives.checks(raw["primitives"])
        self.shapes: dict[str, Shape] = {}
        self._backbones: dict[str, Shape] = {}
        # Complex types are pointed at their shapes once all exist: a type may name itself.
        self._pending: list[Element] = []
        self._pending_references: list[tuple[Element, str]] = []  # contentReference: "#Bundle.link"
        for name, spec in self._raw_types.items():
            if name not in self.shapes:
                self._shape(name, spec)
        self.resource_types = frozenset(
            name for name, spec in self._raw_types.items() if spec["kind"] == "resource" and not spec["abstract"]
        )
        self.element_shape = self.shapes["Element"]

    def _shape(self, name: str, spec: dict[str, Any]) -> Shape:
        shape = Shape(name, is_resource=spec["kind"] == "resource")
        self.shapes[name] = shape
        self._fill(shape, name, spec["e"])
        return shape

    def shape_of(self, type_code: str) -> Shape:
        shape = self.shapes.get(type_code)
        if shape is None:
            shape = self._shape(type_code, self._raw_types[type_code])
        return shape

    def _fill(self, shape: Shape, path: str, elements: dict[str, Any]) -> None:
        required = []
        for name, spec in elements.items():
            element_path = f"{path}.{name}"
            if "ref" in spec:
                self._add(shape, name, "BackboneElement", spec, element_path, content_reference=spec["ref"])
            elif name.endswith("[x]"):
                base = name[:-3]
                for type_code in spec["t"]:
                    json_name = base + type_code[0].upper() + type_code[1:]
                    self._add(shape, json_name, type_code, spec, element_path, choice=base)
            else:
                type_code = spec["t"][0] if spec["t"] else "string"
                backbone = None
                if "e" in spec:
                    backbone = Shape(element_path)
                    self._backbones[element_path] = backbone
                    self._fill(backbone, element_path, spec["e"])
                self._add(shape, name, type_code, spec, element_path, backbone=backbone)
            if spec["min"] > 0:
                keys = (
                    tuple(k for k, e in shape.children.items() if e.choice == name[:-3])
                    if name.endswith("[x]")
                    else (name,)
                )
                required.append((name.removesuffix("[x]"), keys))
        shape.required = tuple(required)

    def _add(
        self,
        shape: Shape,
        json_name: str,
        type_code: str,
        spec: dict[str, Any],
        element_path: str,
        *,
        choice: str | None = None,
        backbone: Shape | None = None,
        content_reference: str | None = None,
    ) -> None:
        max_ = spec["max"]
        element = Element(
            name=json_name,
            path_name=f"{choice}.ofType({type_code})" if choice else json_name,
            type_code=type_code,
            kind=RESOURCE if type_code == "Resource" else PRIMITIVE if type_code in self.checks else COMPLEX,
            many=max_ != "1",
            max=None if max_ == "*" else int(max_),
            choice=choice,
            targets=frozenset(spec["tp"]) if "tp" in spec else None,
            definition_path=element_path.replace("[x]", ""),
            may_be_local=type_code in ("uri", "canonical", "url"),
        )
        if element.kind == PRIMITIVE:
            element.check = self.checks[type_code]
            element.known = primitives.known_values(element.check)
        elif content_reference is not None:
            self._pending_references.append((element, content_reference))
        elif element.kind == COMPLEX:
            element.shape = backbone
            if element.shape is None:
                self._pending.append(element)
        if "b" in spec:
            element.binding = self.value_sets.get(spec["b"])
            if element.binding is not None:
                element.known = element.binding.codes
        shape.children[json_name] = element

    def resolve(self) -> Definitions:
        """Point every complex element at its type's shape (after all types are compiled)."""
        while self._pending:
            element = self._pending.pop()
            element.shape = self.shape_of(element.type_code)
        for element, path in self._pending_references:
            element.shape = self._backbones[path]
        return self


@cache
def load(path: Path = DEFINITIONS_FILE) -> Definitions:
    return Definitions(json.loads(path.read_text())).resolve()
