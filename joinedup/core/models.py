"""The audit log and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who saw or changed what, when and why. Append-only and hash-chained.

    Rows are written only by joinedup.core.audit; database triggers refuse
    UPDATE and DELETE; `joinedup audit-verify` checks the chains.
    """

    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=200, blank=True)
    actor_organisation = models.CharField(max_length=12, blank=True, help_text="ODS code")
    channel = models.CharField(max_length=10, help_text="page, api, cli or system")
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Not a foreign key: the audit log stands on its own, whatever happens to the records.
    client_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True, help_text="The relationship, or the emergency reason")
    outcome = models.CharField(max_length=20, default="success")
    detail = models.JSONField(default=dict, blank=True)
    # Which of the log's hash chains the row belongs to: concurrent writers take different chains.
    chain = models.PositiveSmallIntegerField(default=0)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique by a constraint: no pattern-ops (LIKE) index beside it

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["chain", "id"], name="core_audit_chain_id"),
            models.Index(fields=["client_id", "-occurred_at"]),
            models.Index(fields=["actor_id", "-occurred_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["hash"], name="core_auditevent_hash_unique")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_username} {self.action} {self.object_type} {self.object_id}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… for {self.practitioner}"
