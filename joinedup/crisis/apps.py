from django.apps import AppConfig, apps


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
        if apps.is_installed("joinedup.hospital"):
            # "Crisis first": an admission within 48 hours of a crisis is linked to it, from the feed.
            from joinedup.crisis.admissions import on_hospital_admissions
            from joinedup.hospital.hooks import on_admissions

            on_admissions(on_hospital_admissions)
        if apps.is_installed("joinedup.careplans"):
            # The MDT's agenda: crisis registers with careplans' registry, careplans knows no crisis (ADR 0040).
            from joinedup.careplans.agenda import AgendaSource, register_agenda_source
            from joinedup.crisis.agenda_sources import SOURCE, crises

            register_agenda_source(AgendaSource(SOURCE, "Crises", crises))
