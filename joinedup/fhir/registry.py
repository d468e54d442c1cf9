"""The registry of resource mappers: what the FHIR interface serves, and how.

Each mapper module (fhir/mappers/*.py) maps one resource type to and from JoinedUp's records and
registers itself here; the URL routes and the CapabilityStatement are built from this registry, so
the CapabilityStatement lists exactly what is served. A new resource type is a new module and one
line in fhir.mappers.register_all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joinedup.clients.models import Client
    from joinedup.core.access import Actor


class BadRequest(ValueError):
    """The request cannot be understood (an unknown search parameter, a malformed value): 400."""


@dataclass(frozen=True)
class SearchParameter:
    name: str
    type: str  # token, string, date, reference (FHIR search parameter types)
    documentation: str


@dataclass(frozen=True)
class Search:
    """A search as asked: parameter name -> values (each repetition of the parameter), and the page."""

    values: dict[str, list[str]]
    count: int
    offset: int

    def first(self, name: str) -> str | None:
        values = self.values.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Page:
    resources: list[dict[str, Any]]
    more: bool  # another page follows


class ResourceMapper:
    """Maps one resource type: every mapper module subclasses this and registers an instance."""

    resource_type = ""
    profile: str | None = None  # a profile the resources claim (none is claimed yet)
    search_parameters: tuple[SearchParameter, ...] = ()
    documentation = ""
    # Whether read, search and of_client include the resources of this type imported from other
    # systems (ids "source-<id>"); if not, those are read through fhir.mappers.source and $everything.
    serves_imported = False

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        """The resource, audited; NotFound when absent or not the actor's to see."""
        raise NotImplementedError

    def search(self, actor: Actor, search: Search) -> Page:
        """A page of the resources that match, each audited; BadRequest for a malformed value."""
        raise NotImplementedError

    def of_client(self, actor: Actor, client: Client) -> list[dict[str, Any]]:
        """Every resource of this type about a client the caller may see (for Patient/$everything)."""
        return []


_mappers: dict[str, ResourceMapper] = {}


def register(mapper: ResourceMapper) -> None:
    _mappers[mapper.resource_type] = mapper


def mapper_for(resource_type: str) -> ResourceMapper | None:
    return _mappers.get(resource_type)


def mappers() -> list[ResourceMapper]:
    return [_mappers[name] for name in sorted(_mappers)]
