"""The resource mappers: each module maps one FHIR resource type to and from JoinedUp's records."""

from __future__ import annotations


def register_all() -> None:
    """Register every mapper (called once, from FhirConfig.ready)."""
