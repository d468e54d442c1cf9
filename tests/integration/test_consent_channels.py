"""Invariant 6, consent on every channel: a client who refuses consent to share is seen by no one
outside the holding organisation, through any page, the JSON API, FHIR read, search or $everything,
reports, notifications or task lists, except through emergency access, which is audited.

The rule (core.access): when consent is refused, relationships count only for practitioners of
the client's holding organisation; a live emergency access grant is the one way past it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from joinedup.core.access import relationship_to
from joinedup.core.models import AuditEvent
from tests.factories import borough
from tests.hospital_factories import feed_settings
from tests.integration.consent_world import (
    LINKS,
    NOT_SWEPT,
    OUTSIDERS,
    World,
    asks,
    build,
    fhir_resources,
    get,
    shows,
)
from tests.integration.test_access_matrix import api_methods, routes

# The channels the property test asks at every example (the full sweep below asks them all).
CHANNELS = {
    "client-record",
    "client-search",
    "caseload",
    "my-tasks",
    "team-tasks",
    "task-detail",
    "notifications",
    "worklist",
    "referral",
    "care-plan",
    "care-team",
    "my-visits",
    "meetings",
    "meeting",
    "crisis-board-live",
    "crisis",
    "hospital-due",
    "api:search_clients",
    "api:read_client",
    "api:list_tasks",
    "api:list_referrals",
    "api:list_crises",
    "api:calendar",
    "api:list_meetings",
    "api:read_meeting",
    "fhir-read",
    "fhir-search",
    "fhir-everything",
}


def leaks(world: World, people: tuple[str, ...], only: set[str] | None = None) -> tuple[list[str], set[str]]:
    """What each person was shown of a refusing client they may not see; and the routes asked."""
    refusing = [one for one in world.made if one.consent == "refused"]
    found, asked = [], set()
    for username in people:
        hidden = [one for one in refusing if (username, one.client.pk) not in world.emergency]
        if not hidden:
            continue
        requests = [(a.name, a.url) for a in asks(world, username, only) if a.client is None or a.client in hidden]
        if only is None or "fhir-read" in only:
            requests += [("fhir-read", f"/fhir/R4/{ref}") for one in refusing for ref in fresh(world, one)]
        for name, url in requests:
            asked.add(name)
            response = get(world, username, url)
            for one in hidden:
                shown = shows(response, one, url)
                if shown:
                    found.append(f"{username} GET {url} ({name}, {response.status_code}) showed {shown}")
    return found, asked


_resources: dict[int, list[str]] = {}


def fresh(world: World, one) -> list[str]:
    """The client's FHIR resources (asked once per client of a world)."""
    if one.client.pk not in _resources:
        _resources[one.client.pk] = fhir_resources(world, one)
    return _resources[one.client.pk]


def assert_emergency_access_is_audited(world: World) -> None:
    """Whoever saw a refusing client through emergency access left the grant and each view in the log."""
    for username, client_id in world.emergency:
        one = next(m for m in world.made if m.client.pk == client_id)
        response = get(world, username, f"/clients/{client_id}/")
        if one.consent != "refused":
            continue
        assert one.family.lower() in response.content.decode().lower()  # the grant works, and so the sweep could see it
        grants = AuditEvent.objects.filter(action="emergency_access", actor_username=username, client_id=client_id)
        assert grants.exists()
        views = AuditEvent.objects.filter(
            actor_username=username, client_id=client_id, action="view", outcome="success"
        )
        assert views.exists()
        assert all(v.reason.startswith("emergency access") for v in views), [v.reason for v in views]


def assert_the_sweep_sees_what_consent_allows(world: World) -> None:
    """Where consent does not stop them, people with a relationship see the client: the sweep can fail."""
    for one in world.made:
        if one.consent == "refused":
            continue
        for username in OUTSIDERS:
            if relationship_to(world.b.actor(username), one.client) is not None:
                response = get(world, username, f"/clients/{one.client.pk}/")
                assert one.family.lower() in response.content.decode().lower(), (username, one.links)


@feed_settings
def test_no_channel_shows_a_refusing_client_outside_the_holding_organisation(b):
    every = frozenset(LINKS)
    world = build(b, [("refused", every, False), ("given", every, True)], [("mh.duty", 0)])
    _resources.clear()
    # One person per way of reaching the client (task and care team; GP follow-up; MDT; crisis rota):
    # the property test below draws from all of them.
    found, asked = leaks(world, ("sw.council", "gp.north", "mdt.gp.north", "edt.sw"))
    assert not found, "\n".join(found)
    assert_emergency_access_is_audited(world)
    assert_the_sweep_sees_what_consent_allows(world)
    # Every GET route was asked: a new page or API cannot escape the sweep.
    methods = api_methods()
    names = {
        name
        for name, _ in routes()
        if not any(name.startswith(skip) for skip in NOT_SWEPT) and methods.get(name, "GET") == "GET"
    }
    assert names - asked == set(), f"routes the sweep did not ask: {sorted(names - asked)}"


class ConsentOnEveryChannel(TestCase):
    """Random clients, links to other organisations, consent decisions (before or after the links)
    and emergency grants: no refusing client is shown outside the holding organisation."""

    @settings(max_examples=4, deadline=None)
    @given(
        specs=st.lists(
            st.tuples(
                st.sampled_from(["given", "refused", "not_asked"]),
                st.frozensets(st.sampled_from(LINKS), min_size=1),
                st.booleans(),
            ),
            min_size=1,
            max_size=3,
        ),
        emergency=st.lists(st.tuples(st.sampled_from(OUTSIDERS), st.integers(0, 2)), max_size=1),
        people=st.lists(st.sampled_from(OUTSIDERS), min_size=1, max_size=2, unique=True),
    )
    def test_refusal_holds_on_every_channel(self, specs, emergency, people):
        with feed_settings:
            world = build(borough(), specs, emergency)
            _resources.clear()
            found, _ = leaks(world, tuple(people), CHANNELS)
            assert not found, "\n".join(found)
            assert_emergency_access_is_audited(world)
            assert_the_sweep_sees_what_consent_allows(world)
