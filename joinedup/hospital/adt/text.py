"""Bytes from the wire to text. Pure."""

from __future__ import annotations

BOM = "\ufeff"


def decode(data: bytes) -> str:
    """UTF-8 (what HL7 2.8 prefers and UK feeds send), else Windows-1252, else Latin-1: never an error.

    A byte order mark is dropped, and so are NUL bytes (fuzzed input carries them)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text.replace("\x00", "").lstrip(BOM)
