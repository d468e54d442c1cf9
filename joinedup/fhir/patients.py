"""Patients become clients: matched by NHS number, else registered with an accountable team (ADR 0026).

The team: the locality MDT of the GP practice the Patient names by ODS code, when JoinedUp knows
the practice and the MDT has a duty worker; otherwise the default team of the import. Nobody is
registered without a team that answers for them (invariant 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from joinedup.clients.models import Client, ClientStatus
from joinedup.clients.services import ImportedClient, register_imported_clients
from joinedup.core.access import Actor
from joinedup.directory.models import Locality, Organisation, OrganisationKind, Team, TeamKind
from joinedup.fhir import rules
from joinedup.fhir.models import SourceResource

if TYPE_CHECKING:
    from joinedup.fhir.importer import Summary
    from joinedup.fhir.preparing import Prepared

SOURCE = "a FHIR import"


def linked_client_ids(references: Iterable[str]) -> dict[str, int]:
    """Patient references ("Patient/<id>") already imported, and the client each became."""
    ids = {ref.removeprefix("Patient/") for ref in references if ref.startswith("Patient/")}
    rows = SourceResource.objects.filter(resource_type="Patient", resource_id__in=ids, client__isnull=False)
    return {f"Patient/{rid}": cid for rid, cid in rows.values_list("resource_id", "client_id")}


class ClientMaker:
    """Finds or registers the client of each Patient of a batch."""

    def __init__(self, default_team: Team | None, synthetic_nhs_numbers: bool, actor: Actor) -> None:
        self.default_team = default_team
        self.synthetic = synthetic_nhs_numbers
        self.actor = actor
        self._practices: dict[str, Organisation] | None = None
        self._mdts: dict[int, Team] | None = None
        self._synthetic_taken: set[str] | None = None

    def clients_for(self, batch: list[Prepared], summary: Summary) -> dict[str, int]:
        """Every Patient reference of the batch that leads to a client ("Patient/<id>" -> client id)."""
        known = linked_client_ids({item.patient_reference for item in batch if item.patient_reference})
        waiting = [
            item for item in batch if item.resource_type == "Patient" and item.patient_reference not in known
        ]  # fmt: skip
        if waiting:
            known.update(self._register(waiting, summary))
        return known

    def _register(self, waiting: list[Prepared], summary: Summary) -> dict[str, int]:
        found: dict[str, int] = {}
        imported: list[ImportedClient] = []
        sources: list[Prepared] = []
        matched = self._matched_by_nhs_number([i.facts for i in waiting if i.facts and i.facts.nhs_number])
        for item in waiting:
            reference = f"Patient/{item.resource_id}"
            new: ImportedClient | str = item.refusal
            if item.facts is not None and item.facts.nhs_number in matched:
                found[reference] = matched[item.facts.nhs_number]
                summary.clients_matched += 1
                continue
            if item.facts is not None:
                new = self._new_client(item.facts, f"{item.file}|{item.resource_id}")
            if isinstance(new, str):
                summary.problems.append(f"{item.file}, {item.position}: kept as source data only: {new}")
                continue
            imported.append(new)
            sources.append(item)
        clients, refused = register_imported_clients(self.actor, imported, source=SOURCE)
        for position, item in enumerate(sources):
            client = clients[position]
            if client is None:
                summary.problems.append(f"{item.file}, {item.position}: kept as source data only: {refused[position]}")
            else:
                found[f"Patient/{item.resource_id}"] = client.pk
                summary.clients_created += 1
        return found

    def _matched_by_nhs_number(self, facts: list[rules.PatientFacts]) -> dict[str | None, int]:
        numbers = [f.nhs_number for f in facts]
        return dict(Client.objects.filter(nhs_number__in=numbers).values_list("nhs_number", "pk"))

    def _new_client(self, facts: rules.PatientFacts, seed: str) -> ImportedClient | str:
        team, locality, practice, why = self._team_for(facts)
        if team is None or locality is None:
            return (
                "no team would answer for this client: the Patient names no GP practice JoinedUp knows, "
                "and the import was given no default team (--team)"
            )
        status = (
            ClientStatus.DECEASED if facts.deceased else ClientStatus.ACTIVE if facts.active else ClientStatus.INACTIVE
        )
        return ImportedClient(
            given_name=facts.given_name,
            family_name=facts.family_name,
            date_of_birth=facts.date_of_birth,
            accountable_team=team,
            locality=locality,
            why_this_team=why,
            gp_practice=practice,
            nhs_number=facts.nhs_number or self._synthetic_number(seed),
            sex=facts.sex,
            address=facts.address,
            postcode=facts.postcode,
            phone=facts.phone,
            status=status,
        )

    def _team_for(self, facts: rules.PatientFacts) -> tuple[Team | None, Locality | None, Organisation | None, str]:
        practice = self._practice(facts)
        if practice is not None and practice.locality_id is not None:
            mdt = self._mdt_of(practice.locality_id)
            if mdt is not None and mdt.duty_worker_id is not None:
                return mdt, practice.locality, practice, f"Imported: locality MDT of GP practice {practice.ods_code}"
        team = self.default_team
        if team is None:
            return None, None, practice, ""
        locality = team.locality or (practice.locality if practice is not None else None)
        return team, locality, practice, "Imported: default team for imported clients"

    def _practice(self, facts: rules.PatientFacts) -> Organisation | None:
        if self._practices is None:
            practices = Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).select_related("locality")
            self._practices = {p.ods_code.upper(): p for p in practices}
        code = facts.gp_ods_code
        if code is None and facts.gp_reference is not None:
            organisation = SourceResource.objects.filter(
                resource_type="Organization", resource_id=facts.gp_reference.removeprefix("Organization/")
            ).first()
            code = rules.ods_code_of(organisation.content) if organisation is not None else None
        return self._practices.get(code) if code else None

    def _mdt_of(self, locality_id: int) -> Team | None:
        if self._mdts is None:
            mdts = Team.objects.filter(kind=TeamKind.MDT).select_related("locality")
            self._mdts = {t.locality_id: t for t in mdts if t.locality_id is not None}
        return self._mdts.get(locality_id)

    def _synthetic_number(self, seed: str) -> str | None:
        if not self.synthetic:
            return None
        if self._synthetic_taken is None:
            taken = Client.objects.filter(nhs_number__startswith=rules.SYNTHETIC_PREFIX)
            self._synthetic_taken = {n for n in taken.values_list("nhs_number", flat=True) if n}
        number = next(n for n in rules.synthetic_nhs_numbers(seed) if n not in self._synthetic_taken)
        self._synthetic_taken.add(number)
        return number
