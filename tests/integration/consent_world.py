"""A borough where clients are linked to people of other organisations by every channel JoinedUp has,
and a sweep that asks every page, API and FHIR route what each of those people can see.

Used by test_consent_channels.py: a client who refuses consent to share is seen only inside the
holding organisation (core.access: relationships count there only), or through emergency access.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.test import Client as Browser
from django.utils import timezone

from joinedup.careplans.models import AgendaItem, CareTeamMember, Visit
from joinedup.careplans.services.care_team import add_member
from joinedup.careplans.services.meetings import add_client, open_occurrence
from joinedup.careplans.services.plans import InterventionIn, PlanChanges, create_plan
from joinedup.careplans.services.visits import NewVisit, book_visit
from joinedup.clients.flags import raise_flag
from joinedup.clients.models import Client
from joinedup.clients.services import record_consent, record_need, use_emergency_access
from joinedup.core.tokens import create_token
from joinedup.crisis.actions import NewAction, add_action
from joinedup.crisis.models import Crisis, CrisisAction, Rota, RotaShift
from joinedup.directory.models import Practitioner
from joinedup.fhir.registry import mappers
from joinedup.governance.scan import scan as scan_for_access_alerts
from joinedup.handover.models import Referral
from joinedup.handover.services import decline_referral
from joinedup.tasks.models import Task
from joinedup.tasks.services import create_task
from tests.careplan_factories import goal, series_for
from tests.crisis_factories import crisis_setup, raised
from tests.factories import VALID_NHS_NUMBERS, Borough, client_in
from tests.handover_factories import mental_health_team, sent_referral
from tests.hl7_messages import Adt, Patient
from tests.hospital_factories import Feed, feed_for
from tests.integration.test_access_matrix import PARAM, REGEX_GROUP, api_methods, routes

# Ways a client comes to people of other organisations (the holder is the community provider).
LINKS = ("task", "referral", "care_team", "plan", "visit", "crisis", "hospital", "meeting", "flag", "dispute")
# People of other organisations than the community provider, each reached by some link.
OUTSIDERS = ("sw.council", "mh.duty", "gp.north", "mdt.gp.north", "memory.nurse", "edt.sw", "broker")
HOLDER = "ot.north"
# Routes that are not about clients, or that a sweep cannot ask (with why).
NOT_SWEPT = {
    "sign-out": "a POST",
    "admin:": "the Django admin refuses client records to everyone (access matrix)",
}
# Parameters of list routes that name a client or a search: "@name", "@nhs", "@id" are the client's.
QUERIES = {
    "client-search": ["?nhs_number=@nhs", "?family_name=@name"],
    "api:search_clients": ["?nhs_number=@nhs", "?family_name=@name"],
    "api:read_plan": ["?client_id=@id"],
    "api:calendar": ["?client_id=@id", ""],
    "api:duplicate_check": ["?client_id=@id&assessment=falls&day=@today&organisation_id=@org"],
    "api:prefill": ["?client_id=@id"],
    "api:list_tasks": ["", "?include_closed=true"],
    "api:list_crises": ["?include_closed=true"],
    "crisis-new": ["?client=@id"],
    "client-visits": ["", "?week=@today"],
}


@dataclass(eq=False)
class Made:
    """One client of the world and what links them to other organisations."""

    client: Client
    consent: str
    links: frozenset[str]
    family: str
    nhs: str
    values: dict[str, Any] = field(default_factory=dict)  # route parameters of this client's objects


@dataclass
class World:
    b: Borough
    feed: Feed
    made: list[Made]
    browsers: dict[str, Browser]
    tokens: dict[str, str]
    emergency: set[tuple[str, int]]  # (username, client id) with a live grant
    series: Any  # the North MDT's meetings


def build(b: Borough, specs: list[tuple[str, frozenset[str], bool]], emergency: list[tuple[str, int]]) -> World:
    """Clients from (consent, links, consent recorded before the links?); then emergency grants."""
    feed = feed_for(b)
    crisis_setup(b)
    mental_health_team(b)
    series = series_for(b)
    made = []
    for index, (consent, links, consent_first) in enumerate(specs):
        family = f"Quillfeather{'ABCDEFGH'[index]}"
        client = client_in(b, nhs_number=VALID_NHS_NUMBERS[index], family_name=family)
        one = Made(client, consent, links, family, VALID_NHS_NUMBERS[index])
        if consent_first:
            record_consent(b.actor(HOLDER), client.pk, consent)
        _link(b, feed, series, one)
        if not consent_first:
            record_consent(b.actor(HOLDER), client.pk, consent)
        made.append(one)
    granted = set()
    for username, index in emergency:
        if index < len(made) and (username, made[index].client.pk) not in granted:
            use_emergency_access(b.actor(username), made[index].client.pk, "Called by the ambulance crew at night")
            granted.add((username, made[index].client.pk))
    scan_for_access_alerts()  # each emergency access: an access alert about the client (for IG leads only)
    for one in made:
        one.client.refresh_from_db()
        one.values.update(_values(one.client))
    browsers, tokens = {}, {}
    for username in (HOLDER, *OUTSIDERS):
        person = Practitioner.objects.get(username=username)
        browsers[username] = Browser(raise_request_exception=False)
        browsers[username].force_login(person)
        tokens[username] = create_token(person, "consent sweep", 1)[0]
    return World(b, feed, made, browsers, tokens, granted, series)


def _link(b: Borough, feed: Feed, series, one: Made) -> None:
    client, links, holder = one.client, one.links, b.actor(HOLDER)
    soon = timezone.now() + timedelta(days=2)
    if "task" in links:
        create_task(holder, title="Assess for care", due_at=soon, owner_team_id=b.social_work.pk, client=client)
    if "referral" in links:
        sent_referral(b, client)
    if "care_team" in links:
        add_member(holder, client.pk, role="Social worker", practitioner_id=b.people["sw.council"].pk)
    if "plan" in links:
        create_plan(
            holder,
            client.pk,
            PlanChanges(
                add_goals=[goal()],
                add_interventions=[InterventionIn(b.social_work.pk, "Care act assessment")],
                what_matters="Staying at home",
                review_due=timezone.localdate() + timedelta(days=42),
            ),
        )
    if "visit" in links:
        day = timezone.now() + timedelta(days=3)
        new = NewVisit(b.people["sw.council"].pk, b.social_work.pk, "review", day.replace(hour=10, minute=0))
        book_visit(holder, client.pk, new)
    if "crisis" in links:
        crisis = raised(b, client=client).crisis
        add_action(b.actor("rr.nurse"), crisis.pk, NewAction(kind="equipment", details="A perching stool"))
    if "hospital" in links:
        patient = Patient(one.nhs, family=one.family.upper(), given="ADA", born="19400517")
        feed.send(Adt("A01", patient, visit=f"V{client.pk}"))
        feed.send(Adt("A03", patient, visit=f"V{client.pk}", destination="19", diagnoses=(("F03", "Dementia"),)))
    if "meeting" in links:
        meeting = open_occurrence(b.actor("coordinator.north"), series.pk, series.first_date + timedelta(days=14))
        add_client(b.actor("coordinator.north"), meeting.pk, client.pk, "Carers struggling")
    if "flag" in links:
        raise_flag(holder, client.pk, "falls-risk", "Two falls since October")
        record_need(holder, client.pk, "housing", "Needs a ramp")
    if "dispute" in links:  # declined twice between the same organisations: a "belongs to" dispute
        for _ in range(2):
            declined = sent_referral(b, client)
            decline_referral(b.actor("mh.duty"), declined.pk, "Physical health first", "District nursing")


def _values(client: Client) -> dict[str, Any]:
    """Route parameters naming this client's objects (absent when the client has none)."""
    found = {
        "client_id": client.pk,
        "task_id": Task.objects.filter(client=client).values_list("pk", flat=True).first(),
        "referral_id": Referral.objects.filter(client=client).values_list("pk", flat=True).first(),
        "crisis_id": Crisis.objects.filter(client=client).values_list("pk", flat=True).first(),
        "visit_id": Visit.objects.filter(client=client).values_list("pk", flat=True).first(),
        "member_id": CareTeamMember.objects.filter(client=client).values_list("pk", flat=True).first(),
        "item_id": AgendaItem.objects.filter(client=client).values_list("pk", flat=True).first(),
        "meeting_id": AgendaItem.objects.filter(client=client).values_list("meeting_id", flat=True).first(),
        "flag_id": client.flags.values_list("pk", flat=True).first(),
        "need_id": client.needs.values_list("pk", flat=True).first(),
        "action_id": CrisisAction.objects.filter(crisis__client=client).values_list("pk", flat=True).first(),
        "dispute_id": client.disputes.values_list("pk", flat=True).first(),
        "alert_id": client.access_alerts.values_list("pk", flat=True).first(),
    }
    return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class Ask:
    """One request of the sweep: a route, filled in for one client (or for none: a list)."""

    name: str
    url: str
    client: Made | None


