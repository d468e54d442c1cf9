from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "joinedup.careplans"
    label = "careplans"
    verbose_name = "Care plans, visits and MDT meetings"

    def ready(self) -> None:
        from joinedup.careplans.agenda import register_own_sources
        from joinedup.careplans.relationships import CareTeam
        from joinedup.core.access import register_relationship

        register_relationship(CareTeam())
        register_own_sources()
