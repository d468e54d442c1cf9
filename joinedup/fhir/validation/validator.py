"""Validation of FHIR R4 (4.0.1) resources in their JSON form.

What is checked, for every resource type of the specification:
- structure: known properties only, JSON arrays exactly where the element repeats, objects where
  the type is complex, one type of a choice element [x], primitive extensions (`_birthDate`);
- primitive values by the specification's regular expressions and ranges (dates and times also
  against the calendar, integers within 32 bits, XHTML narratives well-formed and safe);
- cardinality: every element with a minimum of one, and maxima;
- required value-set bindings, on codes, Codings and CodeableConcepts (bindings=True);
- references: the resource type a reference names must exist and be an allowed target, local
  references must resolve to a contained resource; contained resources follow dom-2 to dom-5;
- extensions: a url, a value or sub-extensions but not both, core extensions used where their
  context allows and with their value type, no versioned or example URLs;
- bundles: see joinedup.fhir.validation.bundles;
- UK Core: an NHS number identifier (https://fhir.nhs.uk/Id/nhs-number) must be a valid NHS
  number: ten digits, modulus 11 (uk_core=True).

Not checked: FHIRPath invariants beyond those named above, profiles (meta.profile), extensible
and preferred bindings, code systems that need a terminology server. Pure: no Django.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson

from joinedup.fhir.validation import bundles
from joinedup.fhir.validation.definitions import COMPLEX, PRIMITIVE, Definitions, Element, Shape, load
from joinedup.fhir.validation.extensions import check_extension
from joinedup.fhir.validation.outcome import ERROR, FATAL, WARNING, Issue
from joinedup.fhir.validation.references import check_coding, check_period, check_reference
from joinedup.fhir.validation.uk_core import check_identifier

# The object an element sits in: the element that led to it (None at a resource's root) and its shape.
Holder = tuple[Element | None, Shape]


class Run:
    """What one validation has found so far."""

    __slots__ = ("bundle_refs", "issues", "local_refs")

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.local_refs: set[str] = set()  # "#id" references seen in the current resource
        self.bundle_refs: list[tuple[str, str]] | None = None  # (reference, path) inside a bundle

    def error(self, code: str, diagnostics: str, expression: str) -> None:
        self.issues.append(Issue(ERROR, code, diagnostics, expression))

    def warning(self, code: str, diagnostics: str, expression: str) -> None:
        self.issues.append(Issue(WARNING, code, diagnostics, expression))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an Array"
    if isinstance(value, dict):
        return "an Object"
    return "a primitive value"


class Validator:
    """Validates resources against FHIR R4 4.0.1; one instance serves any number of resources."""

    def __init__(self, definitions: Definitions | None = None, *, bindings: bool = True, uk_core: bool = True) -> None:
        self.definitions = definitions or load()
        self.bindings = bindings
        self.uk_core = uk_core
        self._element_shape = self.definitions.shapes["Element"]
        self._after = {
            "Reference": check_reference,
            "Extension": check_extension,
            "Period": check_period,
            "Identifier": check_identifier if uk_core else None,
            "Coding": check_coding,
            "CodeableConcept": self._concept_binding if bindings else None,
        }

    def validate(self, resource: Any, *, resource_type: str | None = None) -> list[Issue]:
        """Every problem of this resource (parsed JSON); an empty list when it is valid."""
        run = Run()
        if not isinstance(resource, dict):
            run.issues.append(Issue(FATAL, "structure", f"A resource must be a JSON object, not {_kind(resource)}"))
            return run.issues
        if resource_type is not None and resource.get("resourceType") != resource_type:
            run.error("invalid", f"Expected a {resource_type} resource, not {resource.get('resourceType')!r}", "")
            return run.issues
        self.resource(resource, None, run)
        return run.issues

    def validate_json(self, data: bytes | str, *, resource_type: str | None = None) -> tuple[Any, list[Issue]]:
        """Parse strict JSON (RFC 8259) and validate it: (the parsed value or None, problems)."""
        if isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]  # a UTF-8 byte order mark: RFC 8259 lets a parser ignore it
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            return None, [Issue(FATAL, "structure", f"The content is not valid JSON: {error}")]
        return parsed, self.validate(parsed, resource_type=resource_type)

    def resource(self, value: dict[str, Any], path: str | None, run: Run, *, contained: bool = False) -> None:
        """Validate one resource at `path` (None at the top); its own contained resources too."""
        resource_type = value.get("resourceType")
        here = path or str(resource_type)
        if not isinstance(resource_type, str) or resource_type not in self.definitions.resource_types:
            problem = "names no resourceType" if resource_type is None else f"has an unknown type {resource_type!r}"
            run.error("structure", f"The resource {problem}", path or "")
            return
        shape = self.definitions.shapes[resource_type]
        saved, saved_bundle_refs = run.local_refs, run.bundle_refs
        if not contained:
            run.local_refs = set()
        if resource_type == "Bundle":
            run.bundle_refs = []
        self.walk(value, shape, here, run, None)
        if not contained:
            bundles.check_contained(value, here, run)
            run.local_refs = saved
        if resource_type == "Bundle":
            bundles.check_bundle(self, value, here, run)
            unresolved = bundles.unresolved_references(value.get("entry"), run.bundle_refs or [])
            if saved_bundle_refs is not None:
                saved_bundle_refs.extend(unresolved)  # an enclosing bundle may hold the target
            else:
                bundles.report_unresolved(value.get("type"), unresolved, run)
            run.bundle_refs = saved_bundle_refs

    def walk(self, obj: dict[str, Any], shape: Shape, path: str, run: Run, via: Element | None) -> None:
        """Validate an object's properties against a shape, then its required elements.

        The hot loop of validation: a valid primitive seen before costs one set lookup here.
        """
        if not obj:
            run.error("structure", "An object must have content (a value, children or extensions)", path)
            return
        children = shape.children
        choices: dict[str, str] | None = None
        holder = (via, shape)
        for key, value in obj.items():
            element = children.get(key)
            if element is None:
                self._unknown(obj, key, value, shape, path, run)
                continue
            if element.choice is not None:
                choices = choices or {}
                if element.choice in choices:
                    run.error("structure", f"Only one of {choices[element.choice]} and {key} may be given", path)
                choices[element.choice] = key
            if element.many:
                self._array(element, value, obj, path, run, holder)
            elif type(value) is list:
                run.error("structure", f"The property {key} must not be a JSON Array (it has at most one value)", path)
            elif element.kind != PRIMITIVE:
                self._complex(element, value, path, None, run, holder)
            elif type(value) is not str or value not in element.known:
                self._primitive(element, value, path, None, run)
        for label, keys in shape.required:
            for key in keys:
                if key in obj or "_" + key in obj:
                    break
            else:
                run.error("required", f"{shape.name}.{label}: minimum required = 1, but only found 0", path)

    def _array(self, element: Element, value: Any, obj: dict[str, Any], path: str, run: Run, holder: Holder) -> None:
        key = element.name
        if type(value) is not list:
            run.error("structure", f"The property {key} must be a JSON Array, not {_kind(value)}", path)
            return
        if not value:
            run.error("structure", f"The array {key} is empty: leave the property out instead", path)
            return
        if element.max is not None and len(value) > element.max:
            run.error("structure", f"{key}: at most {element.max} allowed, but found {len(value)}", path)
        if element.kind != PRIMITIVE:
            for index, item in enumerate(value):
                self._complex(element, item, path, index, run, holder)
            return
        known = element.known
        for index, item in enumerate(value):
            if item is None:
                extensions = obj.get("_" + key)
                if not (type(extensions) is list and index < len(extensions) and extensions[index]):
                    run.error("structure", f"{key}[{index}] is null with no extension in _{key}", path)
            elif type(item) is not str or item not in known:
                self._primitive(element, item, path, index, run)

    def _primitive(self, element: Element, value: Any, path: str, index: int | None, run: Run) -> None:
        problem = element.check(value) if element.check is not None else None
        if problem is not None:
            run.error("value", problem, _at(path, element, index))
        elif element.binding is not None and self.bindings and value not in element.binding.codes:
            run.error("code-invalid", _not_in(value, element), _at(path, element, index))
        elif element.may_be_local and value[0] == "#":
            run.local_refs.add(value[1:])

    def _complex(self, element: Element, value: Any, path: str, index: int | None, run: Run, holder: Holder) -> None:
        if type(value) is not dict:
            run.error("structure", f"The property {element.name} must be a JSON Object, not {_kind(value)}", path)
            return
        here = _at(path, element, index)
        if element.kind == COMPLEX:
            assert element.shape is not None
            self.walk(value, element.shape, here, run, element)
            after = self._after.get(element.type_code)
            if after is not None:
                after(self, element, value, here, run, holder)
        else:
            self.resource(value, here, run, contained=element.name == "contained")

    def _unknown(self, obj: dict[str, Any], key: str, value: Any, shape: Shape, path: str, run: Run) -> None:
        if key == "resourceType" and shape.is_resource:
            return
        element = shape.children.get(key[1:]) if key[:1] == "_" else None
        if element is None or element.kind != PRIMITIVE:
            run.error("structure", f"Unrecognized property '{key}'", path)
            return
        items = value if element.many and type(value) is list else [value]
        if element.many != (type(value) is list):
            run.error("structure", f"The property {key} must match the form of {element.name}", path)
            return
        for index, item in enumerate(items):
            if item is None and element.many:
                continue
            where = _at(path, element, index if element.many else None)
            if type(item) is not dict:
                run.error("structure", f"The property {key} must be a JSON Object, not {_kind(item)}", where)
            else:
                self.walk(item, self._element_shape, where, run, element)

    def coding_binding(self, element: Element, value: dict[str, Any], path: str, run: Run) -> None:
        value_set = element.binding
        code = value.get("code")
        if value_set is None or not isinstance(code, str):
            return
        system = value.get("system")
        if not value_set.has_coding(system if isinstance(system, str) else None, code):
            run.error("code-invalid", f"The Coding {system}#{code} is not in the value set {value_set.url}", path)

    def _concept_binding(
        self, _: Validator, element: Element, value: dict[str, Any], path: str, run: Run, __: Holder
    ) -> None:
        value_set = element.binding
        codings = value.get("coding")
        if value_set is None or type(codings) is not list:
            return
        given = [c for c in codings if type(c) is dict and isinstance(c.get("code"), str)]
        if given and not any(value_set.has_coding(c.get("system"), c["code"]) for c in given):
            shown = ", ".join(f"{c.get('system')}#{c['code']}" for c in given[:3])
            run.error("code-invalid", f"None of the codings ({shown}) is in the value set {value_set.url}", path)


def _at(path: str, element: Element, index: int | None) -> str:
    return f"{path}.{element.path_name}" if index is None else f"{path}.{element.path_name}[{index}]"


def _not_in(value: Any, element: Element) -> str:
    assert element.binding is not None
    allowed = sorted(element.binding.codes)
    shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    return f"The value {value!r} is not in the value set {element.binding.url} (one of: {shown})"


@cache
def default_validator() -> Validator:
    """The validator with every check on, built once per process."""
    return Validator()


__all__ = ["Issue", "Run", "Validator", "default_validator"]
