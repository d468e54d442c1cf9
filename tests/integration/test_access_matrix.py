"""Every route against every kind of person: 0 unexpected 2xx, refusals look like "not found",
a refused write changes nothing, and a route with no declared policy fails.

The declarations are in tests/access_matrix_routes.py. With JOINEDUP_MATRIX_DISCOVER=1 this
prints what each route actually answers, to help declare a new route (then read each line:
the declaration is a statement of intent, not a copy of behaviour).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from joinedup.careplans.services.care_team import add_member
from joinedup.careplans.services.meetings import add_client, open_occurrence
from joinedup.careplans.services.visits import NewVisit, book_visit
from joinedup.clients.flags import raise_flag
from joinedup.clients.services import record_need, use_emergency_access
from joinedup.core.roles import Role
from joinedup.core.tokens import create_token
from joinedup.crisis.actions import NewAction, add_action
from joinedup.demo.borough import SYSTEM_ADMINISTRATION_APPS
from joinedup.directory.models import Practitioner, Profession, Team
from joinedup.directory.training import NewCompetency, NewTraining, grant_competency, record_training
from joinedup.governance.models import AccessAlert
from joinedup.governance.scan import scan as scan_for_access_alerts
from joinedup.handover.models import Dispute
from joinedup.handover.services import decline_referral
from joinedup.hospital.models import FeedException
from joinedup.tasks.services import create_task
from tests.access_matrix import PERSONAS, PUBLIC, Route
from tests.access_matrix_routes import ROUTES, admin_route
from tests.careplan_factories import at, plan_for, series_for
from tests.crisis_factories import crisis_setup, raised
from tests.factories import VALID_NHS_NUMBERS, client_in, practitioner
from tests.handover_factories import mental_health_team, sent_referral
from tests.hl7_messages import Adt, Patient
from tests.hospital_factories import feed_for, feed_settings

CLIENT_NAME = "Matrixworth"
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")  # the admin's regular-expression routes
# Tables whose rows change with every request, whoever makes it: not "data" for "changes nothing".
# (ApiToken: its last_used_at is written when a token is used, whatever the request then does.)
VOLATILE = {
    "core.AuditEvent",
    "core.ApiToken",
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}


def routes() -> Iterator[tuple[str, str]]:
    """(name, route) of every URL pattern, the admin's and the API's included."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                space = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                yield f"{namespace}{pattern.name or '[' + route + ']'}", route

    yield from walk(get_resolver().url_patterns, "", "")


@dataclass
class World:
    values: dict[str, Any]
    browsers: dict[str, Browser]
    tokens: dict[str, str]


