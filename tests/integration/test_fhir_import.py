"""joinedup import-fhir: bundles and ndjson become clients and kept source records, idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError

from joinedup.clients.models import Accountability, Client
from joinedup.clients.queries import accountability_violations
from joinedup.core.models import AuditEvent
from joinedup.fhir.models import SourceResource
from tests.factories import Borough, client_in
from tests.integration.fhir_helpers import condition, encounter, import_fhir, patient, transaction, write

pytestmark = pytest.mark.django_db


def test_a_transaction_bundle_becomes_a_client_with_their_records_kept(b: Borough, tmp_path: Path) -> None:
    bundle = transaction(patient("p1"), condition("c1", "p1"), encounter("e1", "p1"))
    output = import_fhir(write(tmp_path / "one.json.gz", bundle, gz=True))
    client = Client.objects.get(family_name="Okafor")
    assert client.nhs_number is None  # a US-style Patient: no NHS number is invented
    assert (client.accountable_team, client.lead_professional) == (b.mdt_north, None)  # the default team's duty worker
    kept = {(r.resource_type, r.client_id, r.category) for r in SourceResource.objects.all()}
    assert kept == {("Patient", client.pk, ""), ("Condition", client.pk, "26929004"), ("Encounter", client.pk, "IMP")}
    stored = SourceResource.objects.get(resource_type="Condition").content
    assert stored["subject"] == {"reference": "Patient/p1"}  # urn:uuid resolved
    assert "Clients registered: 1" in output
    assert accountability_violations() == []
    reason = Accountability.objects.get(client=client).reason
    assert "default team" in reason
    assert AuditEvent.objects.filter(action="create", client_id=client.pk, channel="cli").exists()


def test_importing_the_same_files_again_changes_nothing(b: Borough, tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", transaction(patient("p1"), condition("c1", "p1")))
    import_fhir(path)
    before = list(SourceResource.objects.order_by("pk").values_list("pk", "content_hash", "imported_at"))
    clients = Client.objects.count()
    output = import_fhir(path)
    assert list(SourceResource.objects.order_by("pk").values_list("pk", "content_hash", "imported_at")) == before
    assert Client.objects.count() == clients
    assert "Clients registered: 0" in output


def test_a_changed_resource_from_the_same_file_replaces_the_kept_one(b: Borough, tmp_path: Path) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text('{"resourceType": "Organization", "id": "o1", "name": "Old"}\n')
    import_fhir(path)
    path.write_text('{"resourceType": "Organization", "id": "o1", "name": "New"}\n')
    import_fhir(path)
    assert SourceResource.objects.get(resource_id="o1").content["name"] == "New"


def test_a_bad_resource_is_reported_with_its_file_and_position_and_the_rest_go_on(b: Borough, tmp_path: Path) -> None:
    broken = patient("p2", family="Broken")
    broken["gender"] = "bloke"
    path = write(tmp_path / "mixed.json", transaction(patient("p1"), broken, condition("c1", "p1")))
    output = import_fhir(path)
    assert "mixed.json, entry 1" in output and "Patient.gender" in output
    assert Client.objects.filter(family_name="Okafor").exists()
    assert not Client.objects.filter(family_name="Broken").exists()
    assert SourceResource.objects.filter(resource_type="Condition").count() == 1


def test_bulk_ndjson_links_resources_to_patients_imported_from_another_file(b: Borough, tmp_path: Path) -> None:
    (tmp_path / "Condition.000.ndjson").write_text(
        '{"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"}}\n'
    )
    write(tmp_path / "Patient.000.ndjson", patient("p1"))
    import_fhir(tmp_path)
    client = Client.objects.get(family_name="Okafor")
    assert SourceResource.objects.get(resource_type="Condition").client_id == client.pk


def test_the_gp_practice_decides_the_team_and_an_nhs_number_matches_an_existing_client(
    b: Borough, tmp_path: Path
) -> None:
    known = client_in(b, nhs_number="9990000018")
    bundle = transaction(
        patient("p1", nhs="9990000018"), patient("p2", nhs="9990000026", ods="F84001", family="Practice")
    )
    import_fhir(write(tmp_path / "uk.json", bundle), team=None)
    assert SourceResource.objects.get(resource_id="p1").client_id == known.pk
    registered = Client.objects.get(family_name="Practice")
    assert (registered.accountable_team, registered.gp_practice, registered.locality) == (
        b.mdt_north,
        b.practice_north,
        b.north,
    )
    assert registered.nhs_number == "9990000026"


def test_without_a_team_a_patient_is_kept_as_source_data_only_and_said_so(b: Borough, tmp_path: Path) -> None:
    output = import_fhir(write(tmp_path / "us.json", transaction(patient("p1"))), team=None)
    assert "kept as source data only" in output and "--team" in output
    assert Client.objects.count() == 0
    assert SourceResource.objects.get(resource_id="p1").client_id is None


def test_synthetic_nhs_numbers_only_when_asked(b: Borough, tmp_path: Path) -> None:
    import_fhir(write(tmp_path / "us.json", transaction(patient("p1"))), extra=("--synthetic-nhs-numbers",))
    number = Client.objects.get(family_name="Okafor").nhs_number
    assert number is not None and number.startswith("999")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nowhere/at/all.json"], "No such file"),
        (["{tmp}", "--team", "No Such Team"], "No team is named"),
        (["{tmp}", "--team", "Adult Social Work"], "borough-wide"),
        (["{tmp}"], "No FHIR files"),
        (["{tmp}", "--workers", "-1"], "--workers"),
    ],
)
def test_broken_command_lines_are_refused_and_change_nothing(
    b: Borough, tmp_path: Path, args: list[str], message: str
) -> None:
    from django.core.management import call_command

    (tmp_path / "notes.txt").write_text("not FHIR")
    with pytest.raises(CommandError, match=message):
        call_command("import_fhir", *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert SourceResource.objects.count() == 0
