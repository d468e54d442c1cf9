import importlib

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from joinedup.core.roles import Role
from tests.hospital_factories import Feed, feed_for, feed_settings

append_only = importlib.import_module("joinedup.core.migrations.0003_audit_append_only")


@pytest.fixture
def feed(b) -> Feed:
    with feed_settings:
        yield feed_for(b)


@pytest.fixture
def audit_guards_back(django_db_blocker):
    """After the test's database is emptied: the append-only guards again, for the tests that follow."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in append_only.SQLITE:
                cursor.execute(statement)
        else:
            cursor.execute(f"ALTER TABLE {append_only.TABLE} ENABLE TRIGGER USER")


@pytest.fixture
def committed_db(audit_guards_back, transactional_db):
    """Data the readers' own connections can see; at the end the audit log may be emptied with the rest.

    Another committing test before this one (pytest-django runs them last) emptied the database,
    the roles' groups that a migration makes included: they are made again.
    """
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in append_only.SQLITE_REVERSE:
                cursor.execute(statement)
        else:
            cursor.execute(f"ALTER TABLE {append_only.TABLE} DISABLE TRIGGER USER")