def build_world(b) -> World:
    client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0], family_name=CLIENT_NAME)
    need = record_need(b.actor("ot.north"), client.pk, "housing", "Needs a ramp")
    task = create_task(
        b.actor("ot.north"),
        title="Visit about the ramp",
        due_at=timezone.now() + timedelta(days=2),
        owner_team_id=b.therapy_north.pk,
        client=client,
    )
    team = mental_health_team(b)
    referral = sent_referral(b, client, to=team)
    disputed = client_in(b, family_name="Disputedson")
    for _ in range(2):  # declined twice between the same organisations: a "belongs to" dispute
        declined = sent_referral(b, disputed, to=team)
        decline_referral(b.actor("mh.duty"), declined.pk, "Physical health first", "District nursing")
    dispute = Dispute.objects.get(client=disputed)
    emergency = practitioner(
        "emergency.mh", b.mental_health, profession=Profession.MENTAL_HEALTH_PRACTITIONER, teams=()
    )
    b.people["emergency.mh"] = emergency
    use_emergency_access(b.actor("emergency.mh"), client.pk, "Called by the police at 2am: no one else reachable")
    flag = raise_flag(b.actor("ot.north"), client.pk, "falls-risk", "Two falls since October").flag
    scan_for_access_alerts()  # the emergency access above: an access alert (none of the personas reviews them)
    access_alert = AccessAlert.objects.get()
    hospital = feed_for(b)  # the integration team and the practice team (none of the personas is in them)
    hospital.send(Adt("A01", Patient(VALID_NHS_NUMBERS[0], family=CLIENT_NAME.upper())))
    hospital.send(Adt("A01", Patient("9990000019")))  # a wrong check digit: a feed exception
    feed_exception = FeedException.objects.get()
    crisis_pathway = crisis_setup(b)  # rapid response, on-call rotas, brokerage (none of the personas is in them)
    crisis = raised(b, client=client).crisis  # raised by the legitimate persona
    crisis_action = add_action(b.actor("rr.nurse"), crisis.pk, NewAction(kind="equipment", details="A perching stool"))
    mdt = mdt_world(b, client, team)
    admin = Practitioner.objects.get(username="admin")
    admin.is_staff = True  # as in the demo borough: the admin for the directory's tables only
    admin.save()
    admin.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=SYSTEM_ADMINISTRATION_APPS)
        | Permission.objects.filter(content_type__app_label="crisis", content_type__model="rota")  # as the demo
    )
    people = {
        "other_org": Practitioner.objects.get(username="sw.council"),
        "same_org": Practitioner.objects.get(username="ot.south"),
        "legitimate": Practitioner.objects.get(username="ot.north"),
        "emergency": emergency,
        "administrator": admin,
    }
    browsers = {"anonymous": Browser(raise_request_exception=False)}
    tokens = {"anonymous": ""}
    for persona, person in people.items():
        browser = Browser(raise_request_exception=False)
        browser.force_login(person)
        browsers[persona] = browser
        tokens[persona] = create_token(person, "matrix", 1)[0]
    values = {
        "client_id": client.pk,
        "need_id": need.pk,
        "task_id": task.pk,
        "referral_id": referral.pk,
        "dispute_id": dispute.pk,
        "team_id": b.therapy_north.pk,
        "mh_team_id": team.pk,
        "locality_id": b.north.pk,
        "practice_id": b.practice_north.pk,
        "flag_id": flag.pk,
        "exception_id": feed_exception.pk,
        "name": "due",  # a hospital worklist
        "crisis_id": crisis.pk,
        "action_id": crisis_action.pk,
        "rota_id": crisis_pathway.on_call_health.pk,
        "shift_id": crisis_pathway.on_call_health.shifts.first().pk,
        "chart": "weekday-hour",
        **mdt,
        "oncall_id": b.people["rr.oncall"].pk,
        "manager_id": b.people["rr.manager"].pk,
        # The Django admin's own parameters.
        "app_label": "directory",
        "object_id": b.therapy_north.pk,
        "group_id": Group.objects.get(name="practitioner").pk,
        "content_type_id": ContentType.objects.get_for_model(Team).pk,
        "id": people["legitimate"].pk,  # a practitioner's password change
        # FHIR: the client as a Patient; an unknown path under /fhir/R4/.
        "resource_type": "Patient",
        "resource_id": client.pk,
        "rest": "NoSuchResource/1",
        "url": "no-such-page/",
        "alert_id": access_alert.pk,
    }
    return World(values, browsers, tokens)


def mdt_world(b, client, mental_health) -> dict[str, Any]:
    """The client's care plan and care team, a visit booked by the legitimate persona, the North MDT's
    meeting with the client on its agenda (none of the personas sits on the MDT), and the legitimate
    persona's training and a competency granted by their team manager (not a persona)."""
    ot = b.people["ot.north"]
    plan = plan_for(b, client)
    member = add_member(b.actor("ot.north"), client.pk, role="Memory service", team_id=mental_health.pk)
    when = at(timezone.localdate() + timedelta(days=3))
    visit = book_visit(
        b.actor("ot.north"),
        client.pk,
        NewVisit(ot.pk, b.therapy_north.pk, "assessment", when, assessment="home_environment"),
    )
    series = series_for(b)
    meeting = open_occurrence(b.actor("coordinator.north"), series.pk, series.first_date)
    item = add_client(b.actor("coordinator.north"), meeting.pk, client.pk, "Two falls since October")
    manager = practitioner(
        "tm.north", b.community, roles=(Role.PRACTITIONER, Role.TEAM_MANAGER), teams=(b.therapy_north,)
    )
    b.people["tm.north"] = manager
    today = timezone.localdate()
    record_training(b.actor("ot.north"), ot.pk, NewTraining("dementia_awareness", today - timedelta(days=30)))
    competency = grant_competency(
        b.actor("tm.north"),
        ot.pk,
        NewCompetency("trusted_assessor_equipment", today - timedelta(days=10), today + timedelta(days=300), "Passed"),
    )
    return {
        "plan_id": plan.pk,
        "member_id": member.pk,
        "visit_id": visit.pk,
        "series_id": series.pk,
        "day": series.first_date.isoformat(),
        "meeting_id": meeting.pk,
        "item_id": item.pk,
        "practitioner_id": ot.pk,
        "organisation_id": b.community.pk,
        "competency_id": competency.pk,
    }


