from django.apps import AppConfig, apps


class HospitalConfig(AppConfig):
    name = "joinedup.hospital"
    label = "hospital"
    verbose_name = "Hospital feed"

    def ready(self) -> None:
        # A wrong follow-up rule stops start-up here, with the file, line and reason.
        from joinedup.core.subject_access import register_person_field
        from joinedup.hospital import config

        config.rule_set()
        # A message held as received (a feed exception, say) may name a person it was never matched to.
        register_person_field("hospital.FeedMessage", "raw", "mentions_nhs_number")
        if apps.is_installed("joinedup.careplans"):
            # The MDT's agenda: hospital registers with careplans' registry, careplans knows no hospital (ADR 0040).
            from joinedup.careplans.agenda import AgendaSource, register_agenda_source
            from joinedup.hospital.agenda_sources import SOURCE, readmissions_and_bounces

            register_agenda_source(AgendaSource(SOURCE, "Readmissions and bounces", readmissions_and_bounces))
