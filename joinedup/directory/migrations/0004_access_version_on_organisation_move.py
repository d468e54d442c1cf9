"""A practitioner moved to another organisation gets a new access_version (ADR 0031).

The Actor cache's key holds the organisation's id but not its ODS code. Without this trigger, a
practitioner who moves away from an organisation, whose ODS code then changes, and who moves back,
comes back to the key of the Actor cached before the change, with the old ODS code (found by the
state machine in tests/integration/test_actor_cache.py). Moving gives a new random version.
"""

from django.db import migrations

SQLITE = """
CREATE TRIGGER access_practitioner_organisation AFTER UPDATE OF organisation_id ON directory_practitioner
WHEN OLD.organisation_id IS NOT NEW.organisation_id
BEGIN UPDATE directory_practitioner SET access_version = random() WHERE id = NEW.id; END;
"""
POSTGRES = [
    """CREATE FUNCTION access_bump_on_organisation_move() RETURNS trigger AS $$
    BEGIN NEW.access_version := floor(random() * 4611686018427387904)::bigint; RETURN NEW; END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER access_practitioner_organisation BEFORE UPDATE OF organisation_id ON directory_practitioner
    FOR EACH ROW WHEN (OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION access_bump_on_organisation_move();""",
]


def forwards(apps, schema_editor):
    for statement in [SQLITE] if schema_editor.connection.vendor == "sqlite" else POSTGRES:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS access_practitioner_organisation;")
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS access_practitioner_organisation ON directory_practitioner;")
    schema_editor.execute("DROP FUNCTION IF EXISTS access_bump_on_organisation_move();")


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_training_and_competencies")]

    operations = [migrations.RunPython(forwards, backwards)]
