from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "joinedup.handover"
    label = "handover"
    verbose_name = "Handover: referrals and disputes"

    def ready(self) -> None:
        from joinedup.core.access import register_relationship
        from joinedup.handover.config import check_settings
        from joinedup.handover.relationships import OpenReferral

        check_settings()
        register_relationship(OpenReferral())
