"""Clients and what is recorded about them. Writes go through clients.services only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.core.nhs_number import formatted
from joinedup.directory.models import Locality, Organisation, Team


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "No longer receiving care"
    DECEASED = "deceased", "Deceased"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class ConsentToShare(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_ASKED = "not_asked", "Not yet asked"


class Client(models.Model):
    nhs_number = models.CharField("NHS number", max_length=10, null=True, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    gp_practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="registered_clients"
    )
    # Follows the GP practice; kept on the row because every scoped query filters on it.
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="clients")
    # The organisation that holds the record: the only one to see it when consent is refused.
    holding_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="held_clients")
    status = models.CharField(max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    consent_to_share = models.CharField(max_length=10, choices=ConsentToShare.choices, default=ConsentToShare.NOT_ASKED)
    # The current accountability, mirrored from the open Accountability row (services keep both).
    accountable_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="accountable_for")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_for"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=Q(nhs_number__isnull=False), name="unique_nhs_number"
            ),
            models.CheckConstraint(
                condition=Q(nhs_number__isnull=True) | Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="nhs_number_ten_digits",
            ),
        ]
        indexes = [
            models.Index(fields=["accountable_team", "family_name", "given_name"]),
            models.Index(fields=["lead_professional", "family_name"]),
            models.Index(fields=["locality", "family_name"]),
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name.upper()}"

    @property
    def nhs_number_display(self) -> str:
        return formatted(self.nhs_number) if self.nhs_number else "Not yet known"


class NeedCategory(models.TextChoices):
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    COGNITION = "cognition", "Cognition and dementia"
    PERSONAL_CARE = "personal_care", "Personal care"
    HOUSING = "housing", "Housing"
    CARER = "carer", "Carer"
    SAFEGUARDING = "safeguarding", "Safeguarding"


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"


class Need(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="needs")
    category = models.CharField(max_length=20, choices=NeedCategory.choices)
    description = models.TextField()
    status = models.CharField(max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:60]}"


class ConsentDecision(models.Model):
    """Each decision about consent to share; the newest one is the client's current choice."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consent_decisions")
    decision = models.CharField(max_length=10, choices=ConsentToShare.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["client", "-recorded_at"])]

    def __str__(self) -> str:
        return f"Consent to share {self.get_decision_display().lower()}"


class Accountability(models.Model):
    """Which team, and which lead professional in it, answers for the client, since when and why.

    Exactly one row per client is open (until is null): the database enforces it.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="accountabilities")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(until__isnull=True), name="one_open_accountability"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="accountability_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} since {self.since:%Y-%m-%d}"


class TimelineEvent(models.Model):
    """One line of the client's story, written by whichever part of JoinedUp it came from."""

    # Indexed as the first column of (client, -occurred_at): a second index on it alone cost every write.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="timeline", db_index=False)
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=60)
    summary = models.CharField(max_length=500)
    source = models.CharField(max_length=60, help_text="The part of JoinedUp that wrote it")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The record this line is about (a need, a consent decision, a task...), for links.
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["client", "-occurred_at"])]

    def __str__(self) -> str:
        return self.summary


class EmergencyAccess(models.Model):
    """Audited, time-limited access to a record outside one's relationships ("break glass")."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["practitioner", "client", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("started_at")), name="expires_after_start")
        ]

    def __str__(self) -> str:
        return f"Emergency access by {self.practitioner_id} to {self.client_id}"


class Flag(models.Model):
    """Something everyone working with the client should see at once ("dementia, newly diagnosed",
    "bounced back into hospital"...), raised by a person or by a part of JoinedUp, open until closed."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="flags")
    code = models.SlugField(max_length=60, help_text="What kind of flag: dementia-new, bounce, crisis...")
    text = models.CharField(max_length=300)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The part of JoinedUp that raised it ("hospital", "clients"...) and what raised it, for links.
    source = models.CharField(max_length=60)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["client", "closed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "code"], condition=Q(closed_at__isnull=True), name="one_open_flag"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | (Q(closed_at__gte=models.F("raised_at")) & ~Q(close_reason="")),
                name="closed_flag_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
