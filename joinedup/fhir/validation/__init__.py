"""Validation of FHIR R4 (4.0.1) resources: pure Python, no Django, no network."""