def _fill(path: str, values: dict[str, Any]) -> str | None:
    """The URL of a route with its parameters filled in, or None when one has no value here."""
    missing = []

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            missing.append(match.group(1))
            return ""
        return str(values[match.group(1)])

    if "(?P<" in path:
        path = REGEX_GROUP.sub(value, path).replace("(?:", "").replace(")?", "").replace("\\$", "\x00")
        path = path.replace("^", "").replace("$", "").replace("\x00", "$")
    url = "/" + PARAM.sub(value, path)
    return None if missing else url


def common_values(world: World, username: str) -> dict[str, Any]:
    """Parameters that are not a client's: the asker's own team, the locality, the feed's objects..."""
    person = world.b.people[username]
    team = person.memberships.values_list("team_id", flat=True).first()
    return {
        "team_id": team or world.b.therapy_north.pk,
        "locality_id": world.b.north.pk,
        "practitioner_id": person.pk,
        "name": "due",
        "chart": "weekday-hour",
        "exception_id": world.feed.integration.pk,  # any id: feed exceptions are the integration team's
        "rota_id": Rota.objects.values_list("pk", flat=True).first(),
        "shift_id": RotaShift.objects.values_list("pk", flat=True).first(),
        "competency_id": 1,  # none is held: the route answers for the asker's own record only
        "series_id": world.series.pk,
        "day": (world.series.first_date + timedelta(days=14)).isoformat(),
        "resource_type": "Patient",
        "rest": "Patient",
    }


