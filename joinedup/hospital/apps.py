from django.apps import AppConfig


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
