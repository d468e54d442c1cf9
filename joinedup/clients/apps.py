from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "joinedup.clients"
    label = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from joinedup.clients.relationships import AccountableTeam, LocalityMdt
        from joinedup.core.access import register_relationship

        for relationship in (
            AccountableTeam(),
            LocalityMdt(),
        ):
            register_relationship(relationship)
