"""The FHIR interface against real material: Synthea, bulk ndjson, the official examples, UK payloads.

The whole Synthea sets are imported once per test (about a minute on SQLite), then read back through
/fhir/R4/ and the database: the same patients, encounters and conditions as the files hold.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from joinedup.careplans.models import ExternalCarePlan, ExternalCareTeamMember, ExternalGoal
from joinedup.clients.models import Client
from joinedup.clients.queries import accountability_violations
from joinedup.fhir.models import SourceResource
from joinedup.fhir.validation.uk_core import nhs_number_problem
from joinedup.hospital.models import BounceEvent, FeedException, FeedMessage, Spell
from tests.corpora import corpus
from tests.factories import Borough
from tests.integration.fhir_helpers import fhir_as, import_fhir, valid
from tests.integration.pages import main_text, signed_in

pytestmark = pytest.mark.django_db


def _manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "dev" / "MANIFEST.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def _linked_counts(resource_type: str) -> Counter[str]:
    """Per imported Patient id, how many resources of the type are linked to its client."""
    patients = dict(SourceResource.objects.filter(resource_type="Patient").values_list("client_id", "resource_id"))
    rows = SourceResource.objects.filter(resource_type=resource_type, client__isnull=False)
    return Counter(patients[client_id] for client_id in rows.values_list("client_id", flat=True))


@pytest.mark.parametrize("name", ["synthea_fhir_r4", "synthea_hiv_fhir_r4"])
def test_every_synthea_patient_imports_and_reads_back_with_the_same_counts(b: Borough, name: str) -> None:
    folder = corpus(name)
    manifest = _manifest(folder)
    output = import_fhir(folder / "shared", folder / "dev", extra=("--workers", "1"))
    assert "not imported" not in output, output
    patients = {row["patient_id"]: row for row in manifest}
    imported = dict(SourceResource.objects.filter(resource_type="Patient").values_list("resource_id", "client_id"))
    assert set(imported) == set(patients) and all(imported.values())
    assert Client.objects.count() == len(patients)
    encounters, conditions = _linked_counts("Encounter"), _linked_counts("Condition")
    inpatient = Counter(p for p, c in zip(*_inpatient(), strict=True) if c == "IMP")
    for patient_id, row in patients.items():
        assert encounters[patient_id] == int(row["n_encounter"]), patient_id
        assert conditions[patient_id] == int(row["n_condition"]), patient_id
        assert inpatient[patient_id] == int(row["inpatient_encounters"]), patient_id
    assert accountability_violations() == []
    _spells_made(manifest, imported, output)
    _care_from_elsewhere(b, manifest, imported, output)
    _read_back(b, patients, imported)
    before = (SourceResource.objects.count(), Spell.objects.count(), FeedMessage.objects.count(), _care_rows())
    again = import_fhir(folder / "shared", *sorted((folder / "dev").glob("*.json.gz"))[:20], extra=("--workers", "0"))
    assert "Clients registered: 0" in again and "Hospital spells made from inpatient Encounters: 0" in again
    assert "0 care plans, 0 goals, 0 care team members" in " ".join(again.split())
    assert (SourceResource.objects.count(), Spell.objects.count(), FeedMessage.objects.count(), _care_rows()) == before


def _care_rows() -> tuple[list[Any], ...]:
    return (
        list(ExternalCarePlan.objects.order_by("pk").values_list("pk", "key", "updated_at")),
        list(ExternalGoal.objects.order_by("pk").values_list("pk", "key", "updated_at")),
        list(ExternalCareTeamMember.objects.order_by("pk").values_list("pk", "team_key", "updated_at")),
    )


def _care_from_elsewhere(b: Borough, manifest: list[dict[str, str]], imported: dict[str, int], output: str) -> None:
    """Every CarePlan became care from elsewhere of its client, with its goals; the summary counts them as
    mapped; a client's care plan page shows those in progress and the earlier ones."""
    plans = Counter(ExternalCarePlan.objects.values_list("client_id", flat=True))
    goals = Counter(ExternalGoal.objects.values_list("client_id", flat=True))
    kept_goals = Counter(SourceResource.objects.filter(resource_type="Goal").values_list("client_id", flat=True))
    for row in manifest:
        client_id = imported[row["patient_id"]]
        assert plans[client_id] == int(row["n_careplan"]), row["patient_id"]
        assert goals[client_id] == kept_goals[client_id], row["patient_id"]
    assert ExternalCareTeamMember.objects.count() == sum(int(row["n_careteam"]) for row in manifest) == 0
    total = sum(int(row["n_careplan"]) for row in manifest)
    said = " ".join(output.split())
    assert f"Care from elsewhere recorded or brought up to date: {total:,} care plans" in said
    if not total:
        return
    row = re.search(r"CarePlan\s*│\s*([\d,]+)\s*│.*│\s*([\d,]+)\s*│\s*([\d,]+)\s*│", output)
    assert row is not None and row.groups() == (f"{total:,}", f"{total:,}", "0")  # new, mapped, source only
    client_id, _ = plans.most_common(1)[0]
    shown = ExternalCarePlan.objects.filter(client_id=client_id)
    page = main_text(signed_in(b, "coordinator.north").get(f"/clients/{client_id}/care-plan/"))
    current = [p for p in shown if p.status == "active"]
    assert all(f"Care plan from another system: {p.heading}" in page for p in shown)
    assert f"{shown.count() - len(current)} earlier care plan" in page


