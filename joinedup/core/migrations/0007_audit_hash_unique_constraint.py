"""The audit hash stays unique through a constraint instead of `unique=True`, which on PostgreSQL also
built a varchar_pattern_ops index for LIKE queries nobody makes: one index fewer on every audit write
(ADR 0047).

On SQLite, Django alters the field by rebuilding the table, and the append-only triggers go with it:
they are put back straight after, as in 0005.
"""

from django.db import migrations, models

from joinedup.core.migrations._audit_triggers import restore_sqlite_triggers


class Migration(migrations.Migration):
    dependencies = [("core", "0006_information_governance_role")]

    operations = [
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64)),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("hash",), name="core_auditevent_hash_unique"),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
