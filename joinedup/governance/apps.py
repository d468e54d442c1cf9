from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class GovernanceConfig(AppConfig):
    name = "joinedup.governance"
    label = "governance"
    verbose_name = "Information governance: access alerts"

    def ready(self) -> None:
        # A wrong number would silence the alerts, or raise one for every look: refuse to start.
        if settings.JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY < 1:
            raise ImproperlyConfigured("JOINEDUP_ACCESS_ALERT_VIEWS_PER_DAY must be 1 or more")
        if settings.JOINEDUP_ACCESS_ALERT_SETTLE_MINUTES < 1:
            raise ImproperlyConfigured("JOINEDUP_ACCESS_ALERT_SETTLE_MINUTES must be 1 or more")
