"""Access alerts raised from the audit log, and how far the scan has read it (ADR 0045)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.clients.models import Client
from joinedup.directory.models import Organisation
from joinedup.governance.rules import AlertRule, AlertStatus


class AccessAlert(models.Model):
    """A look at a client's record that an information governance lead should review.

    One per use of emergency access (by its audit event); one per rule, practitioner, client and
    London day for the others, so that scanning the same events again raises nothing new.
    """

    rule = models.CharField(max_length=30, choices=[(r.value, r.label) for r in AlertRule])
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="access_alerts")
    # Who reviews it: the information governance leads of the practitioner's employer and of the
    # organisation holding the record, as they were when the alert was raised.
    staff_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holding_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(help_text="The London day of the access")
    audit_event_id = models.BigIntegerField(help_text="The audit event that raised it")
    occurred_at = models.DateTimeField(help_text="When that event happened")
    raised_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=15, choices=[(s.value, s.value.capitalize()) for s in AlertStatus], default=AlertStatus.OPEN
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledge_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit_event_id"],
                condition=Q(rule=AlertRule.EMERGENCY_ACCESS),
                name="one_alert_per_emergency_access",
            ),
            models.UniqueConstraint(
                fields=["rule", "practitioner", "client", "day"],
                condition=~Q(rule=AlertRule.EMERGENCY_ACCESS),
                name="one_alert_per_rule_person_client_day",
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.CLOSED) | Q(closed_at__isnull=False, closed_by__isnull=False),
                name="closed_alert_says_by_whom",
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                name="acknowledged_alert_says_when",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-occurred_at"]),
            models.Index(fields=["staff_organisation", "status"]),
            models.Index(fields=["holding_organisation", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} by {self.practitioner_id} on {self.client_id} ({self.day})"

    @property
    def rule_label(self) -> str:
        return AlertRule(self.rule).label


class AlertScan(models.Model):
    """How far the scan has read the audit log: every event up to `last_event_id` has been looked at.

    One row. It stays a settling time behind the newest event, so that an event whose transaction
    commits after a later one's is still read (ADR 0045).
    """

    last_event_id = models.BigIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"scanned to audit event {self.last_event_id}"
