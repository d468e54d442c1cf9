"""The FHIR R4 interface: validation, read and search as UK Core resources, import of bundles."""
