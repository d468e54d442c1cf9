"""Pages that change a record: good input is saved and shown; bad input is explained and changes nothing."""

from __future__ import annotations

from django.test import Client as Browser

from joinedup.clients.models import Accountability, Client, ConsentDecision, Need
from joinedup.tasks.models import Notification
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.integration.pages import error_links, main_text, signed_in


def test_recording_a_need_shows_it_on_the_record(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    response = browser.post(
        f"/clients/{client.pk}/needs/new/", {"category": "housing", "description": "Stairs to the flat are unsafe"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client.pk}/#needs"
    page = main_text(browser.get(response["Location"]))
    assert "The need is recorded." in page
    assert "Housing Stairs to the flat are unsafe" in page
    assert "Need recorded: Housing" in page  # the timeline


def test_a_broken_need_is_explained_and_nothing_is_stored(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    response = browser.post(f"/clients/{client.pk}/needs/new/", {"category": "", "description": "  "})
    assert response.status_code == 200
    assert error_links(response) == {"Choose the kind of need": "#category", "Describe the need": "#description"}
    response = browser.post(f"/clients/{client.pk}/needs/new/", {"category": "flying", "description": "x"})
    assert "Select a valid choice. flying is not one of the available choices." in error_links(response)
    assert Need.objects.filter(client=client).count() == 0


def test_recording_a_need_with_htmx_answers_with_the_record_and_its_errors(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    response = browser.post(f"/clients/{client.pk}/needs/new/", {"category": "carer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="needs"' in body and "Describe the need" in error_links(response)
    assert Need.objects.filter(client=client).count() == 0


def test_marking_a_need_met_and_reopening_it(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    browser.post(f"/clients/{client.pk}/needs/new/", {"category": "carer", "description": "Carer is exhausted"})
    need = Need.objects.get(client=client)
    response = browser.post(f"/clients/{client.pk}/needs/{need.pk}/status/", {"status": "met"}, follow=True)
    assert "The need is now met." in main_text(response)
    assert "Needs met or no longer needed (1)" in main_text(response)
    browser.post(f"/clients/{client.pk}/needs/{need.pk}/status/", {"status": "open"})
    need.refresh_from_db()
    assert need.status == "open"
    assert browser.get(f"/clients/{client.pk}/needs/{need.pk}/status/").status_code == 405


def test_recording_consent_changes_what_the_record_says(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    response = browser.post(
        f"/clients/{client.pk}/consent/", {"decision": "given", "note": "Agreed at home"}, follow=True
    )
    page = main_text(response)
    assert "The consent decision is recorded." in page
    assert "Consent to share Given" in page and "Agreed at home" in page
    client.refresh_from_db()
    assert client.consent_to_share == "given"


def test_a_consent_form_without_a_decision_changes_nothing(b):
    client = client_in(b)
    response = signed_in(b, "ot.north").post(f"/clients/{client.pk}/consent/", {"note": "hmm"})
    assert error_links(response) == {"Choose given, refused or not yet asked": "#decision"}
    assert not ConsentDecision.objects.filter(client=client).exists()


def test_changing_who_is_accountable(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    form = browser.get(f"/clients/{client.pk}/accountability/")
    assert "Sw Councilson (Adult Social Work)" in main_text(form)
    response = browser.post(
        f"/clients/{client.pk}/accountability/",
        {
            "team": b.social_work.pk,
            "lead": b.people["sw.council"].pk,
            "reason": "Needs a care act assessment",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/caseload/"
    assert "Adult Social Work is now accountable for Ada" in main_text(response)
    page = main_text(signed_in(b, "sw.council").get(f"/clients/{client.pk}/"))
    assert "Accountable team Adult Social Work" in page
    assert "Lead professional Sw Councilson" in page
    assert "Why Needs a care act assessment" in page
    assert "Who was accountable before (1)" in page
    assert Notification.objects.filter(recipient=b.people["sw.council"], message__contains="now accountable").exists()


def test_the_locality_mdt_keeps_the_record_after_changing_the_lead(b):
    client = client_in(b, lead=False)
    browser = signed_in(b, "coordinator.north")
    response = browser.post(
        f"/clients/{client.pk}/accountability/",
        {
            "team": b.therapy_north.pk,
            "lead": b.people["ot.north"].pk,
            "reason": "Named at the MDT",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/clients/{client.pk}/#accountability"
    assert "Lead professional Ot Northson" in main_text(response)


def test_accountability_needs_a_reason_and_a_lead_in_the_team(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    url = f"/clients/{client.pk}/accountability/"
    response = browser.post(url, {"team": b.social_work.pk, "lead": "", "reason": ""})
    assert error_links(response) == {"Give the reason for the change": "#reason"}
    response = browser.post(url, {"team": b.social_work.pk, "lead": b.people["ot.north"].pk, "reason": "Move"})
    assert error_links(response) == {"The lead professional must be a member of Adult Social Work": "#lead"}
    assert Accountability.objects.filter(client=client).count() == 1


def test_only_those_who_answer_for_the_client_may_change_accountability(b):
    from joinedup.tasks.services import create_task, due_in_working_days

    client = client_in(b)
    create_task(
        b.actor("ot.north"),
        title="Visit",
        due_at=due_in_working_days(1),
        owner_practitioner_id=b.people["sw.council"].pk,
        client=client,
    )
    response = signed_in(b, "sw.council").get(f"/clients/{client.pk}/accountability/")
    assert response.status_code == 403
    assert "Only the accountable team or the locality MDT can change who is accountable" in main_text(response)


def test_changing_details(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    form = browser.get(f"/clients/{client.pk}/edit/")
    assert 'name="date_of_birth[year]"' in form.content.decode() and 'value="1940"' in form.content.decode()
    data = {
        "given_name": "Ada",
        "family_name": client.family_name,
        "date_of_birth[day]": "17",
        "date_of_birth[month]": "5",
        "date_of_birth[year]": "1940",
        "sex": "female",
        "nhs_number": "999 000 0034",
        "address": "1 New Street",
        "postcode": "ab1 2cd",
        "phone": "",
        "gp_practice": b.practice_north.pk,
    }
    response = browser.post(f"/clients/{client.pk}/edit/", data, follow=True)
    assert "The client's details are updated." in main_text(response)
    client.refresh_from_db()
    assert (client.nhs_number, client.postcode, client.sex) == ("9990000034", "AB1 2CD", "female")
    response = browser.post(f"/clients/{client.pk}/edit/", {**data, "nhs_number": "9990000018"}, follow=True)
    assert "Nothing was changed." not in main_text(response)
    response = browser.post(f"/clients/{client.pk}/edit/", {**data, "nhs_number": "9990000018"}, follow=True)
    assert "Nothing was changed." in main_text(response)


def test_a_bad_nhs_number_in_details_changes_nothing(b):
    client = client_in(b, nhs_number="9990000018")
    data = {
        "given_name": "Ada",
        "family_name": client.family_name,
        "date_of_birth[day]": "17",
        "date_of_birth[month]": "5",
        "date_of_birth[year]": "1940",
        "sex": "unknown",
        "nhs_number": "1234567890",
        "address": "Moved",
        "postcode": "",
        "phone": "",
        "gp_practice": b.practice_north.pk,
    }
    response = signed_in(b, "ot.north").post(f"/clients/{client.pk}/edit/", data)
    assert list(error_links(response).values()) == ["#nhs_number"]
    client.refresh_from_db()
    assert client.address == "" and client.nhs_number == "9990000018"


def _new_client(b, **changes):
    return {
        "given_name": "Bea",
        "family_name": "Newcomer",
        "date_of_birth[day]": "2",
        "date_of_birth[month]": "3",
        "date_of_birth[year]": "1950",
        "sex": "female",
        "nhs_number": VALID_NHS_NUMBERS[3],
        "address": "",
        "postcode": "",
        "phone": "",
        "gp_practice": b.practice_north.pk,
        "team": b.therapy_north.pk,
        "lead": "",
        **changes,
    }


def test_registering_a_client(b):
    browser = signed_in(b, "ot.north")
    form = main_text(browser.get("/clients/new/"))
    assert "North Community Therapy" in form and "North Surgery" in form
    response = browser.post("/clients/new/", _new_client(b), follow=True)
    client = Client.objects.get(family_name="Newcomer")
    assert response.redirect_chain[-1][0] == f"/clients/{client.pk}/"
    page = main_text(response)
    assert "Bea NEWCOMER is registered." in page
    assert "Lead professional Ot Northson, the team's duty worker" in page


def test_registering_with_bad_input_stores_nothing(b):
    browser = signed_in(b, "ot.north")
    response = browser.post("/clients/new/", _new_client(b, nhs_number="123"))
    assert error_links(response) == {"An NHS number must be 10 digits, for example 943 476 5919": "#nhs_number"}
    response = browser.post("/clients/new/", _new_client(b, **{"date_of_birth[year]": "2999"}))
    assert error_links(response) == {"Date of birth must be in the past": "#date_of_birth-day"}
    response = browser.post("/clients/new/", _new_client(b, family_name=""))
    assert error_links(response) == {"Enter the client's family name": "#family_name"}
    response = browser.post("/clients/new/", _new_client(b, team=b.therapy_south.pk))
    assert "#team" in error_links(response).values()
    assert not Client.objects.filter(family_name="Newcomer").exists()


def test_a_post_without_the_csrf_token_is_refused(b):
    client = client_in(b)
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(b.people["ot.north"])
    response = browser.post(f"/clients/{client.pk}/needs/new/", {"category": "housing", "description": "x"})
    assert response.status_code == 403
    assert not Need.objects.filter(client=client).exists()
    page = browser.get(f"/clients/{client.pk}/needs/new/")
    token = page.cookies["csrftoken"].value
    response = browser.post(
        f"/clients/{client.pk}/needs/new/", {"category": "housing", "description": "x", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
