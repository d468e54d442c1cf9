"""Practitioner.access_version, and the triggers that change it (ADR 0031).

Whatever changes what the access policy knows of a practitioner (a team membership
added, changed or removed; a role given or taken; a team's kind or locality; a role's
name; their organisation's ODS code) gives the practitioner a new random
access_version, in the same statement, whichever code made the change: the admin,
a service, a data migration, or SQL typed at a prompt.
"""

from django.db import migrations, models

import joinedup.directory.models

P = "directory_practitioner"
MEMBERSHIP = "directory_teammembership"
ROLES = "directory_practitioner_groups"

# A random 62-bit value (SQLite's random() is 64-bit; the sign does not matter).
SQLITE_NEW = "random()"
POSTGRES_NEW = "floor(random() * 4611686018427387904)::bigint"


def _bump(new: str, where: str) -> str:
    return f"UPDATE {P} SET access_version = {new} WHERE {where};"


def _members_of_team(new: str) -> str:
    return _bump(new, f"id IN (SELECT practitioner_id FROM {MEMBERSHIP} WHERE team_id = NEW.id)")


def _holders_of_role(new: str) -> str:
    return _bump(new, f"id IN (SELECT practitioner_id FROM {ROLES} WHERE group_id = NEW.id)")


def _sqlite() -> list[str]:
    new = SQLITE_NEW
    statements = []
    for table in (MEMBERSHIP, ROLES):
        name = table.removeprefix("directory_")
        statements += [
            f"CREATE TRIGGER access_{name}_insert AFTER INSERT ON {table} "
            f"BEGIN {_bump(new, 'id = NEW.practitioner_id')} END;",
            f"CREATE TRIGGER access_{name}_delete AFTER DELETE ON {table} "
            f"BEGIN {_bump(new, 'id = OLD.practitioner_id')} END;",
            f"CREATE TRIGGER access_{name}_update AFTER UPDATE ON {table} "
            f"BEGIN {_bump(new, 'id IN (NEW.practitioner_id, OLD.practitioner_id)')} END;",
        ]
    return [
        *statements,
        f"CREATE TRIGGER access_team_update AFTER UPDATE OF kind, locality_id ON directory_team "
        f"BEGIN {_members_of_team(new)} END;",
        f"CREATE TRIGGER access_organisation_update AFTER UPDATE OF ods_code ON directory_organisation "
        f"BEGIN {_bump(new, 'organisation_id = NEW.id')} END;",
        f"CREATE TRIGGER access_role_update AFTER UPDATE OF name ON auth_group BEGIN {_holders_of_role(new)} END;",
    ]


def _postgres() -> list[str]:
    new = POSTGRES_NEW
    return [
        f"""CREATE FUNCTION access_bump_practitioner() RETURNS trigger AS $$
        BEGIN
          IF TG_OP <> 'DELETE' THEN {_bump(new, "id = NEW.practitioner_id")} END IF;
          IF TG_OP <> 'INSERT' THEN {_bump(new, "id = OLD.practitioner_id")} END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql;""",
        f"""CREATE FUNCTION access_bump_team_members() RETURNS trigger AS $$
        BEGIN {_members_of_team(new)} RETURN NULL; END; $$ LANGUAGE plpgsql;""",
        f"""CREATE FUNCTION access_bump_organisation_staff() RETURNS trigger AS $$
        BEGIN {_bump(new, "organisation_id = NEW.id")} RETURN NULL; END; $$ LANGUAGE plpgsql;""",
        f"""CREATE FUNCTION access_bump_role_holders() RETURNS trigger AS $$
        BEGIN {_holders_of_role(new)} RETURN NULL; END; $$ LANGUAGE plpgsql;""",
        f"CREATE TRIGGER access_membership AFTER INSERT OR UPDATE OR DELETE ON {MEMBERSHIP} "
        "FOR EACH ROW EXECUTE FUNCTION access_bump_practitioner();",
        f"CREATE TRIGGER access_roles AFTER INSERT OR UPDATE OR DELETE ON {ROLES} "
        "FOR EACH ROW EXECUTE FUNCTION access_bump_practitioner();",
        "CREATE TRIGGER access_team AFTER UPDATE OF kind, locality_id ON directory_team "
        "FOR EACH ROW EXECUTE FUNCTION access_bump_team_members();",
        "CREATE TRIGGER access_organisation AFTER UPDATE OF ods_code ON directory_organisation "
        "FOR EACH ROW EXECUTE FUNCTION access_bump_organisation_staff();",
        "CREATE TRIGGER access_role AFTER UPDATE OF name ON auth_group "
        "FOR EACH ROW EXECUTE FUNCTION access_bump_role_holders();",
    ]


def _drop_sqlite() -> list[str]:
    names = [f"access_{t}_{op}" for t in ("teammembership", "practitioner_groups") for op in ("insert", "delete", "update")]
    names += ["access_team_update", "access_organisation_update", "access_role_update"]
    return [f"DROP TRIGGER IF EXISTS {name};" for name in names]


def _drop_postgres() -> list[str]:
    triggers = [
        ("access_membership", MEMBERSHIP),
        ("access_roles", ROLES),
        ("access_team", "directory_team"),
        ("access_organisation", "directory_organisation"),
        ("access_role", "auth_group"),
    ]
    functions = [
        "access_bump_practitioner",
        "access_bump_team_members",
        "access_bump_organisation_staff",
        "access_bump_role_holders",
    ]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table};" for name, table in triggers] + [
        f"DROP FUNCTION IF EXISTS {name}();" for name in functions
    ]


def forwards(apps, schema_editor):
    for statement in _sqlite() if schema_editor.connection.vendor == "sqlite" else _postgres():
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in _drop_sqlite() if schema_editor.connection.vendor == "sqlite" else _drop_postgres():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="practitioner",
            name="access_version",
            field=models.BigIntegerField(default=joinedup.directory.models.new_access_version, editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
