from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "joinedup.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from joinedup.core import database  # noqa: F401  (connects the SQLite checks)