def asks(world: World, username: str, only: set[str] | None = None) -> Iterator[Ask]:
    """Every GET route (from the URL configuration), for each client where it names one."""
    base = common_values(world, username)
    methods = api_methods()
    for name, path in routes():
        if methods.get(name, "GET") != "GET":
            continue
        if any(name == skip or (skip.endswith(":") and name.startswith(skip)) for skip in NOT_SWEPT):
            continue
        if only is not None and name not in only:
            continue
        about_client = "client_id" in path or any(
            f"<{key}>" in path or f"<int:{key}>" in path for key in _values_keys()
        )
        if not about_client:
            url = _fill(path, base)
            if url is not None:
                for query in QUERIES.get(name, [""]):
                    if "@" not in query:
                        yield Ask(name, url + query, None)
        for one in world.made:
            url = _fill(path, {**base, **one.values, "resource_id": one.client.pk})
            if url is None:
                continue
            queries = QUERIES.get(name, [""])
            for query in queries if about_client else [q for q in queries if "@" in q]:
                yield Ask(name, url + _query(query, one), one)
    yield from _fhir_asks(world, only)


def _values_keys() -> tuple[str, ...]:
    """Route parameters that name one of a client's objects."""
    return (
        "task_id", "referral_id", "crisis_id", "visit_id", "member_id", "item_id", "meeting_id", "flag_id",
        "need_id", "action_id", "dispute_id", "resource_id", "alert_id",
    )  # fmt: skip


def _query(query: str, one: Made) -> str:
    return (
        query.replace("@nhs", one.nhs)
        .replace("@name", one.family)
        .replace("@id", str(one.client.pk))
        .replace("@today", timezone.localdate().isoformat())
        .replace("@org", str(one.client.holding_organisation_id))
    )


def _fhir_asks(world: World, only: set[str] | None) -> Iterator[Ask]:
    """FHIR search of every resource type, by the client where the type can be searched so."""
    if only is not None and "fhir-search" not in only:
        return
    for mapper in mappers():
        kind = mapper.resource_type
        params = {p.name for p in mapper.search_parameters}
        yield Ask("fhir-search", f"/fhir/R4/{kind}", None)
        for one in world.made:
            if "patient" in params:
                yield Ask("fhir-search", f"/fhir/R4/{kind}?patient=Patient/{one.client.pk}", one)
            if kind == "Patient":
                system = "https://fhir.nhs.uk/Id/nhs-number"
                for query in (f"identifier={system}|{one.nhs}", f"family={one.family}", f"_id={one.client.pk}"):
                    yield Ask("fhir-search", f"/fhir/R4/Patient?{query}", one)


def fhir_resources(world: World, one: Made) -> list[str]:
    """ "Type/id" of everything held about a client, as its holder's $everything lists it."""
    response = get(world, HOLDER, f"/fhir/R4/Patient/{one.client.pk}/$everything")
    assert response.status_code == 200, response.content[:300]
    return [
        f"{entry['resource']['resourceType']}/{entry['resource']['id']}"
        for entry in response.json()["entry"]
        if entry["resource"]["resourceType"] != "Patient"
    ]


def get(world: World, username: str, url: str):
    headers = {}
    if url.startswith(("/api/", "/fhir/")):
        headers["Authorization"] = f"Bearer {world.tokens[username]}"
    return world.browsers[username].get(url, headers=headers)


def shows(response, one: Made, url: str) -> list[str]:
    """Which of the client's identifiers the response shows (those the request itself sent excepted)."""
    body = response.content.decode(errors="replace").lower()
    asked = url.lower()
    return [mark for mark in (one.family.lower(), one.nhs) if mark not in asked and mark in body]
