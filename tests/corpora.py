"""Where the shared test corpora are: $JOINEDUP_CORPORA or ../shared/corpora beside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def corpus(name: str) -> Path:
    base = Path(os.environ.get("JOINEDUP_CORPORA", ROOT.parent / "shared" / "corpora"))
    folder = base / name
    if not folder.exists():
        if os.environ.get("JOINEDUP_REQUIRE_ALL") == "1":
            pytest.fail(f"corpus {folder} is missing, and CI requires it")
        # Also when a module asks at collection (to parametrize over the files): the module is skipped.
        pytest.skip(f"corpus {folder} is not here (it sits beside the project in CI)", allow_module_level=True)
    return folder
