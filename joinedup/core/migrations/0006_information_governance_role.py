"""The information governance lead's role (ADR 0045): a Django group, as every role is (0004)."""

from django.db import migrations

ROLE = "information_governance_lead"


def forwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_chains")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
