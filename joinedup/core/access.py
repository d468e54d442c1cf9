"""The access policy: the one place that decides who may see which client.

A practitioner sees a client's record only with a role that works with
clients and a legitimate relationship (a Relationship registered here by the
part of JoinedUp that creates it: accountable team, locality MDT, task,
referral...), or through audited emergency access. When the client refuses
consent to share, relationships count only inside the holding organisation.

Every query that reaches client data starts from `visible_clients(actor)`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedup.core.roles import CLIENT_CARE_ROLES, Role

if TYPE_CHECKING:
    from joinedup.clients.models import Client


@dataclass(frozen=True)
class Actor:
    """Who is acting, and through which channel. Immutable: one Actor may serve many requests."""

    user_id: int | None
    username: str
    organisation_id: int | None
    ods_code: str
    roles: frozenset[str]
    team_ids: frozenset[int]
    mdt_locality_ids: frozenset[int]
    channel: str = "page"
    is_superuser: bool = False
    name: str = ""  # as people see it: "Olivia Okafor"

    @property
    def works_with_clients(self) -> bool:
        return bool(self.roles & CLIENT_CARE_ROLES)

    @property
    def may_use_emergency_access(self) -> bool:
        return bool(self.roles & set(settings.JOINEDUP_EMERGENCY_ACCESS_ROLES))

    @property
    def person_id(self) -> int:
        """The acting practitioner's id, for writes that must name a person (never the system)."""
        if self.user_id is None:
            raise PermissionError("This change must be made by a signed-in practitioner")
        return self.user_id

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles


SYSTEM = Actor(
    name="JoinedUp",
    user_id=None,
    username="system",
    organisation_id=None,
    ods_code="",
    roles=frozenset(),
    team_ids=frozenset(),
    mdt_locality_ids=frozenset(),
    channel="system",
)


# Actors built in this process, by what they were built from (see _actor_key). Bounded: cleared when full.
_ACTORS: dict[tuple[Any, ...], Actor] = {}
_ACTORS_MAX = 10_000


def _actor_key(user: Any, channel: str) -> tuple[Any, ...]:
    """Everything an Actor is made of, as the user's row says now.

    Team memberships, roles and the organisation's ODS code live in other tables; when
    any of them changes, database triggers give the practitioner a new random
    access_version (ADR 0031), so the key changes with them.
    """
    return (
        user.pk,
        channel,
        user.access_version,
        user.organisation_id,
        user.username,
        user.first_name,
        user.last_name,
        user.is_superuser,
    )


def _build_actor(user: Any, channel: str) -> Actor:
    TeamMembership = apps.get_model("directory", "TeamMembership")
    memberships = list(
        TeamMembership.objects.filter(practitioner_id=user.pk).values_list("team_id", "team__kind", "team__locality_id")
    )
    org = user.organisation
    return Actor(
        user_id=user.pk,
        username=user.username,
        organisation_id=user.organisation_id,
        ods_code=org.ods_code if org else "",
        roles=frozenset(user.groups.values_list("name", flat=True)),
        team_ids=frozenset(team_id for team_id, _, _ in memberships),
        mdt_locality_ids=frozenset(loc for _, kind, loc in memberships if kind == "mdt" and loc),
        channel=channel,
        is_superuser=user.is_superuser,
        name=user.get_full_name() or user.username,
    )


def actor_for(user: Any, channel: str = "page") -> Actor:
    """The Actor for a signed-in practitioner: built once per state of what it is made of, not per request."""
    cache_key = f"_joinedup_actor_{channel}"
    cached = getattr(user, cache_key, None)
    if cached is not None:
        return cached
    key = _actor_key(user, channel)
    actor = _ACTORS.get(key)
    if actor is None:
        actor = _build_actor(user, channel)
        if len(_ACTORS) >= _ACTORS_MAX:
            _ACTORS.clear()
        _ACTORS[key] = actor
    setattr(user, cache_key, actor)
    return actor


class Relationship(Protocol):
    """A kind of legitimate relationship between a practitioner and a client."""

    label: str

    def clients_q(self, actor: Actor, among: Collection[int] | None = None) -> Q:
        """The clients this actor has this relationship with, as a filter on Client.

        `among`, when given, are the only client ids the caller asks about: a relationship
        found through another table restricts its subquery to them (a page of 100 rows must
        not make the database gather a team's 8,000 tasks first).
        """

    def explains(self, actor: Actor, client: Client) -> str | None:
        """Why this actor has this relationship with this client, or None."""


_relationships: list[Relationship] = []


def register_relationship(relationship: Relationship) -> None:
    if all(r.label != relationship.label for r in _relationships):
        _relationships.append(relationship)


def relationships() -> tuple[Relationship, ...]:
    return tuple(_relationships)


def _client_model() -> type[Client]:
    return apps.get_model("clients", "Client")


def _consent_allows(actor: Actor) -> Q:
    return ~Q(consent_to_share="refused") | Q(holding_organisation_id=actor.organisation_id)


def _emergency_q(actor: Actor) -> Q:
    if actor.user_id is None:
        return Q(pk__in=[])
    EmergencyAccess = apps.get_model("clients", "EmergencyAccess")
    live = EmergencyAccess.objects.filter(practitioner_id=actor.user_id, expires_at__gt=timezone.now())
    return Q(pk__in=live.values("client_id"))


def visible_clients(actor: Actor, among: Collection[int] | None = None) -> QuerySet[Client]:
    """Every client this actor may see now (of `among`, when given): the root of every scoped query."""
    Client = _client_model()
    if not actor.works_with_clients or actor.user_id is None:
        return Client.objects.none()
    related = Q(pk__in=[])
    for relationship in _relationships:
        related |= relationship.clients_q(actor, among)
    scope = Client.objects.filter((related & _consent_allows(actor)) | _emergency_q(actor))
    return scope if among is None else scope.filter(pk__in=list(among))


def live_emergency_access(actor: Actor, client: Client) -> Any | None:
    if actor.user_id is None:
        return None
    EmergencyAccess = apps.get_model("clients", "EmergencyAccess")
    return (
        EmergencyAccess.objects.filter(
            practitioner_id=actor.user_id, client_id=client.pk, expires_at__gt=timezone.now()
        )
        .order_by("-started_at")
        .first()
    )


def relationship_to(actor: Actor, client: Client) -> str | None:
    """The legitimate relationship that lets this actor see this client, or None."""
    if not actor.works_with_clients or actor.user_id is None:
        return None
    consent_ok = client.consent_to_share != "refused" or client.holding_organisation_id == actor.organisation_id
    if consent_ok:
        for relationship in _relationships:
            reason = relationship.explains(actor, client)
            if reason:
                return reason
    grant = live_emergency_access(actor, client)
    if grant is not None:
        return f"emergency access: {grant.reason}"
    return None
