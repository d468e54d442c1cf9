"""Subject access request: `joinedup sar-export` writes everything held about a person, and only them."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from joinedup.clients.queries import client_record
from joinedup.clients.services import record_need
from joinedup.core import subject_access
from joinedup.core.audit import verify_chain
from joinedup.core.models import AuditEvent
from joinedup.handover.models import Referral, ReferralTransition
from joinedup.tasks.models import Task
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.handover_factories import sent_referral

# A field name that suggests a table speaks of a client or patient.
PERSON_NAME = re.compile(r"client|patient|nhs_number|person|subject", re.IGNORECASE)
# Fields of that name that are not about a client: (label, field) -> why.
NOT_ABOUT_A_CLIENT: dict[tuple[str, str], str] = {
    ("hospital.Spell", "patient_class"): "the hospital's class of stay (inpatient, day case...), not a person",
    ("careplans.Goal", "client_words"): "the goal as the client put it: text of a plan already linked to them",
}


def project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("joinedup.")]


def test_every_table_that_names_a_client_is_exported():
    """A new table that mentions a client in a way the export does not follow fails here."""
    client = subject_access.client_model()
    linked = {link.model for link in subject_access.links_to_client()}
    person_fields = {(label, name) for label, name, _ in subject_access.PERSON_FIELDS}
    missing = []
    for model in project_models():
        if model is client:
            continue
        for field in model._meta.concrete_fields:
            label = model._meta.label
            points_at_a_linked_table = field.is_relation and (
                field.related_model is client or field.related_model in linked
            )
            if points_at_a_linked_table and model not in linked:
                missing.append(f"{label}.{field.name} (foreign key)")
            named_like_a_person = PERSON_NAME.search(field.name) and not field.is_relation
            known = (label, field.name) in person_fields or (label, field.name) in NOT_ABOUT_A_CLIENT
            if named_like_a_person and not known:
                missing.append(f"{label}.{field.name}: register it with subject_access.register_person_field")
    assert not missing, missing


def read_bundle(path):
    with zipfile.ZipFile(path) as bundle:
        names = bundle.namelist()
        data = {name[5:-5]: json.loads(bundle.read(name)) for name in names if name.startswith("data/")}
        return names, data, bundle.read("summary.html").decode()


def test_the_bundle_holds_the_persons_data_and_access_history_and_nobody_elses(b, tmp_path):
    client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0], family_name="Subject")
    other = client_in(b, nhs_number=VALID_NHS_NUMBERS[1], family_name="Other")
    for person in (client, other):
        record_need(b.actor("ot.north"), person.pk, "housing", f"Needs a ramp ({person.family_name})")
        sent_referral(b, person)
    client_record(b.actor("ot.north"), client.pk)
    out = tmp_path / "sar.zip"
    call_command("sar_export", "999 000 0018", requested_by="the client in writing, ref 7", output=str(out))
    names, data, summary = read_bundle(out)
    assert "summary.html" in names
    assert [row["id"] for row in data["clients.Client"]] == [client.pk]
    assert [row["description"] for row in data["clients.Need"]] == ["Needs a ramp (Subject)"]
    referrals = list(Referral.objects.filter(client=client).values_list("id", flat=True))
    assert [row["id"] for row in data["handover.Referral"]] == referrals
    transitions = ReferralTransition.objects.filter(referral__client=client).count()
    assert len(data["handover.ReferralTransition"]) == transitions > 0  # reached through the referral
    assert {row["client_id"] for row in data["tasks.Task"]} <= {client.pk}
    assert len(data["tasks.Task"]) == Task.objects.filter(client=client).count()
    history = data["core.AuditEvent"]
    assert history and {row["client_id"] for row in history} == {client.pk}
    assert any(row["action"] == "view" for row in history)
    assert "Other" not in json.dumps(data) and "Other" not in summary
    assert "Subject" in summary and "Needs a ramp (Subject)" in summary
    export = AuditEvent.objects.filter(action="subject_access_export").get()
    assert export.client_id == client.pk and export.reason == "subject access request: the client in writing, ref 7"
    assert export.detail["tables"]["clients.Need"] == 1
    assert verify_chain().ok


def test_what_people_typed_is_escaped_in_the_summary(b, tmp_path):
    client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    record_need(b.actor("ot.north"), client.pk, "housing", "<script>alert(1)</script>")
    out = tmp_path / "sar.zip"
    call_command("sar_export", VALID_NHS_NUMBERS[0], requested_by="DPO", output=str(out))
    _, _, summary = read_bundle(out)
    assert "<script>" not in summary and "&lt;script&gt;" in summary


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["9990000019"], "Not a valid NHS number"),
        (["0000000000"], "Not a valid NHS number"),
        ([VALID_NHS_NUMBERS[2]], "No client with NHS number"),
        ([VALID_NHS_NUMBERS[0], "--requested-by", "  "], "Say who asked"),
    ],
)
def test_broken_requests_are_refused_and_write_nothing(b, tmp_path, args, message):
    client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    out = tmp_path / "sar.zip"
    if "--requested-by" not in args:
        args = [*args, "--requested-by", "DPO"]
    with pytest.raises(CommandError, match=message):
        call_command("sar_export", *args, "--output", str(out))
    assert not out.exists()
    assert not AuditEvent.objects.filter(action="subject_access_export").exists()


def test_an_existing_file_is_never_overwritten(b, tmp_path):
    client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
    out = tmp_path / "sar.zip"
    out.write_text("someone else's export")
    with pytest.raises(CommandError, match="exists already"):
        call_command("sar_export", VALID_NHS_NUMBERS[0], requested_by="DPO", output=str(out))
    assert out.read_text() == "someone else's export"


def test_messages_held_from_the_hospital_feed_that_name_the_person_are_in_the_bundle(b, tmp_path, settings):
    from tests.hl7_messages import Adt, Patient
    from tests.hospital_factories import feed_for, feed_settings

    with feed_settings:
        hospital = feed_for(b)
        client = client_in(b, nhs_number=VALID_NHS_NUMBERS[0])
        hospital.send(Adt("A01", Patient(VALID_NHS_NUMBERS[0])))  # matched to the client
        # Held for a person: an NHS number the hospital has not verified is matched to nobody.
        hospital.send(Adt("A08", Patient(VALID_NHS_NUMBERS[0], status="NSTS03")))
        hospital.send(Adt("A01", Patient(VALID_NHS_NUMBERS[1])))  # someone else
    out = tmp_path / "sar.zip"
    call_command("sar_export", VALID_NHS_NUMBERS[0], requested_by="DPO", output=str(out))
    _, data, _ = read_bundle(out)
    messages = data["hospital.FeedMessage"]
    assert all(VALID_NHS_NUMBERS[0] in row["raw"] for row in messages)
    assert sorted(row["client_id"] is None for row in messages) == [False, True]  # matched, and held
    assert not any(VALID_NHS_NUMBERS[1] in row["raw"] for row in messages)
    assert [row["client_id"] for row in data["hospital.Spell"]] == [client.pk]
