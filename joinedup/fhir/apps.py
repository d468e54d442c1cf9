from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "joinedup.fhir"
    label = "fhir"
    verbose_name = "FHIR R4 interface"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from joinedup.fhir.mappers import register_all

        register_all()
