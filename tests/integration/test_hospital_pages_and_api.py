"""The hospital pages and API: scoped (404 out of scope), audited, bad input refused and nothing changed."""

from __future__ import annotations

import pytest

from joinedup.clients.models import Flag
from joinedup.core.models import AuditEvent
from joinedup.hospital.models import FeedException, Spell
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.hl7_messages import Adt, Patient
from tests.integration.api_client import api_as, field_of
from tests.integration.pages import error_links, main_text, signed_in

pytestmark = pytest.mark.django_db
N1, N2 = VALID_NHS_NUMBERS[:2]


@pytest.fixture
def story(feed):
    """A northern client discharged with new dementia; a held message without an NHS number."""
    client = client_in(feed.b, nhs_number=N1)
    feed.send(
        Adt("A01", Patient(N1), at="20250106100000"),
        Adt("A03", Patient(N1), at="20250110110000", diagnoses=(("F03", "Dementia"),)),
        Adt("A01", Patient("", family="NOBODY"), control_id="NO-NHS"),
    )
    return client


def test_the_mdt_sees_the_follow_up_worklists(feed, story) -> None:
    browser = signed_in(feed.b, "coordinator.north")
    overdue = browser.get("/hospital/overdue/")  # due 24 January 2025: long past
    assert overdue.status_code == 200 and story.full_name in main_text(overdue)
    assert AuditEvent.objects.filter(actor_username="coordinator.north", client_id=story.pk, action="list").exists()
    assert story.full_name not in main_text(signed_in(feed.b, "ot.south").get("/hospital/overdue/"))


def test_the_hospital_journey_and_the_record(feed, story) -> None:
    browser = signed_in(feed.b, "ot.north")
    journey = main_text(browser.get(f"/clients/{story.pk}/hospital/"))
    assert "Dementia" in journey and "New in this stay" in journey and "Memory review" in journey
    record = main_text(browser.get(f"/clients/{story.pk}/"))
    assert "Dementia, newly diagnosed" in record and "Last discharged" in record
    assert signed_in(feed.b, "ot.south").get(f"/clients/{story.pk}/hospital/").status_code == 404


def test_feed_exceptions_only_for_the_owning_team(feed, story) -> None:
    exception = FeedException.objects.get()
    owner = signed_in(feed.b, "integration.officer")
    page = owner.get(f"/hospital/feed-exceptions/{exception.pk}/")
    assert page.status_code == 200 and "NO-NHS" in main_text(page) and "MSA|AE|NO-NHS" in main_text(page)
    assert signed_in(feed.b, "coordinator.north").get(f"/hospital/feed-exceptions/{exception.pk}/").status_code == 404
    assert api_as(feed.b, "ot.north").get(f"/hospital/feed-exceptions/{exception.pk}").status_code == 404


def test_matching_a_held_message_applies_it_and_bad_input_changes_nothing(feed, story) -> None:
    other = client_in(feed.b, nhs_number=N2, family_name="Nobody")
    exception = FeedException.objects.get()
    browser = signed_in(feed.b, "integration.officer")
    url = f"/hospital/feed-exceptions/{exception.pk}/match/"
    bad = browser.post(url, {"nhs_number": "123"})
    assert bad.status_code == 400 and "NHS number" in " ".join(error_links(bad))
    wrong_person = browser.post(url, {"nhs_number": N1})  # Smith, not Nobody: the name does not agree
    assert wrong_person.status_code == 400 and "not this client" in main_text(wrong_person)
    assert Spell.objects.filter(client=other).count() == 0
    done = browser.post(url, {"nhs_number": N2, "note": "Traced on PDS"})
    assert done.status_code == 302
    exception.refresh_from_db()
    assert exception.status == "matched" and exception.matched_client == other
    assert Spell.objects.filter(client=other, status="admitted").count() == 1


def test_discard_needs_a_reason(feed, story) -> None:
    exception = FeedException.objects.get()
    api = api_as(feed.b, "integration.officer")
    assert field_of(api.post(f"/hospital/feed-exceptions/{exception.pk}/discard", {"reason": ""})) == [
        "body",
        "reason",
    ]
    done = api.post(f"/hospital/feed-exceptions/{exception.pk}/discard", {"reason": "Test message from the trust"})
    assert done.status_code == 200 and done.json()["status"] == "discarded"
    assert api.post(f"/hospital/feed-exceptions/{exception.pk}/discard", {"reason": "again"}).status_code == 403


def test_api_spells_bounces_worklists_and_flags(feed, story) -> None:
    api = api_as(feed.b, "ot.north")
    spells = api.get(f"/hospital/clients/{story.pk}/spells").json()["results"]
    assert spells[0]["status"] == "discharged" and spells[0]["diagnoses"][0]["new_in_spell"] is True
    assert api.get(f"/hospital/clients/{story.pk}/bounces").json() == {"results": []}
    assert api.get("/hospital/worklists/overdue").json()["results"][0]["client_id"] == story.pk
    assert api.get("/hospital/worklists/nonsense").status_code == 422
    assert api.get("/hospital/worklists/due", {"pagee": "1"}).status_code == 422
    flags = api.get(f"/clients/{story.pk}/flags").json()["results"]
    assert [f["code"] for f in flags] == ["dementia-new"]
    assert api_as(feed.b, "ot.south").get(f"/hospital/clients/{story.pk}/spells").status_code == 404


def test_flags_raised_and_closed_by_people(feed, story) -> None:
    api = api_as(feed.b, "ot.north")
    raised = api.post(f"/clients/{story.pk}/flags", {"code": "falls-risk", "text": "Two falls this winter"})
    assert raised.status_code == 201
    assert api.post(f"/clients/{story.pk}/flags", {"code": "falls-risk", "text": "again"}).status_code == 200
    assert field_of(api.post(f"/clients/{story.pk}/flags", {"code": "x", "text": ""})) == ["body", "text"]
    assert field_of(api.post(f"/clients/{story.pk}/flags", {"code": "x", "text": "y", "extra": 1})) == [
        "body",
        "extra",
    ]
    flag_id = raised.json()["id"]
    assert field_of(api.post(f"/clients/{story.pk}/flags/{flag_id}/close", {"reason": ""})) == ["body", "reason"]
    closed = api.post(f"/clients/{story.pk}/flags/{flag_id}/close", {"reason": "Falls clinic reviewed"})
    assert closed.status_code == 200 and closed.json()["close_reason"] == "Falls clinic reviewed"
    assert api_as(feed.b, "ot.south").post(f"/clients/{story.pk}/flags", {"code": "a", "text": "b"}).status_code == 404
    assert Flag.objects.filter(client=story, code="falls-risk").count() == 1


def test_the_flags_page_shows_errors_and_closes(feed, story) -> None:
    browser = signed_in(feed.b, "ot.north")
    bad = browser.post(f"/clients/{story.pk}/flags/", {"code": "", "text": ""})
    assert bad.status_code == 400 and set(error_links(bad)) >= {"Give the kind of flag", "Say what the flag is about"}
    flag = Flag.objects.get(client=story, code="dementia-new")
    refused = browser.post(f"/clients/{story.pk}/flags/{flag.pk}/close/", {"reason": ""})
    assert refused.status_code == 400 and Flag.objects.get(pk=flag.pk).closed_at is None
    closed = browser.post(f"/clients/{story.pk}/flags/{flag.pk}/close/", {"reason": "Memory clinic seen"})
    assert closed.status_code == 302 and Flag.objects.get(pk=flag.pk).closed_at is not None
