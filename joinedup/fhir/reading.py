"""Reading FHIR files for import: bundles (.json, .json.gz) and bulk-export ndjson (.ndjson, .ndjson.gz).

Each resource comes with where it was found (file and entry or line), so that a bad one can be
reported precisely while the rest go on. Files are read one at a time; nothing is fetched.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

SUFFIXES = (".json", ".json.gz", ".ndjson", ".ndjson.gz")


@dataclass
class Found:
    """One resource as read, or a problem in its place."""

    file: str
    position: str  # "entry 3", "line 12"
    resource: dict[str, Any] | None
    full_url: str | None = None
    problem: str = ""


def import_files(paths: list[Path]) -> list[Path]:
    """The files to import under the given paths, Patients first (others refer to them)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
        else:
            found.append(path)
    return sorted(found, key=lambda p: (not p.name.startswith("Patient"), str(p)))


def _open(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()


def read(path: Path) -> Iterator[Found]:
    """Every resource in one file, in order (for a bundle: its Patients first)."""
    name = str(path)
    try:
        data = _open(path)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        yield Found(name, "file", None, problem=f"cannot be read: {error}")
        return
    if path.name.endswith((".ndjson", ".ndjson.gz")):
        yield from _lines(name, data)
        return
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        yield Found(name, "file", None, problem=f"is not valid JSON: {error}")
        return
    yield from _bundle_or_resource(name, parsed)


def _lines(name: str, data: bytes) -> Iterator[Found]:
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            resource = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield Found(name, f"line {number}", None, problem=f"is not valid JSON: {error}")
            continue
        if type(resource) is not dict:
            yield Found(name, f"line {number}", None, problem="is not a JSON object")
            continue
        yield Found(name, f"line {number}", resource)


def _bundle_or_resource(name: str, parsed: Any) -> Iterator[Found]:
    if type(parsed) is not dict:
        yield Found(name, "file", None, problem="is not a JSON object")
        return
    if parsed.get("resourceType") != "Bundle":
        yield Found(name, "resource", parsed)
        return
    if parsed.get("type") not in ("transaction", "batch", "collection", "searchset"):
        yield Found(name, "bundle", None, problem=f"is a {parsed.get('type')} bundle: import takes transaction, "
                    "batch, collection and searchset bundles")  # fmt: skip
        return
    entries = parsed.get("entry") or []
    order = sorted(range(len(entries)), key=lambda i: _resource_type(entries[i]) != "Patient")
    for index in order:
        entry = entries[index]
        resource = entry.get("resource") if type(entry) is dict else None
        if type(resource) is not dict:
            yield Found(name, f"entry {index}", None, problem="has no resource")
            continue
        yield Found(name, f"entry {index}", resource, full_url=entry.get("fullUrl"))


def _resource_type(entry: Any) -> Any:
    resource = entry.get("resource") if type(entry) is dict else None
    return resource.get("resourceType") if type(resource) is dict else None
