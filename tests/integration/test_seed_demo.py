"""`joinedup seed-demo` and `joinedup demo-accounts`: the demo borough a newcomer signs in to."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from joinedup.clients.models import Accountability, Client, Need, TimelineEvent
from joinedup.clients.queries import accountability_violations
from joinedup.core.access import actor_for, relationship_to, visible_clients
from joinedup.core.audit import verify_chain
from joinedup.core.models import AuditEvent
from joinedup.core.nhs_number import is_valid
from joinedup.core.roles import Role
from joinedup.demo.loading import drawn_ahead
from joinedup.demo.population import SyntheticNhsNumbers
from joinedup.directory.models import (
    Locality,
    Organisation,
    OrganisationKind,
    Practitioner,
    Profession,
    Service,
    Team,
    TeamKind,
    TeamMembership,
)
from joinedup.tasks.models import Task

CLIENTS = 200
AS_OF = date(2025, 3, 14)


def seed(**options) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        clients=CLIENTS,
        seed=11,
        as_of=AS_OF.isoformat(),
        verbosity=0,
        stdout=out,
        **options,
    )
    return out.getvalue()


@pytest.fixture
def seeded(db) -> str:
    return seed()


def test_three_localities_each_with_practices_and_one_mdt(seeded):
    assert Locality.objects.count() == 3
    for locality in Locality.objects.all():
        practices = Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE, locality=locality).count()
        assert 2 <= practices <= 4
        assert Team.objects.filter(kind=TeamKind.MDT, locality=locality).count() == 1
        assert Team.objects.filter(service=Service.COMMUNITY_THERAPY, locality=locality).count() == 1
        assert locality.postcode_districts.startswith("XT")


def test_the_named_organisations_and_teams_exist(seeded):
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {
        OrganisationKind.ACUTE_TRUST,
        OrganisationKind.COMMUNITY_PROVIDER,
        OrganisationKind.MENTAL_HEALTH_TRUST,
        OrganisationKind.ADULT_SOCIAL_CARE,
        OrganisationKind.CHILDRENS_SERVICES,
        OrganisationKind.VOLUNTARY,
    } <= kinds
    assert all(code.startswith("X") for code in Organisation.objects.values_list("ods_code", flat=True))
    services = set(Team.objects.values_list("service", flat=True))
    assert {
        Service.RAPID_RESPONSE,
        Service.REABLEMENT,
        Service.MEMORY_SERVICE,
        Service.DISTRICT_NURSING,
        Service.BROKERAGE,
        Service.ADULT_SOCIAL_WORK,
        Service.COMMUNITY_MENTAL_HEALTH,
        Service.CHILDRENS_SOCIAL_WORK,
    } <= services


def test_every_team_has_a_duty_worker_and_a_manager_among_its_members(seeded):
    for team in Team.objects.all():
        members = set(TeamMembership.objects.filter(team=team).values_list("practitioner_id", flat=True))
        assert team.duty_worker_id in members, team.name
        assert team.manager_id in members, team.name


def test_about_fifty_practitioners_of_every_profession_and_role(seeded):
    assert 45 <= Practitioner.objects.count() <= 60
    professions = set(Practitioner.objects.values_list("profession", flat=True))
    assert {
        Profession.OCCUPATIONAL_THERAPIST,
        Profession.PHYSIOTHERAPIST,
        Profession.GP,
        Profession.DISTRICT_NURSE,
        Profession.COMMUNITY_NURSE,
        Profession.SOCIAL_WORKER,
        Profession.CARE_BROKER,
        Profession.MENTAL_HEALTH_PRACTITIONER,
        Profession.PHARMACIST,
        Profession.REABLEMENT_WORKER,
        Profession.SUPPORT_WORKER,
        Profession.COORDINATOR,
        Profession.MANAGER,
        Profession.COMMISSIONER,
        Profession.ADMINISTRATOR,
    } <= professions
    for role in Role:
        assert Practitioner.objects.filter(groups__name=role.value).exists(), role
    admin = Practitioner.objects.get(groups__name=Role.SYSTEM_ADMINISTRATOR.value)
    assert admin.is_staff and not admin.is_superuser


def test_every_seeded_client_has_someone_accountable(seeded):
    assert Client.objects.count() == CLIENTS
    assert accountability_violations() == []
    for client in Client.objects.select_related("accountable_team", "gp_practice"):
        assert Accountability.objects.filter(client=client, until__isnull=True).count() == 1
        assert client.holding_organisation_id == client.accountable_team.organisation_id
        assert client.locality_id == client.gp_practice.locality_id
        assert client.needs.count() >= 1


def test_history_and_timeline_are_in_the_past(seeded):
    assert Accountability.objects.filter(until__isnull=False).exists()
    assert not Accountability.objects.filter(since__date__gte=AS_OF).exists()
    assert not TimelineEvent.objects.filter(occurred_at__date__gte=AS_OF).exists()
    assert Task.objects.filter(owner_practitioner__isnull=False).exists()
    assert Task.objects.filter(owner_team__isnull=False).exists()


def test_nhs_numbers_are_valid_unique_and_synthetic(seeded):
    numbers = list(Client.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(n.startswith("999") and is_valid(n) for n in numbers)
    assert CLIENTS * 0.9 <= len(numbers) < CLIENTS


def test_synthetic_nhs_numbers_never_repeat():
    numbers = SyntheticNhsNumbers(random.Random(3))
    drawn = [numbers.next() for _ in range(20_000)]
    assert len(set(drawn)) == len(drawn)
    assert all(n is not None and is_valid(n) for n in drawn)


def test_one_audit_event_records_the_whole_seed(seeded):
    events = list(AuditEvent.objects.exclude(channel="hl7"))  # the demo hospital's messages, applied by the feed
    assert [(e.action, e.channel) for e in events] == [("seed", "system")]
    assert events[0].detail["clients"] == CLIENTS
    assert verify_chain().ok


def _digest() -> str:
    """The content of the seeded population, without database ids."""
    users = dict(Practitioner.objects.values_list("id", "username"))
    teams = dict(Team.objects.values_list("id", "name"))
    key = {
        c["id"]: (
            c["nhs_number"] or "",
            c["given_name"],
            c["family_name"],
            str(c["date_of_birth"]),
            c["address"],
        )
        for c in Client.objects.values()
    }
    rows = [
        sorted(
            (
                key[c["id"]],
                c["sex"],
                c["postcode"],
                c["phone"],
                c["consent_to_share"],
                c["status"],
                teams[c["accountable_team_id"]],
                users.get(c["lead_professional_id"], ""),
            )
            for c in Client.objects.values()
        )
    ]
    rows.append(
        sorted(
            (
                key[n.client_id],
                n.category,
                n.description,
                n.status,
                users[n.recorded_by_id],
                n.recorded_at.isoformat(),
            )
            for n in Need.objects.all()
        )
    )
    rows.append(
        sorted(
            (
                key[a.client_id],
                teams[a.team_id],
                users.get(a.lead_professional_id, ""),
                a.since.isoformat(),
                str(a.until),
                a.reason,
            )
            for a in Accountability.objects.all()
        )
    )
    rows.append(
        sorted((key[t.client_id], t.occurred_at.isoformat(), t.kind, t.summary) for t in TimelineEvent.objects.all())
    )
    rows.append(
        sorted(
            (
                key[t.client_id],
                t.title,
                users.get(t.owner_practitioner_id, ""),
                teams.get(t.owner_team_id, ""),
                t.due_at.isoformat(),
                t.status,
            )
            for t in Task.objects.all()
        )
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


class Discard(Exception):
    pass


def _seeded_digest(seed_number: int) -> str:
    try:
        with transaction.atomic():
            call_command(
                "seed_demo",
                clients=CLIENTS,
                seed=seed_number,
                as_of=AS_OF.isoformat(),
                verbosity=0,
                stdout=StringIO(),
            )
            digest = _digest()
            raise Discard
    except Discard:
        return digest


def test_the_same_seed_gives_the_same_borough(db):
    first, again, other = _seeded_digest(5), _seeded_digest(5), _seeded_digest(6)
    assert first == again
    assert first != other


def test_if_empty_does_nothing_the_second_time(seeded):
    clients, events = Client.objects.count(), AuditEvent.objects.count()
    output = seed(if_empty=True)
    assert "already seeded" in output
    assert (Client.objects.count(), AuditEvent.objects.count()) == (clients, events)


def test_seeding_twice_without_if_empty_is_refused(seeded):
    with pytest.raises(CommandError, match="already has localities"):
        seed()
    assert Client.objects.count() == CLIENTS


@pytest.mark.parametrize(
    "options, message",
    [
        ({"as_of": "14/03/2025"}, "--as-of must be a date"),
        ({"as_of": "2999-01-01"}, "cannot be in the future"),
        ({"clients": -1}, "--clients must be 0 or more"),
    ],
)
def test_bad_options_are_refused_and_change_nothing(db, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", verbosity=0, stdout=StringIO(), **options)
    assert not Locality.objects.exists()


@override_settings(JOINEDUP_ENV="production")
def test_never_seeds_demo_accounts_in_production(db):
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", clients=1, verbosity=0, stdout=StringIO())
    assert not Practitioner.objects.exists()


def test_demo_accounts_lists_an_occupational_therapist_with_a_locality(seeded):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    accounts = json.loads(out.getvalue())
    assert len(accounts) == Practitioner.objects.count()
    assert set(accounts[0]) == {
        "username",
        "name",
        "profession",
        "organisation",
        "teams",
        "locality",
        "roles",
    }
    therapists = [a for a in accounts if a["profession"] == "Occupational therapist" and a["locality"]]
    assert {a["locality"] for a in therapists} >= {"Northgate", "Southmere"}
    olivia = next(a for a in accounts if a["username"] == "olivia.ot")
    assert olivia["teams"] == ["Northgate Community Therapy"] and olivia["roles"] == ["practitioner"]


def test_demo_accounts_summary_says_where_and_how_to_sign_in(seeded, settings):
    out = StringIO()
    call_command("demo_accounts", summary=True, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/sign-in/" in text
    assert settings.JOINEDUP_DEMO_PASSWORD in text
    assert "olivia.ot" in text and "sam.ot" in text


def test_demo_accounts_can_sign_in_with_the_demo_password(seeded, settings, client):
    response = client.post("/sign-in/", {"username": "olivia.ot", "password": settings.JOINEDUP_DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


class _Postgres:
    vendor = "postgresql"


def test_batches_drawn_ahead_come_in_order_and_carry_errors_to_the_writer():
    assert list(drawn_ahead(_Postgres(), iter(range(50)))) == list(range(50))

    def broken():
        yield 1
        raise ValueError("drawing failed")

    with pytest.raises(ValueError, match="drawing failed"):
        list(drawn_ahead(_Postgres(), broken()))
    first_two = drawn_ahead(_Postgres(), iter(range(1000)))
    assert [next(first_two), next(first_two)] == [0, 1]
    first_two.close()  # the writer gave up: the drawing thread stops too


def test_the_demo_story_olivia_sees_her_clients_and_sam_is_refused(seeded):
    olivia = actor_for(Practitioner.objects.get(username="olivia.ot"))
    sam = actor_for(Practitioner.objects.get(username="sam.ot"))
    hers = visible_clients(olivia).filter(accountable_team__name="Northgate Community Therapy")
    assert hers.exists()
    client = hers.first()
    assert relationship_to(olivia, client) is not None
    assert relationship_to(sam, client) is None
    assert not visible_clients(sam).filter(pk=client.pk).exists()


def test_the_crisis_pathway_is_seeded_with_rotas_and_a_year_of_crises_after_each_birth(seeded):
    from django.db.models import F

    from joinedup.crisis.models import OPEN_STATES, Crisis, Rota, RotaShift

    assert Rota.objects.count() == 6 and RotaShift.objects.exists()
    assert Crisis.objects.count() >= CLIENTS // 10
    assert Crisis.objects.filter(state__in=OPEN_STATES).exists()
    assert not Crisis.objects.filter(raised_at__date__lt=F("client__date_of_birth")).exists()
    assert not Crisis.objects.exclude(state__in=OPEN_STATES).filter(resolved_at__isnull=True).exists()
    assert accountability_violations() == []