def _spells_made(manifest: list[dict[str, str]], imported: dict[str, int], output: str) -> None:
    """Every inpatient encounter became one hospital spell of its client, and each admission within the
    bounce window of the client's previous discharge is a bounce (more are, while a discharge follow-up
    is open). The manifest counts 30-day readmissions otherwise (more of them): not compared."""
    spells = Counter(Spell.objects.values_list("client_id", flat=True))
    bounces = Counter(BounceEvent.objects.values_list("client_id", flat=True))
    readmissions = _readmissions(settings.JOINEDUP_HOSPITAL_BOUNCE_DAYS)
    for row in manifest:
        client_id = imported[row["patient_id"]]
        assert spells[client_id] == int(row["inpatient_encounters"]), row["patient_id"]
        assert bounces[client_id] >= readmissions[client_id], row["patient_id"]
        assert (bounces[client_id] > 0) >= (int(row["readmissions_30d"]) > 0), row["patient_id"]
    total = sum(int(row["inpatient_encounters"]) for row in manifest)
    said = " ".join(output.split())
    assert f"Hospital spells made from inpatient Encounters: {total:,} " in said
    assert "held on the feed exceptions worklist: 0)" in said and not FeedException.objects.exists()


def _readmissions(days: int) -> Counter[int]:
    """Per client, the admissions within `days` of the latest discharge before them, from the Encounters."""
    stays: dict[int, list[tuple[datetime, datetime]]] = {}
    rows = SourceResource.objects.filter(resource_type="Encounter", category="IMP", client__isnull=False)
    for client_id, content in rows.values_list("client_id", "content"):
        times = content["period"]["start"], content["period"]["end"]
        stays.setdefault(client_id, []).append(tuple(datetime.fromisoformat(t) for t in times))
    found: Counter[int] = Counter()
    for client_id, periods in stays.items():
        for start, _ in periods:
            earlier = [end for _, end in periods if end <= start]
            found[client_id] += bool(earlier) and start - max(earlier) <= timedelta(days=days)
    return found


def _inpatient() -> tuple[list[str], list[str]]:
    patients = dict(SourceResource.objects.filter(resource_type="Patient").values_list("client_id", "resource_id"))
    rows = SourceResource.objects.filter(resource_type="Encounter", client__isnull=False)
    pairs = list(rows.values_list("client_id", "category"))
    return [patients[c] for c, _ in pairs], [category for _, category in pairs]


def _read_back(b: Borough, patients: dict[str, dict[str, str]], imported: dict[str, int]) -> None:
    """Through /fhir/R4/, as a member of the team accountable for the imported clients."""
    api = fhir_as(b, "coordinator.north")
    for patient_id in sorted(patients)[:15]:
        client_id = imported[patient_id]
        found = api.get("Condition", {"patient": f"Patient/{client_id}", "_count": 200}).json()
        assert len(valid(found).get("entry", [])) == int(patients[patient_id]["n_condition"])
        everything = valid(api.get(f"Patient/{client_id}/$everything").json())
        kinds = Counter(e["resource"]["resourceType"] for e in everything["entry"])
        assert kinds["Encounter"] == int(patients[patient_id]["n_encounter"])
    seen, url = 0, "Patient"
    params: dict[str, Any] | None = {"_count": 200}
    while url:
        body = api.get(url, params).json() if params else api.http.get(url, headers=api.headers).json()
        seen += len(body.get("entry", []))
        url = next((link["url"] for link in body["link"] if link["relation"] == "next"), "")
        params = None
    assert seen == len(patients)


