"""EpisodeOfCare (each period of accountability) and CareTeam (the client's team across organisations).

EpisodeOfCare.careManager is the lead professional; while none is named, the accountable team's duty
worker answers for the client (invariant 1) and is given instead, marked as such in the display.
"""

from __future__ import annotations

from typing import Any

from joinedup.clients.models import Accountability, Client, ClientStatus
from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, page_of, period, reference, text, without_empty
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import reference_id
from joinedup.tasks.models import OPEN_TASK_STATUSES

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


def _participant(role: str, member: dict[str, str], on_behalf: dict[str, str] | None = None) -> dict[str, Any]:
    return without_empty({"role": [text(role)], "member": member, "onBehalfOf": on_behalf})


def care_team_to_fhir(client: Client) -> dict[str, Any]:
    """Who works with the client now: the accountable team and who answers in it, and the teams of
    the client's open and accepted referrals and open tasks."""
    team = client.accountable_team
    organisation = reference("Organization", team.organisation_id, team.organisation.name)
    participants = [_participant(f"Accountable team: {team.name}", organisation)]
    answering = client.lead_professional or team.duty_worker
    if answering is not None:
        role = "Lead professional" if client.lead_professional is not None else "Duty worker (no lead named)"
        participants.append(
            _participant(role, reference("Practitioner", answering.pk, answering.display_name), organisation)
        )
    referrals = client.referrals.filter(state__in=("sent", "information_requested", "accepted"))
    for referral in referrals.select_related("receiving_team", "receiving_team__organisation"):
        other = referral.receiving_team
        member = reference("Organization", other.organisation_id, other.organisation.name)
        participants.append(_participant(f"Receiving team of referral {referral.pk}: {other.name}", member))
    for task in client.tasks.filter(status__in=OPEN_TASK_STATUSES).select_related("owner_team__organisation"):
        if task.owner_team is not None:
            member = reference("Organization", task.owner_team.organisation_id, task.owner_team.organisation.name)
            participants.append(_participant(f"Owner of a task: {task.owner_team.name}", member))
        elif task.owner_practitioner_id is not None:
            participants.append(_participant("Owner of a task", reference("Practitioner", task.owner_practitioner_id)))
    return {
        "resourceType": "CareTeam",
        "id": str(client.pk),
        "status": "active" if client.status == ClientStatus.ACTIVE else "inactive",
        "subject": reference("Patient", client.pk),
        "participant": _unique(participants),
        "managingOrganization": [reference("Organization", client.holding_organisation_id)],
    }


def _unique(participants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, kept = set(), []
    for participant in participants:
        key = (participant["role"][0]["text"], participant["member"]["reference"])
        if key not in seen:
            seen.add(key)
            kept.append(participant)
    return kept


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
