"""The HL7 v2 corpus: its files with the outcome MANIFEST.csv expects, and its ordered scenario folders."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from tests.corpora import corpus


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    relative: str
    expected: str  # valid | malformed... | rejected-by-HANS... | unknown(...)
    trigger: str  # MSH-9 type^event as the manifest reads it
    note: str

    @property
    def is_malformed(self) -> bool:
        return self.expected.startswith("malformed")


def hl7_dev() -> Path:
    return corpus("hl7v2/dev")


def corpus_files() -> list[CorpusFile]:
    base = hl7_dev()
    with (base / "MANIFEST.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [CorpusFile(base / row["file"], row["file"], row["expected"], row["trigger"], row["note"]) for row in rows]


def scenario_folders(message_type: str = "") -> list[Path]:
    """Folders whose files are one story told in filename order (the manifest says so); with
    `message_type` ("ADT"), only the folders whose story is told in messages of that type."""
    files = [f for f in corpus_files() if "scenario folder" in f.note]
    folders = {f.path.parent for f in files if not message_type or f.trigger.startswith(message_type + "^")}
    return sorted(folders)