def test_bulk_ndjson_imports_with_its_patients_linked(b: Borough) -> None:
    folder = corpus("synthea_bulk_ndjson") / "dev"
    output = import_fhir(folder)
    lines = {p.name: sum(1 for line in p.read_text().splitlines() if line.strip()) for p in folder.glob("*.ndjson")}
    assert Client.objects.count() == lines["Patient.000.ndjson"] == 13
    assert (
        SourceResource.objects.filter(resource_type="Encounter", client__isnull=False).count()
        == lines["Encounter.000.ndjson"]
    )
    assert SourceResource.objects.filter(resource_type="Condition").count() == lines["Condition.000.ndjson"]
    assert "log.ndjson, line 1" in output  # the export's log is not FHIR: reported, not imported


SUPPORTED = ("Patient", "Condition", "CarePlan", "Goal")


def test_official_examples_of_the_supported_types_round_trip(b: Borough, tmp_path: Path) -> None:
    folder = corpus("fhir_r4_examples") / "dev"
    paths = [p for t in SUPPORTED for p in sorted(folder.glob(f"{t}-*.json"))]
    import_fhir(*paths)
    api = fhir_as(b, "coordinator.north")
    served = 0
    for path in paths:
        original = json.loads(path.read_text())
        kept = SourceResource.objects.get(resource_type=original["resourceType"], resource_id=original["id"])
        if kept.client_id is None:
            continue  # about a Patient of another example that is not a person JoinedUp could register
        if original["resourceType"] == "Patient":
            response = api.get(f"Patient/{kept.client_id}")
        else:
            response = api.get(f"{original['resourceType']}/source-{kept.pk}")
        assert response.status_code == 200, path.name
        body = valid(response.json())
        served += 1
        if original["resourceType"] != "Patient":
            assert {k: v for k, v in body.items() if k not in ("id", "subject", "patient")} == {
                k: v for k, v in original.items() if k not in ("id", "subject", "patient")
            }
    assert served >= 10


def _uk_payloads() -> list[Path]:
    pds = corpus("uk_patients_pds") / "dev"
    referrals = corpus("uk_referrals_fhir") / "dev"
    with (referrals / "INDEX.csv").open(newline="") as file:
        r4 = [referrals / row["rel"] for row in csv.DictReader(file) if row["fhir_version"] == "R4"]
    return sorted(pds.rglob("*.json")) + r4


def test_uk_payloads_get_an_operation_outcome_and_broken_ones_say_what_is_wrong(b: Borough) -> None:
    api = fhir_as(b, "ot.north")
    refused = 0
    for path in _uk_payloads():
        response = api.post("$validate", path.read_bytes())
        assert response.status_code == 200, path
        outcome = valid(response.json())
        errors = [i for i in outcome["issue"] if i["severity"] in ("error", "fatal")]
        refused += bool(errors)
        not_json = path.name == "GET-success.json" and path.parent.name == "document_reference"
        if "MissingValuesPayload" in str(path) or not_json:
            assert errors, path  # PDS refuses these; the BaRS one is not even JSON
    assert refused >= 20


def test_hans_broken_patients_with_a_wrong_nhs_number_or_date_are_refused_there(b: Borough) -> None:
    api = fhir_as(b, "ot.north")
    checked = 0
    for path in sorted((corpus("uk_patients_pds") / "dev" / "hans" / "broken-patients").glob("*.json")):
        patient = json.loads(path.read_text())
        number = next(i["value"] for i in patient["identifier"] if i["system"].endswith("nhs-number"))
        issues = api.post("Patient/$validate", patient).json()["issue"]
        where = {e for i in issues if i["severity"] == "error" for e in i.get("expression", [])}
        if nhs_number_problem(number) is not None:
            assert "Patient.identifier[0].value" in where, path.name
            checked += 1
    assert checked >= 3
