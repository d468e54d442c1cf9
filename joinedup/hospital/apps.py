from django.apps import AppConfig


class HospitalConfig(AppConfig):
    name = "joinedup.hospital"
    label = "hospital"
    verbose_name = "Hospital feed"

    def ready(self) -> None:
        # A wrong follow-up rule stops start-up here, with the file, line and reason.
        from joinedup.hospital import config

        config.rule_set()