def data_digest() -> str:
    """Every row of every table but the volatile ones: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.label in VOLATILE or model._meta.proxy:
            continue
        rows = list(model._default_manager.order_by("pk").values())
        digest.update(model._meta.label.encode() + json.dumps(rows, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def outcome(response) -> str:
    code = response.status_code
    if code == 200 and b"nhsuk-error-summary" in response.content:
        return "invalid"  # a page form shown again with the design system's error summary
    if 300 <= code < 400:
        location = response.get("Location", "")
        return "sign_in" if location.startswith(("/sign-in/", "/admin/login/")) else "ok"
    if 200 <= code < 300:
        return "ok"
    if code in (400, 422):
        return "invalid"
    return str(code)


def filled(value: Any, values: dict[str, Any]) -> Any:
    """A body or query with each "@key" replaced by the world's value (an int stays an int alone)."""
    if isinstance(value, dict):
        return {filled(key, values): filled(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [filled(item, values) for item in value]
    if isinstance(value, str) and "@" in value:
        whole = re.fullmatch(r"@(\w+)", value)
        if whole:
            return values[whole.group(1)]
        return re.sub(r"@(\w+)", lambda m: str(values[m.group(1)]), value)
    return value


def request(world: World, persona: str, url: str, route: Route):
    browser = world.browsers[persona]
    headers = dict(route.headers)
    if url.startswith(("/api/", "/fhir/")) and world.tokens[persona]:
        headers["Authorization"] = f"Bearer {world.tokens[persona]}"
    send = getattr(browser, route.method.lower())
    body = filled(route.body or {}, world.values)
    if route.method == "GET":
        return send(url + filled(route.query, world.values), headers=headers)
    if route.form:
        return send(url, body, headers=headers)
    return send(url, json.dumps(body), content_type="application/json", headers=headers)


def url_for(path: str, values: dict[str, Any], name: str) -> str:
    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise AssertionError(f"route {name}: no test value for <{key}>; add it to build_world")
        return str(values[key])

    if "(?P<" in path:  # a regular expression route: fill its groups, drop its anchors and escapes
        path = REGEX_GROUP.sub(value, path).replace("(?:", "").replace(")?", "").replace("\\$", "\x00")
        path = path.replace("^", "").replace("$", "").replace("\x00", "$")
    return "/" + PARAM.sub(value, path)


def api_methods() -> dict[str, str]:
    """The HTTP method of each django-ninja operation, by its route name."""
    from joinedup.config.api import api

    methods = {}
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                methods[f"api:{operation.view_func.__name__}"] = operation.methods[0]
    return methods


def test_api_routes_are_declared_with_their_method():
    wrong = {
        name: ([route.method for route in declared], method)
        for name, method in api_methods().items()
        if (declared := ROUTES.routes.get(name)) is not None and [r.method for r in declared] != [method]
    }
    assert not wrong, wrong


def test_every_route_is_declared():
    undeclared = [name for name, _ in routes() if name not in ROUTES.routes and admin_route(name) is None]
    assert not undeclared, f"routes with no declared access policy: {undeclared}"
    stale = set(ROUTES.routes) - {name for name, _ in routes()}
    assert not stale, f"declared routes that no longer exist: {sorted(stale)}"


def check(world: World, persona: str, name: str, url: str, route: Route, discover: bool) -> str:
    """What is wrong with this route's answer to this persona ("" when nothing is)."""
    expected = route.expect.of(persona)
    before = data_digest() if route.method != "GET" and expected != "ok" else None
    browser = world.browsers[persona]
    cookies = {key: morsel.value for key, morsel in browser.cookies.items()}
    with transaction.atomic():  # whatever the request changes is undone before the next
        response = request(world, persona, url, route)
        got = outcome(response)
        body = response.content.decode(errors="replace") if got in ("ok", "invalid") else ""
        changed = before is not None and data_digest() != before
        transaction.set_rollback(True)
    for key, value in cookies.items():  # a sign-out ends the browser's session too: give it back
        browser.cookies[key] = value
    where = f"{route.method} {url} ({name})"
    if discover:
        print(f"\nMATRIX {name} {route.method} {persona} {got} {response.status_code}")
        return ""
    if persona not in ("legitimate", "emergency") and route.about_client and CLIENT_NAME in body:
        return f"{where}: showed the client to {persona}"  # whatever the status
    if got != expected:
        return f"{where}: expected {expected}, got {got} ({response.status_code})"
    if changed:
        return f"{where}: refused, yet the data changed"
    return ""


@pytest.mark.parametrize("persona", PERSONAS)
@feed_settings
def test_every_route_answers_each_persona_as_declared(b, persona):
    world = build_world(b)
    discover = os.environ.get("JOINEDUP_MATRIX_DISCOVER") == "1"
    wrong = []
    methods = api_methods()
    for name, path in routes():
        declared = ROUTES.routes.get(name) or admin_route(name)
        if declared is None and discover:
            declared = (Route(methods.get(name, "GET"), PUBLIC),)
        assert declared is not None, name
        for route in declared:
            url = url_for(path, {**world.values, **filled(route.params, world.values)}, name)
            problem = check(world, persona, name, url, route, discover)
            if problem:
                wrong.append(problem)
    assert not wrong, "\n".join(wrong)
