"""Several hash chains in the audit log (ADR 0030): a chain number on each row, and an index to walk each chain.

On SQLite, Django adds a NOT NULL column by rebuilding the table, and the old table's
triggers go with it: the append-only triggers of 0003 are put back straight after.
"""

from django.db import migrations, models

from joinedup.core.migrations._audit_triggers import restore_sqlite_triggers

class Migration(migrations.Migration):
    dependencies = [("core", "0004_roles")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["chain", "id"], name="core_audit_chain_id"),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
