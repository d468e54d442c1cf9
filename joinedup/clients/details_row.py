"""The row of the API's client read: the client, what its answer names, and the open accountability.

One statement, written out (ADR 0048): the ORM's select_related of six relations with only() cost
about 1.5 ms of CPU to build per read, more than PostgreSQL took to run it, and the open
accountability was a second round trip. The instances are those the ORM would build (the same
fields loaded, the relations cached): `tests/integration/test_client_details_row.py` compares them,
and the API's answer made from them, with the ORM's.

This module only fetches: `clients.queries.client_details` asks the access policy about the client
and audits the read before anything is shown.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from joinedup.clients.models import Accountability, Client
from joinedup.core.rows import Columns, relate, split
from joinedup.directory.models import Locality, Organisation, Practitioner, Team

_PERSON = ("id", "first_name", "last_name", "username")
CLIENT = Columns(Client, [f.name for f in Client._meta.concrete_fields if f.name not in ("created_at", "updated_at")])
TEAM = Columns(Team, ("id", "name", "duty_worker"))
DUTY_WORKER = Columns(Practitioner, _PERSON)
LEAD = Columns(Practitioner, _PERSON)
GP_PRACTICE = Columns(Organisation, ("id", "ods_code"))
LOCALITY = Columns(Locality, ("id", "code", "name"))
HOLDING = Columns(Organisation, ("id", "ods_code"))
OPEN_ACCOUNTABILITY = Columns(Accountability, ("since", "reason"))
PARTS = (CLIENT, TEAM, DUTY_WORKER, LEAD, GP_PRACTICE, LOCALITY, HOLDING, OPEN_ACCOUNTABILITY)


@cache
def _sql(vendor: str) -> str:
    quote = connection.ops.quote_name

    def table(model: Any) -> str:
        return quote(model._meta.db_table)

    def column(model: Any, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    select = ", ".join(
        part.select(alias) for part, alias in zip(PARTS, ("c", "t", "d", "l", "g", "loc", "h", "a"), strict=True)
    )
    # Inner joins for the relations that cannot be NULL, outer for the others, as select_related
    # does; at most one open accountability per client (the one_open_accountability constraint).
    return (
        f"SELECT {select} FROM {table(Client)} c "  # noqa: S608
        f"INNER JOIN {table(Team)} t ON t.id = c.{column(Client, 'accountable_team')} "
        f"LEFT OUTER JOIN {table(Practitioner)} d ON d.id = t.{column(Team, 'duty_worker')} "
        f"LEFT OUTER JOIN {table(Practitioner)} l ON l.id = c.{column(Client, 'lead_professional')} "
        f"LEFT OUTER JOIN {table(Organisation)} g ON g.id = c.{column(Client, 'gp_practice')} "
        f"INNER JOIN {table(Locality)} loc ON loc.id = c.{column(Client, 'locality')} "
        f"INNER JOIN {table(Organisation)} h ON h.id = c.{column(Client, 'holding_organisation')} "
        f"LEFT OUTER JOIN {table(Accountability)} a "
        f"ON a.{column(Accountability, 'client')} = c.id AND a.{column(Accountability, 'until')} IS NULL "
        "WHERE c.id = %s"
    )


def details_row(client_id: int) -> tuple[Client, datetime | None, str] | None:
    """The client (with its team and duty worker, lead, practice, locality and holding organisation)
    and its open accountability's since and reason; None if there is no such client."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor), [client_id])
        row = cursor.fetchone()
    if row is None:
        return None
    client_part, team_part, duty_part, lead_part, gp_part, locality_part, holding_part, open_part, _ = split(
        row, *PARTS
    )
    client = CLIENT.instance(client_part)
    team = TEAM.instance(team_part)
    relate(team, "duty_worker", DUTY_WORKER.instance(duty_part))
    relate(client, "accountable_team", team)
    relate(client, "lead_professional", LEAD.instance(lead_part))
    relate(client, "gp_practice", GP_PRACTICE.instance(gp_part))
    relate(client, "locality", LOCALITY.instance(locality_part))
    relate(client, "holding_organisation", HOLDING.instance(holding_part))
    current = OPEN_ACCOUNTABILITY.named(open_part)
    return client, current["since"], current["reason"] or ""
