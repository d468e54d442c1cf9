from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "joinedup.crisis"
    label = "crisis"
    verbose_name = "Crisis: urgent community response"

    def ready(self) -> None:
        from joinedup.core.access import register_relationship
        from joinedup.crisis.config import check_settings
        from joinedup.crisis.relationships import CrisisResponder

        check_settings()
        register_relationship(CrisisResponder())
