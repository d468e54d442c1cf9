"""One Django group per role of joinedup.core.roles.Role."""

from django.db import migrations

ROLES = ["practitioner", "support_worker", "team_manager", "mdt_coordinator", "on_call", "commissioner",
         "system_administrator"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
