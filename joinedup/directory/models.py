"""The directory: who works where, in which teams, in which localities."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from joinedup.directory.rules import COMPETENCY_LABELS, COURSE_LABELS


class Sector(models.TextChoices):
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    VOLUNTARY = "voluntary", "Voluntary"
    HOUSING = "housing", "Housing"


class OrganisationKind(models.TextChoices):
    ACUTE_TRUST = "acute_trust", "Acute hospital trust"
    COMMUNITY_PROVIDER = "community_provider", "Community health provider"
    MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental health trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    ADULT_SOCIAL_CARE = "adult_social_care", "Council adult social care"
    CHILDRENS_SERVICES = "childrens_services", "Council children's services"
    VOLUNTARY = "voluntary", "Voluntary organisation"
    HOUSING = "housing", "Housing provider"
    OTHER = "other", "Other"


class Locality(models.Model):
    """An area of the borough, defined by its GP practices (and postcode districts)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    postcode_districts = models.CharField(
        max_length=400, blank=True, help_text="Comma-separated districts, e.g. 'NW10, NW6'"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    ods_code = models.CharField("ODS code", max_length=12, unique=True)
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    # A GP practice belongs to one locality: a client's locality follows their practice.
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="gp_practices")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="gp_practice") | Q(locality__isnull=False),
                name="gp_practice_has_locality",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"


class Profession(models.TextChoices):
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    GP = "gp", "GP"
    DISTRICT_NURSE = "district_nurse", "District nurse"
    COMMUNITY_NURSE = "community_nurse", "Community nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CARE_BROKER = "care_broker", "Care broker"
    MENTAL_HEALTH_PRACTITIONER = "mental_health_practitioner", "Mental health practitioner"
    PHARMACIST = "pharmacist", "Pharmacist"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    REABLEMENT_WORKER = "reablement_worker", "Reablement worker"
    SUPPORT_WORKER = "support_worker", "Support worker"
    HOUSING_OFFICER = "housing_officer", "Housing officer"
    COORDINATOR = "coordinator", "Care coordinator"
    MANAGER = "manager", "Manager"
    COMMISSIONER = "commissioner", "Commissioner"
    ADMINISTRATOR = "administrator", "Administrator"


def new_access_version() -> int:
    return secrets.randbits(62)


class Practitioner(AbstractUser):
    """A user of JoinedUp. Roles are Django groups named after joinedup.core.roles.Role."""

    profession = models.CharField(max_length=40, choices=Profession.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Optional, and used only to compare with the records a practitioner opens (staff looking at a client
    # of their own surname and address raise an access alert, ADR 0045). Nullable so that SQLite adds the
    # columns in place: rebuilding the table would drop its access_version trigger.
    home_address = models.CharField(max_length=300, null=True, blank=True)
    home_postcode = models.CharField(max_length=10, null=True, blank=True)
    # Changes to a new random value, by database triggers, whenever what the access policy knows of this
    # practitioner changes (teams, their kind or locality, roles, organisation code): a cached Actor is
    # valid exactly while it stays the same (ADR 0031).
    access_version = models.BigIntegerField(default=new_access_version, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class TeamKind(models.TextChoices):
    MDT = "mdt", "Locality MDT"
    SERVICE = "service", "Service team"


class Service(models.TextChoices):
    MDT = "mdt", "Multidisciplinary team"
    RAPID_RESPONSE = "rapid_response", "Rapid response"
    REABLEMENT = "reablement", "Reablement"
    MEMORY_SERVICE = "memory_service", "Memory service"
    DISTRICT_NURSING = "district_nursing", "District nursing"
    BROKERAGE = "brokerage", "Brokerage"
    ADULT_SOCIAL_WORK = "adult_social_work", "Adult social work"
    CHILDRENS_SOCIAL_WORK = "childrens_social_work", "Children's social work"
    COMMUNITY_MENTAL_HEALTH = "community_mental_health", "Community mental health"
    COMMUNITY_THERAPY = "community_therapy", "Community therapy"
    PRIMARY_CARE = "primary_care", "Primary care"
    SOCIAL_PRESCRIBING = "social_prescribing", "Social prescribing"
    INTEGRATION = "integration", "Integration"
    OTHER = "other", "Other"


class Team(models.Model):
    """An MDT in a locality or a service team; members may come from several organisations."""

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=10, choices=TeamKind.choices)
    service = models.CharField(max_length=40, choices=Service.choices, default=Service.OTHER)
    locality = models.ForeignKey(
        Locality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text="Empty for a borough-wide team",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hosted_teams",
        help_text="The organisation that hosts the team",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Answers for clients of the team who have no named lead professional.
    duty_worker = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="duty_teams"
    )
    manager = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="mdt") | Q(locality__isnull=False), name="mdt_has_locality"),
            models.UniqueConstraint(fields=["locality"], condition=Q(kind="mdt"), name="one_mdt_per_locality"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="memberships")
    role_in_team = models.CharField(max_length=80, blank=True)
    since = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["team__name", "practitioner__last_name"]
        constraints = [models.UniqueConstraint(fields=["team", "practitioner"], name="one_membership_per_team")]
        indexes = [models.Index(fields=["practitioner", "team"])]

    def __str__(self) -> str:
        return f"{self.practitioner} in {self.team}"


# --- Training and competencies (directory.rules holds what they mean) ------------------------


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


class TrainingRecord(models.Model):
    """A course a practitioner completed, and when it stops being in date (null: it does not expire)."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=40, choices=_choices(COURSE_LABELS))
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    evidence = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(Practitioner, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["practitioner", "course", "-completed_on"]
        indexes = [models.Index(fields=["practitioner", "course"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("completed_on")),
                name="training_expires_after_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_course_display()} ({self.completed_on:%Y-%m-%d})"


class Competency(models.Model):
    """A competency granted to a practitioner with its evidence, such as "trusted assessor: equipment"."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="competencies")
    kind = models.CharField(max_length=40, choices=_choices(COMPETENCY_LABELS))
    hours_limit = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, help_text="Package of care: up to this many hours a week"
    )
    evidence = models.TextField()
    granted_on = models.DateField()
    expires_on = models.DateField()
    granted_by = models.ForeignKey(Practitioner, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["practitioner", "kind", "-granted_on"]
        verbose_name_plural = "competencies"
        indexes = [models.Index(fields=["practitioner", "kind", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("granted_on")), name="competency_expires_after_grant"
            ),
            models.CheckConstraint(
                condition=~Q(kind="trusted_assessor_package_of_care") | Q(hours_limit__gt=0),
                name="package_of_care_competency_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.practitioner_id}, until {self.expires_on:%Y-%m-%d})"
