"""What the FHIR import keeps: every resource it read, as it read it, with what it became.

Resources JoinedUp maps into its own records (Patient -> Client) are kept too, so that importing
the same bundle again changes nothing and the source stays retrievable. Resources it does not (yet)
map are kept here whole: a later mapper (inpatient Encounters -> hospital spells) picks them up by
type, category and client. Writes go through fhir.importer only.
"""

from __future__ import annotations

from django.db import models

from joinedup.clients.models import Client


class SourceResource(models.Model):
    resource_type = models.CharField(max_length=64)
    # The resource's id where it has one, else its fullUrl: with the type, the identity of the resource.
    resource_id = models.CharField(max_length=255)
    content = models.JSONField(help_text="The resource as imported, urn:uuid references made Type/id")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON: same hash, no change")
    # The client the resource is about (Patient itself, or its subject/patient), when JoinedUp knows them.
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="fhir_source_resources"
    )
    # A code that tells kinds apart for later mappers: Encounter.class (IMP, AMB...), Condition's code.
    category = models.CharField(max_length=64, blank=True)
    # What JoinedUp made of it: "Client" for a mapped Patient; empty while it is kept as source data only.
    mapped_to = models.CharField(max_length=40, blank=True)
    # meta.lastUpdated of the content, when it has one: a differing copy replaces it only if newer.
    last_updated = models.CharField(max_length=40, blank=True)
    source_file = models.CharField(max_length=500)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "resource_id"], name="one_source_resource_per_identity")
        ]
        indexes = [
            models.Index(fields=["client", "resource_type"]),
            models.Index(fields=["resource_type", "category"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id}"
