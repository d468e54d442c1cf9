"""Encounters and Flags on the FHIR interface: hospital spells served as Encounters, imported inpatient
Encounters made spells through the hospital feed's pipeline (once), and the client's flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from joinedup.clients.flags import raise_flag
from joinedup.clients.models import Client
from joinedup.clients.services import record_consent
from joinedup.fhir.models import SourceResource
from joinedup.hospital.models import BounceEvent, FeedMessage, Spell
from tests.factories import Borough, client_in
from tests.handover_factories import sent_referral
from tests.integration.fhir_helpers import fhir_as, import_fhir, patient, transaction, valid, write

pytestmark = pytest.mark.django_db
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
NUMBER = "9990000018"


def stay(eid: str, start: str, end: str | None, *, status: str = "finished", klass: str = "IMP") -> dict[str, Any]:
    """An Encounter of the client p1, with two wards and a discharge destination once finished."""
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": eid,
        "status": status,
        "class": {"system": ACT, "code": klass},
        "subject": {"reference": "urn:uuid:p1"},
        "period": {"start": start, **({"end": end} if end else {})},
        "location": [
            {"location": {"display": "Ward 7"}, "status": "completed", "period": {"start": start}},
            {"location": {"display": "Ward 9"}, "status": "active", "period": {"start": start[:11] + "18:00:00+00:00"}},
        ],
        "reasonCode": [
            {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "F03", "display": "Dementia"}]}
        ],
    }
    if status == "finished":
        encounter["hospitalization"] = {"dischargeDisposition": {"text": "care home"}}
    return encounter


@pytest.fixture
def client(b: Borough) -> Client:
    return client_in(b, nhs_number=NUMBER, family_name="Okafor")


def bundle_file(tmp_path: Path, name: str, *resources: dict[str, Any]) -> Path:
    return write(tmp_path / name, transaction(patient("p1", nhs=NUMBER), *resources))


def entries(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return [entry["resource"] for entry in valid(response.json()).get("entry", [])]


def test_an_inpatient_encounter_becomes_a_spell_served_back_as_the_same_stay(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    inpatient = stay("e1", "2024-03-04T10:00:00+00:00", "2024-03-08T15:30:00+00:00")
    clinic = stay("e2", "2024-04-01T09:00:00+00:00", "2024-04-01T09:30:00+00:00", klass="AMB")
    output = import_fhir(bundle_file(tmp_path, "b.json", inpatient, clinic))
    assert "Hospital spells made from inpatient Encounters: 1" in output
    spell = Spell.objects.get(client=client)
    assert (spell.facility, spell.visit_number, spell.status, spell.discharge_pathway) == (
        "FHIR import",
        "e1",
        "discharged",
        3,
    )
    assert list(spell.diagnoses.values_list("code", flat=True)) == ["F03"]
    api = fhir_as(b, "ot.north")
    found = entries(api.get("Encounter", {"patient": f"Patient/{client.pk}"}))
    kept = SourceResource.objects.get(resource_id="e2")
    assert [e["id"] for e in found] == [str(spell.pk), f"source-{kept.pk}"]
    read = valid(api.get(f"Encounter/{spell.pk}").json())
    assert read == found[0]
    assert (read["status"], read["class"]["code"], read["period"]) == ("finished", "IMP", inpatient["period"])
    assert [(p["location"]["display"], p["status"]) for p in read["location"]] == [
        ("Ward 7", "completed"),
        ("Ward 9", "completed"),
    ]
    assert read["location"][1]["period"] == {"start": "2024-03-04T18:00:00+00:00", "end": inpatient["period"]["end"]}
    assert read["hospitalization"]["dischargeDisposition"] == {"text": "care home"}
    everything = valid(api.get(f"Patient/{client.pk}/$everything").json())
    assert sum(e["resource"]["resourceType"] == "Encounter" for e in everything["entry"]) == 2


def test_importing_the_stay_again_makes_no_second_spell_and_a_newer_copy_adds_only_the_discharge(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    ongoing = stay("e1", "2024-03-04T10:00:00+00:00", None, status="in-progress")
    ongoing["meta"] = {"lastUpdated": "2024-03-05T00:00:00Z"}
    first = bundle_file(tmp_path, "first.json", ongoing)
    import_fhir(first)
    messages = FeedMessage.objects.count()
    again = import_fhir(first)
    assert "Hospital spells made from inpatient Encounters: 0" in again
    assert (Spell.objects.count(), FeedMessage.objects.count()) == (1, messages)
    assert Spell.objects.get().status == "admitted"
    finished = stay("e1", "2024-03-04T10:00:00+00:00", "2024-03-08T15:30:00+00:00")
    finished["meta"] = {"lastUpdated": "2024-03-09T00:00:00Z"}
    later = import_fhir(bundle_file(tmp_path, "later.json", finished))
    assert "Hospital spells made from inpatient Encounters: 0" in later
    spell = Spell.objects.get()
    assert (spell.status, spell.discharged_at.isoformat()) == ("discharged", "2024-03-08T15:30:00+00:00")
    assert FeedMessage.objects.count() == messages + 1  # the discharge, once
    import_fhir(bundle_file(tmp_path, "later.json", finished))
    assert (Spell.objects.count(), FeedMessage.objects.count()) == (1, messages + 1)


def test_an_imported_readmission_is_a_bounce(b: Borough, client: Client, tmp_path: Path) -> None:
    first = stay("e1", "2024-03-04T10:00:00+00:00", "2024-03-08T15:30:00+00:00")
    second = stay("e2", "2024-03-15T10:00:00+00:00", "2024-03-20T11:00:00+00:00")
    import_fhir(bundle_file(tmp_path, "b.json", second, first))  # out of order in the file: applied in time order
    assert Spell.objects.count() == 2
    bounce = BounceEvent.objects.get(client=client)
    assert (bounce.previous_spell.visit_number, bounce.spell.visit_number, bounce.days_since_discharge) == (
        "e1",
        "e2",
        6,
    )
    assert client.flags.filter(code="bounce", closed_at__isnull=True).exists()


def test_a_stay_keyed_by_the_identifier_of_its_source_system(b: Borough, client: Client, tmp_path: Path) -> None:
    encounter = stay("e1", "2024-03-04T10:00:00+00:00", None, status="in-progress")
    encounter["identifier"] = [{"system": "https://hospital.example/visits", "value": "V123"}]
    import_fhir(bundle_file(tmp_path, "b.json", encounter))
    spell = Spell.objects.get()
    assert (spell.facility, spell.visit_number, spell.status) == ("https://hospital.example/visits", "V123", "admitted")


def test_encounters_are_searched_by_date_class_and_status(b: Borough, client: Client, tmp_path: Path) -> None:
    import_fhir(
        bundle_file(
            tmp_path,
            "b.json",
            stay("e1", "2024-03-04T10:00:00+00:00", "2024-03-08T15:30:00+00:00"),
            stay("e2", "2024-05-01T10:00:00+00:00", None, status="in-progress"),
            stay("e3", "2024-04-01T09:00:00+00:00", "2024-04-01T09:30:00+00:00", klass="AMB"),
        )
    )
    api = fhir_as(b, "ot.north")
    ids = {s.visit_number: str(s.pk) for s in Spell.objects.all()}
    clinic = f"source-{SourceResource.objects.get(resource_id='e3').pk}"

    def found(**params: str) -> set[str]:
        return {e["id"] for e in entries(api.get("Encounter", params))}

    assert found(date="2024-03-06") == {ids["e1"]}
    assert found(date="ge2024-04-01") == {ids["e2"], clinic}
    assert found(date="lt2024-04-01") == {ids["e1"]}
    assert found(date="ne2024-03-06") == {ids["e2"], clinic}
    assert found(**{"class": "IMP"}) == {ids["e1"], ids["e2"]}
    assert found(**{"class": f"{ACT}|AMB"}) == {clinic}
    assert found(status="in-progress") == {ids["e2"]}
    assert found(status="finished") == {ids["e1"], clinic}
    for bad in ({"date": "March"}, {"status": "sleeping"}, {"class": "http://other|IMP"}):
        assert api.get("Encounter", bad).status_code == 400, bad


def test_a_stay_or_flag_out_of_scope_is_not_found_and_consent_refused_is_honoured(
    b: Borough, client: Client, tmp_path: Path
) -> None:
    import_fhir(bundle_file(tmp_path, "b.json", stay("e1", "2024-03-04T10:00:00+00:00", None, status="in-progress")))
    flag = raise_flag(b.actor("ot.north"), client.pk, "falls-risk", "Falls risk at home").flag
    spell = Spell.objects.get()
    paths = (f"Encounter/{spell.pk}", f"Flag/{flag.pk}")
    south = fhir_as(b, "ot.south")
    for path in paths:
        refused, absent = south.get(path), south.get(path.split("/")[0] + "/999999")
        assert (refused.status_code, absent.status_code) == (404, 404) and refused.json() == absent.json()
        assert entries(south.get(path.split("/")[0], {"patient": client.pk})) == []
    coordinator, council = fhir_as(b, "coordinator.north"), fhir_as(b, "sw.council")
    sent_referral(b, client, to=b.social_work)  # the council's social workers are asked to take the client on
    assert all(council.get(path).status_code == 200 for path in paths)
    record_consent(b.actor("ot.north"), client.pk, "refused")
    for path in paths:
        assert coordinator.get(path).status_code == 200, path
        assert council.get(path).status_code == 404, path


def test_flags_are_read_and_searched_by_status(b: Borough, client: Client) -> None:
    from joinedup.clients.flags import close_flag

    ot = b.actor("ot.north")
    open_flag = raise_flag(ot, client.pk, "falls-risk", "Falls risk at home").flag
    closed = raise_flag(ot, client.pk, "lives-alone", "Lives alone").flag
    close_flag(ot, client.pk, closed.pk, "Moved in with her daughter")
    api = fhir_as(b, "ot.north")
    read = valid(api.get(f"Flag/{open_flag.pk}").json())
    assert (read["status"], read["code"]["text"], read["subject"]) == (
        "active",
        "Falls risk at home",
        {"reference": f"Patient/{client.pk}"},
    )
    assert read["author"]["reference"] == f"Practitioner/{b.people['ot.north'].pk}"
    assert [f["id"] for f in entries(api.get("Flag", {"patient": client.pk, "status": "active"}))] == [
        str(open_flag.pk)
    ]
    inactive = entries(api.get("Flag", {"patient": client.pk, "status": "inactive"}))
    assert [(f["id"], "end" in f["period"]) for f in inactive] == [(str(closed.pk), True)]
    assert api.get("Flag", {"status": "maybe"}).status_code == 400
    everything = valid(api.get(f"Patient/{client.pk}/$everything").json())
    assert sum(e["resource"]["resourceType"] == "Flag" for e in everything["entry"]) == 2


def test_a_spell_from_the_hospital_feed_is_served_with_its_wards_and_destination(feed: Any) -> None:
    from tests.factories import VALID_NHS_NUMBERS
    from tests.hl7_messages import Adt, Patient

    number = VALID_NHS_NUMBERS[0]
    client = client_in(feed.b, nhs_number=number)
    person = Patient(number)
    assert feed.codes(
        Adt("A01", person, at="20250106100000"),
        Adt("A02", person, at="20250107120000", ward="WARD9^BAY1^BED2", prior_ward="WARD7^BAY2^BED3"),
        Adt("A03", person, at="20250110160000", ward="WARD9^BAY1^BED2", destination="19"),
    ) == ["AA", "AA", "AA"]
    spell = Spell.objects.get(client=client)
    api = fhir_as(feed.b, "ot.north")
    read = valid(api.get(f"Encounter/{spell.pk}").json())
    assert entries(api.get("Encounter", {"patient": client.pk, "class": "IMP", "status": "finished"})) == [read]
    assert (read["class"]["code"], read["identifier"][0]["value"]) == ("IMP", "V100")
    wards = read["location"]
    assert len(wards) == 2 and "WARD9" in wards[1]["location"]["display"]
    assert wards[0]["period"]["end"] == wards[1]["period"]["start"] == "2025-01-07T12:00:00+00:00"
    assert read["hospitalization"]["dischargeDisposition"] == {"text": "usual place of residence"}
