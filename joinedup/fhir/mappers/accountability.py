"""EpisodeOfCare (each period of accountability) and CareTeam (the client's team across organisations,
as the care plans part derives it).

EpisodeOfCare.careManager is the lead professional; while none is named, the accountable team's duty
worker answers for the client (invariant 1) and is given instead, marked as such in the display.
"""

from __future__ import annotations

from typing import Any

from joinedup.careplans.queries.care_team import CareTeamRow, care_team
from joinedup.clients.models import Accountability, Client, ClientStatus
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, page_of, period, reference, text, without_empty
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import reference_id

_EPISODE_RELATED = ("team", "team__organisation", "team__duty_worker", "lead_professional")


def episode_to_fhir(row: Accountability) -> dict[str, Any]:
    team = row.team
    manager = None
    if row.lead_professional is not None:
        manager = reference("Practitioner", row.lead_professional_id, row.lead_professional.display_name)
    elif row.until is None and team.duty_worker is not None:
        manager = reference("Practitioner", team.duty_worker_id, f"{team.duty_worker.display_name} (duty worker)")
    return without_empty(
        {
            "resourceType": "EpisodeOfCare",
            "id": str(row.pk),
            "status": "active" if row.until is None else "finished",
            "type": [text(f"Accountability: {row.reason}")],
            "patient": reference("Patient", row.client_id),
            "managingOrganization": reference("Organization", team.organisation_id, team.organisation.name),
            "period": period(row.since, row.until),
            "careManager": manager,
            "team": [reference("CareTeam", row.client_id, team.name)],
        }
    )


class EpisodeOfCareMapper(Mapper):
    resource_type = "EpisodeOfCare"
    documentation = "Accountability: which team (and lead professional) answers for the client, and when."
    search_parameters = (
        PATIENT_PARAMETER,
        SearchParameter("status", "token", "active (the current accountability) or finished"),
    )

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        row = Accountability.objects.select_related(*_EPISODE_RELATED).filter(pk=queries.numeric_id(resource_id))
        found = row.first()
        if found is None:
            raise NotFound("episode of care")
        queries.client_for_read(actor, found.client_id, f"EpisodeOfCare/{found.pk}")
        return episode_to_fhir(found)

    def search(self, actor: Actor, search: Search) -> Page:
        rows = Accountability.objects.filter(client__in=queries.scoped_clients(actor)).select_related(*_EPISODE_RELATED)
        for value in search.values.get("patient", []):
            client_id = reference_id(value, "Patient")
            rows = rows.filter(client_id=client_id) if client_id.isdigit() else rows.none()
        for value in search.values.get("status", []):
            if value not in ("active", "finished"):
                raise BadRequest("EpisodeOfCare status is active or finished")
            rows = rows.filter(until__isnull=value == "active")
        shown, page = page_of(rows.order_by("client_id", "-since", "-id"), search, episode_to_fhir)
        queries.audited(actor, [("Accountability", r.pk, r.client_id) for r in shown], "FHIR EpisodeOfCare search")
        return page

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        rows = Accountability.objects.filter(client=client).select_related(*_EPISODE_RELATED)
        return [episode_to_fhir(row) for row in rows.order_by("-since", "-id")]


def _participant(row: CareTeamRow) -> dict[str, Any]:
    """A person is a Practitioner acting for their organisation; a team is its organisation, named."""
    if row.kind == "person":
        member = reference("Practitioner", row.pk, row.name)
        on_behalf = reference("Organization", row.organisation_id, row.organisation) if row.organisation_id else None
    else:
        member = reference("Organization", row.organisation_id, f"{row.name} ({row.organisation})")
        on_behalf = None
    since = row.since.isoformat() if row.since is not None else None
    return without_empty(
        {
            "role": [text(role) for role in row.roles],
            "member": member,
            "onBehalfOf": on_behalf,
            "period": {"start": since} if since else None,
        }
    )


def care_team_to_fhir(client: Client) -> dict[str, Any]:
    """The client's care team across organisations, as the record shows it (careplans.queries.care_team):
    the accountable team and who answers in it, services by referral, the care plan's interventions,
    visits, owners of open tasks and members added by hand, each with their roles and since when."""
    rows = care_team(client)
    starts = [row.since for row in rows if row.since is not None]
    return without_empty(
        {
            "resourceType": "CareTeam",
            "id": str(client.pk),
            "status": "active" if client.status == ClientStatus.ACTIVE else "inactive",
            "name": f"Care team of {client.full_name}",
            "subject": reference("Patient", client.pk),
            "period": {"start": min(starts).isoformat()} if starts else None,
            "participant": [_participant(row) for row in rows],
            "managingOrganization": [reference("Organization", client.holding_organisation_id)],
        }
    )


class CareTeamMapper(Mapper):
    resource_type = "CareTeam"
    documentation = "One CareTeam per client (its id is the Patient's): the client's team across organisations."
    search_parameters = (PATIENT_PARAMETER,)
    _related = ("accountable_team__organisation", "accountable_team__duty_worker", "lead_professional")

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        client = queries.client_for_read(actor, queries.numeric_id(resource_id), "CareTeam")
        return care_team_to_fhir(client)

    def search(self, actor: Actor, search: Search) -> Page:
        rows = queries.scoped_clients(actor).select_related(*self._related)
        for value in search.values.get("patient", []):
            client_id = reference_id(value, "Patient")
            rows = rows.filter(pk=client_id) if client_id.isdigit() else rows.none()
        shown, page = page_of(rows.order_by("id"), search, care_team_to_fhir)
        queries.audited(actor, [("CareTeam", c.pk, c.pk) for c in shown], "FHIR CareTeam search")
        return page

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        return [care_team_to_fhir(client)]
