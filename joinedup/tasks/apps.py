from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "joinedup.tasks"
    label = "tasks"
    verbose_name = "Tasks and notifications"

    def ready(self) -> None:
        from joinedup.core.access import register_relationship
        from joinedup.tasks.relationships import TaskOwner

        for relationship in (TaskOwner(),):
            register_relationship(relationship)
