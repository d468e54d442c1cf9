"""The handover pages: refer from the record, the referral page and its actions, worklists, disputes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from joinedup.clients.models import Client
from joinedup.clients.services import record_need
from joinedup.handover.information import DEFAULT_INFORMATION_ITEMS
from joinedup.handover.models import Dispute, Referral
from joinedup.handover.services import decline_referral, request_information
from tests.factories import client_in
from tests.handover_factories import mental_health_team, sent_referral
from tests.integration.pages import error_links, main_text, signed_in

LONDON = ZoneInfo("Europe/London")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/referrals/"}


def _answers(**overrides: str) -> dict[str, str]:
    """A complete referral form: every item answered, access to the home not known with a reason."""
    data = {item.key: f"Answer to {item.question.lower()}" for item in DEFAULT_INFORMATION_ITEMS}
    data["access_to_home"] = ""
    data["access_to_home_not_known"] = "on"
    data["access_to_home_reason"] = "Never visited; ask the daughter"
    data.update(overrides)
    return data


def _refer(b, client, *, action: str = "send", **fields: str) -> dict[str, str]:
    return {
        "receiving_team": str(mental_health_team(b).pk),
        "kind": "transfer_of_care",
        "urgency": "urgent",
        "action": action,
        **fields,
    }


def _textarea(response, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', response.content.decode(), flags=re.S)
    assert match, name
    return match.group(1).strip()


# --- Refer from the record ---------------------------------------------------------------------


def test_the_record_offers_to_refer_and_lists_the_clients_referrals(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    response = signed_in(b, "ot.north").get(f"/clients/{client.pk}/")
    body = response.content.decode()
    assert f'href="/clients/{client.pk}/refer/"' in body
    page = main_text(response)
    assert f"#{referral.pk}: North Community Therapy to North Community Mental Health" in page
    assert f'href="/referrals/{referral.pk}/"' in body
    assert "Transfer of care" in page.split("Referrals", 1)[1]


def test_the_timeline_links_referral_lines_to_the_referral(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    for path in (f"/clients/{client.pk}/", f"/clients/{client.pk}/timeline/"):
        body = signed_in(b, "ot.north").get(path).content.decode()
        assert re.search(rf'<a href="/referrals/{referral.pk}/">North Community Therapy sent referral', body), path


def test_the_refer_form_is_prefilled_from_the_record(b):
    client = client_in(b)
    mental_health_team(b)
    record_need(b.actor("ot.north"), client.pk, "mental_health", "Low mood since his wife died")
    record_need(b.actor("ot.north"), client.pk, "physical_health", "Two falls this year")
    response = signed_in(b, "ot.north").get(f"/clients/{client.pk}/refer/")
    assert response.status_code == 200
    assert _textarea(response, "needs_mental_health") == "Low mood since his wife died"
    assert _textarea(response, "needs_physical_health") == "Two falls this year"
    assert "North Community Therapy (accountable), lead professional Ot Northson" in _textarea(
        response, "others_involved"
    )
    assert _textarea(response, "request") == ""
    page = main_text(response)
    assert "3 of 15 answers are filled in from the record" in page
    assert "Filled in from the record: check it." in page
    assert "Transfer of care" in page and "Request for a service" in page
    assert "Respond within 2 clock hours: by" in page and "Respond within 5 working days: by" in page
    body = response.content.decode()
    assert '<optgroup label="North">' in body and "North Community Mental Health (Mental Health Trust)" in body
    assert f'<option value="{b.therapy_north.pk}"' not in body  # not to the sending team itself


def test_only_the_accountable_team_is_offered_a_transfer_of_care(b):
    client = client_in(b)
    response = signed_in(b, "coordinator.north").get(f"/clients/{client.pk}/refer/")
    page = main_text(response)
    assert "Request for a service" in page and "Transfer of care" not in page
    assert "Only North Community Therapy, the accountable team, can transfer care." in page


def test_someone_outside_the_accountable_team_asks_for_a_service_from_their_own_team(b):
    client = client_in(b)
    browser = signed_in(b, "coordinator.north")
    fields = _refer(b, client, kind="request_for_service", **_answers())
    assert browser.post(f"/clients/{client.pk}/refer/", fields).status_code == 302
    referral = Referral.objects.get(client=client)
    assert (referral.state, referral.sending_team, referral.kind) == ("sent", b.mdt_north, "request_for_service")
    transfer = browser.post(f"/clients/{client.pk}/refer/", {**fields, "kind": "transfer_of_care"})
    assert error_links(transfer) == {"Choose a transfer of care or a request for a service": "#kind"}


def test_someone_in_several_teams_chooses_which_refers(b):
    from joinedup.directory.models import TeamMembership

    client = client_in(b, locality="south")
    TeamMembership.objects.create(team=b.mdt_south, practitioner=b.people["coordinator.north"])
    browser = signed_in(b, "coordinator.north")
    assert "Refer from" in main_text(browser.get(f"/clients/{client.pk}/refer/"))
    fields = _refer(b, client, kind="request_for_service", **_answers())
    assert error_links(browser.post(f"/clients/{client.pk}/refer/", fields)) == {
        "Choose which of your teams refers": "#sending_team"
    }
    browser.post(f"/clients/{client.pk}/refer/", {**fields, "sending_team": str(b.mdt_south.pk)})
    assert Referral.objects.get(client=client).sending_team == b.mdt_south


def test_sending_with_gaps_lists_every_incomplete_item_and_keeps_the_draft(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    typed = _answers(risk_falls="", medication="", mental_capacity="", mental_capacity_not_known="on")
    response = browser.post(f"/clients/{client.pk}/refer/", _refer(b, client, **typed))
    draft = Referral.objects.get(client=client)
    assert draft.state == "draft"
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{draft.pk}/edit/?check=1"
    page = browser.get(response["Location"])
    assert "There is a problem" in main_text(page)
    assert "Error:" in page.content.decode().split("</title>")[0]
    assert error_links(page) == {
        "Risk of falls: answer this, or mark it not known and say why": "#risk_falls",
        "Medication, and who manages it: answer this, or mark it not known and say why": "#medication",
        "Mental capacity notes: say why this is not known": "#mental_capacity_reason",
    }
    assert "Your draft is saved." in main_text(page)
    assert _textarea(page, "request") == "Answer to what are you asking the receiving team to do, and why?"
    assert draft.information["request"]["text"].startswith("Answer to what are you asking")


def test_completing_a_draft_sends_it_and_the_receiver_sees_it_in_the_inbox_with_time_left(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    browser.post(f"/clients/{client.pk}/refer/", _refer(b, client, **_answers(risk_falls="")))
    draft = Referral.objects.get(client=client)
    response = browser.post(
        f"/referrals/{draft.pk}/edit/",
        {"kind": "transfer_of_care", "urgency": "urgent", "action": "send", **_answers(risk_falls="Two falls")},
    )
    assert response.status_code == 302 and response["Location"] == f"/referrals/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.state == "sent" and draft.information["risk_falls"]["text"] == "Two falls"
    inbox = main_text(signed_in(b, "mh.duty").get("/referrals/"))
    assert client.full_name in inbox and "From North Community Therapy" in inbox
    assert re.search(r"(hours?|days?|minutes?) left", inbox)


def test_sending_a_complete_referral_from_the_record(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    response = browser.post(f"/clients/{client.pk}/refer/", _refer(b, client, **_answers()))
    referral = Referral.objects.get(client=client)
    assert referral.state == "sent" and referral.kind == "transfer_of_care"
    assert response["Location"] == f"/referrals/{referral.pk}/"
    page = main_text(browser.get(response["Location"]))
    assert "Referral sent to North Community Mental Health. Your team stays accountable" in page
    assert "Waiting for North Community Mental Health to respond." in page
    sent = main_text(browser.get("/referrals/sent/"))
    assert client.full_name in sent and "To North Community Mental Health" in sent and "left" in sent


def test_saving_a_draft_sends_nothing(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    response = browser.post(f"/clients/{client.pk}/refer/", _refer(b, client, action="save", request="Please see"))
    referral = Referral.objects.get(client=client)
    assert referral.state == "draft"
    page = main_text(browser.get(response["Location"]))
    assert "The referral is saved as a draft. It has not been sent." in page
    assert "Send referral" in page and "Change the draft" in page
    sent = main_text(browser.get("/referrals/sent/"))
    assert "Drafts" in sent and client.full_name in sent
    assert signed_in(b, "mh.duty").get(f"/referrals/{referral.pk}/").status_code == 404


def test_a_draft_is_not_shown_to_the_receiving_team_even_when_it_sees_the_client(b):
    from joinedup.directory.models import TeamMembership

    client = client_in(b)
    signed_in(b, "ot.north").post(f"/clients/{client.pk}/refer/", _refer(b, client, action="save", request="x"))
    referral = Referral.objects.get(client=client)
    TeamMembership.objects.create(team=b.mdt_north, practitioner=b.people["mh.duty"])  # sees the client via the MDT
    browser = signed_in(b, "mh.duty")
    assert browser.get(f"/clients/{client.pk}/").status_code == 200
    assert browser.get(f"/referrals/{referral.pk}/").status_code == 404
    assert browser.get(f"/referrals/{referral.pk}/edit/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"receiving_team": "", "kind": "", "urgency": ""},
            {
                "Choose the team you are referring to": "#receiving_team",
                "Choose a transfer of care or a request for a service": "#kind",
                "Choose how urgent the referral is": "#urgency",
            },
        ),
        ({"urgency": "whenever"}, {"Choose how urgent it is": "#urgency"}),
        (
            {"request": "x" * 4001},
            {"What are you asking the receiving team to do, and why?: keep it to 4,000 characters": "#request"},
        ),
    ],
)
def test_bad_input_on_the_refer_form_stores_nothing(b, fields, errors):
    client = client_in(b)
    response = signed_in(b, "ot.north").post(
        f"/clients/{client.pk}/refer/", {**_refer(b, client, **_answers()), **fields}
    )
    assert response.status_code == 200
    assert error_links(response) == errors
    assert not Referral.objects.filter(client=client).exists()


def test_a_client_out_of_sight_cannot_be_referred(b):
    client = client_in(b)
    browser = signed_in(b, "ot.south")
    assert browser.get(f"/clients/{client.pk}/refer/").status_code == 404
    assert browser.post(f"/clients/{client.pk}/refer/", _refer(b, client, **_answers())).status_code == 404
    assert not Referral.objects.exists()


# --- The referral page and its actions ---------------------------------------------------------


def test_the_receiver_sees_the_handover_and_the_record_on_one_page(b):
    client = client_in(b)
    record_need(b.actor("ot.north"), client.pk, "mental_health", "Low mood since his wife died")
    referral = sent_referral(b, client)
    page = main_text(signed_in(b, "mh.duty").get(f"/referrals/{referral.pk}/"))
    assert "From North Community Therapy (Community Health) Referred by Ot Northson" in page
    assert "To North Community Mental Health (Mental Health Trust)" in page
    assert "Urgency Urgent" in page and "State Sent" in page
    assert "Respond by" in page and " left" in page
    for item in DEFAULT_INFORMATION_ITEMS[:-1]:
        assert f"{item.question} Answer to {item.question.lower()}" in page, item.key
    assert "Access to the home Not known: Never visited; ask the daughter" in page
    assert "NHS number Not yet known" in page and "Accountable team North Community Therapy" in page
    assert "Mental health Low mood since his wife died" in page  # the record's open needs
    assert "Consent to share" in page and "Care team" in page
    assert "History" in page and "Sent" in page.split("History", 1)[1]
    assert "Accept referral" in page and "Decline the referral" in page and "Ask for more information" in page


def test_accepting_with_a_normal_post_moves_accountability(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    browser = signed_in(b, "mh.duty")
    response = browser.post(f"/referrals/{referral.pk}/accept/", {"lead": str(b.people["mh.duty"].pk)})
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    page = main_text(browser.get(response["Location"]))
    assert "You accepted the referral. North Community Mental Health is now accountable" in page
    assert "State Accepted" in page
    client.refresh_from_db()
    assert client.accountable_team.name == "North Community Mental Health"
    assert client.lead_professional == b.people["mh.duty"]


def test_accepting_with_htmx_answers_the_page_the_panel_is_swapped_from(b):
    client = client_in(b)
    referral = sent_referral(b, client, kind="request_for_service")
    browser = signed_in(b, "mh.duty")
    response = browser.post(f"/referrals/{referral.pk}/accept/", {"lead": ""}, follow=True, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="actions"' in body and 'id="referral-status"' in body and 'id="history"' in body
    actions = body.split('id="actions"', 1)[1].split("</section>", 1)[0]
    assert "North Community Mental Health accepted this referral" in actions
    assert "Accept referral" not in actions
    assert Referral.objects.get(pk=referral.pk).work_owner == b.people["mh.duty"]


def test_the_actions_post_inline_with_htmx_and_swap_the_panel_state_and_history(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    body = signed_in(b, "mh.duty").get(f"/referrals/{referral.pk}/").content.decode()
    form = re.search(r'<form[^>]*hx-post="/referrals/\d+/accept/"[^>]*>', body)
    assert (
        form
        and 'hx-select="#actions"' in form.group(0)
        and 'hx-select-oob="#referral-status,#history"' in form.group(0)
    )
    assert f'action="/referrals/{referral.pk}/accept/"' in form.group(0)  # and without JavaScript
    assert 'name="csrfmiddlewaretoken"' in body.split(form.group(0), 1)[1].split("</form>", 1)[0]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["post", "htmx"])
def test_decline_without_an_alternative_is_an_error_and_changes_nothing(b, headers):
    client = client_in(b)
    referral = sent_referral(b, client)
    response = signed_in(b, "mh.duty").post(
        f"/referrals/{referral.pk}/decline/", {"reason": "No secondary care need", "alternative": " "}, **headers
    )
    assert response.status_code == 200
    assert error_links(response) == {
        "Suggest an alternative service or team when you decline a referral": "#alternative"
    }
    actions = response.content.decode().split('id="actions"', 1)[1]
    assert 'id="decline-details" open' in actions  # the form stays open, with what was typed
    assert "No secondary care need</textarea>" in actions
    assert Referral.objects.get(pk=referral.pk).state == "sent"
    assert Referral.objects.get(pk=referral.pk).transitions.count() == 1


def test_declining_returns_the_referral_to_the_sender(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    browser = signed_in(b, "mh.duty")
    response = browser.post(
        f"/referrals/{referral.pk}/decline/", {"reason": "No secondary care need", "alternative": "Talking therapies"}
    )
    assert response["Location"] == "/referrals/"
    assert "It has gone back to North Community Therapy" in main_text(browser.get("/referrals/"))
    assert Referral.objects.get(pk=referral.pk).state == "declined"
    page = main_text(signed_in(b, "ot.north").get(f"/referrals/{referral.pk}/"))
    assert "Reason: No secondary care need Suggested instead: Talking therapies" in page
    assert "Make a new referral" in page


def test_declining_with_htmx_loads_the_inbox_whole(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    response = signed_in(b, "mh.duty").post(
        f"/referrals/{referral.pk}/decline/", {"reason": "Not for us", "alternative": "Memory service"}, **HTMX
    )
    assert response.status_code == 204 and response["HX-Redirect"] == "/referrals/"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["post", "htmx"])
def test_asking_for_information_and_the_senders_reply(b, headers):
    client = client_in(b)
    referral = sent_referral(b, client)
    receiver = signed_in(b, "mh.duty")
    empty = receiver.post(f"/referrals/{referral.pk}/request-information/", {"question": ""}, **headers)
    assert error_links(empty) == {"Say what information you need": "#question"}
    response = receiver.post(
        f"/referrals/{referral.pk}/request-information/", {"question": "Has he seen his GP about his mood?"}, **headers
    )
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).state == "information_requested"
    sender = signed_in(b, "ot.north")
    page = main_text(sender.get(f"/referrals/{referral.pk}/"))
    assert "Mh Dutyson asked on" in page and "“Has he seen his GP about his mood?”" in page
    assert "Your reply" in page
    sender.post(f"/referrals/{referral.pk}/provide-information/", {"reply": "Yes, last week"}, **headers)
    referral.refresh_from_db()
    assert referral.state == "sent"
    history = main_text(receiver.get(f"/referrals/{referral.pk}/")).split("History", 1)[1]
    assert "Asked for information “Has he seen his GP about his mood?”" in history
    assert "Gave information “Yes, last week”" in history


def test_stopping_and_restarting_the_clock(b):
    client = client_in(b)
    referral = sent_referral(b, client, urgency="routine")
    browser = signed_in(b, "mh.duty")
    assert error_links(browser.post(f"/referrals/{referral.pk}/stop-clock/", {"stop_reason": ""})) == {
        "Give a reason for stopping the clock": "#stop_reason"
    }
    browser.post(f"/referrals/{referral.pk}/stop-clock/", {"stop_reason": "Client in respite until Monday"})
    page = main_text(browser.get(f"/referrals/{referral.pk}/"))
    assert "Clock stopped" in page and "“Client in respite until Monday”" in page
    assert "Restart the clock" in page and "Stop the response clock" not in page
    browser.post(f"/referrals/{referral.pk}/restart-clock/")
    page = main_text(browser.get(f"/referrals/{referral.pk}/"))
    assert "Restarted the clock" in page and "Stop the response clock" in page


def test_a_referral_accepted_while_its_clock_is_stopped_shows_the_stop_ended(b):
    client = client_in(b)
    referral = sent_referral(b, client, kind="request_for_service")
    browser = signed_in(b, "mh.duty")
    browser.post(f"/referrals/{referral.pk}/stop-clock/", {"stop_reason": "Waiting for the GP letter"})
    browser.post(f"/referrals/{referral.pk}/accept/", {"lead": ""})
    page = main_text(browser.get(f"/referrals/{referral.pk}/"))
    stop = Referral.objects.get(pk=referral.pk).clock_stops[-1]
    assert stop["resumed_at"] is not None  # the stop ended with the referral
    assert "“Waiting for the GP letter”" in page
    assert "still stopped" not in page and "before the clock stopped" not in page


def test_the_sender_withdraws_with_a_reason(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    browser = signed_in(b, "ot.north")
    assert error_links(browser.post(f"/referrals/{referral.pk}/withdraw/", {"withdraw_reason": ""})) == {
        "Give a reason for withdrawing the referral": "#withdraw_reason"
    }
    browser.post(f"/referrals/{referral.pk}/withdraw/", {"withdraw_reason": "He moved away"})
    assert Referral.objects.get(pk=referral.pk).state == "withdrawn"


def test_only_the_actions_allowed_are_shown_and_the_other_side_is_refused(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    sender = signed_in(b, "ot.north")
    page = main_text(sender.get(f"/referrals/{referral.pk}/"))
    assert "Accept referral" not in page and "Withdraw the referral" in page
    response = sender.post(f"/referrals/{referral.pk}/accept/", {"lead": ""})
    assert response.status_code == 200
    assert error_links(response) == {"Only the receiving team can accept this referral": "#lead"}
    assert Referral.objects.get(pk=referral.pk).state == "sent"


def test_a_referral_decided_meanwhile_says_so_and_changes_nothing(b):
    client = client_in(b)
    referral = sent_referral(b, client, kind="request_for_service")
    browser = signed_in(b, "mh.duty")
    browser.get(f"/referrals/{referral.pk}/")
    signed_in(b, "mh.manager").post(f"/referrals/{referral.pk}/accept/", {"lead": ""})
    response = browser.post(f"/referrals/{referral.pk}/decline/", {"reason": "Not for us", "alternative": "GP"})
    assert response.status_code == 200
    assert list(error_links(response)) == ["A referral that was accepted cannot be declined"]
    assert Referral.objects.get(pk=referral.pk).state == "accepted"


def test_the_declining_team_no_longer_sees_the_referral(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    decline_referral(b.actor("mh.manager"), referral.pk, "Not for us", "GP")
    response = signed_in(b, "mh.duty").post(f"/referrals/{referral.pk}/decline/", {"reason": "x", "alternative": "y"})
    assert response.status_code == 404


def test_out_of_scope_users_get_page_not_found_for_the_referral_and_every_action(b):
    client = client_in(b, family_name="Zebedee")
    referral = sent_referral(b, client)
    for who in ("ot.south", "sw.council", "commissioner"):
        browser = signed_in(b, who)
        assert browser.get(f"/referrals/{referral.pk}/").status_code == 404, who
        assert browser.get(f"/referrals/{referral.pk}/edit/").status_code == 404, who
        for action in (
            "accept",
            "decline",
            "request-information",
            "provide-information",
            "stop-clock",
            "restart-clock",
            "withdraw",
            "send",
        ):
            response = browser.post(f"/referrals/{referral.pk}/{action}/", {"reason": "x", "alternative": "y"})
            assert response.status_code == 404, (who, action)
            assert "zebedee" not in response.content.decode().lower()
    assert Referral.objects.get(pk=referral.pk).state == "sent"
    assert browser.get("/referrals/999999/").status_code == 404


def test_actions_are_posts_with_a_csrf_token(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    browser = signed_in(b, "mh.duty", enforce_csrf_checks=True)
    assert browser.get(f"/referrals/{referral.pk}/accept/").status_code == 405
    assert browser.post(f"/referrals/{referral.pk}/accept/", {"lead": ""}).status_code == 403
    assert Referral.objects.get(pk=referral.pk).state == "sent"


def test_a_sent_referral_cannot_be_edited(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    response = signed_in(b, "ot.north").get(f"/referrals/{referral.pk}/edit/")
    assert response.status_code == 403
    assert "Only a draft can be changed" in main_text(response)


# --- Worklists ---------------------------------------------------------------------------------


def test_worklists_inbox_sent_overdue_and_closed(b):
    early, late, done = client_in(b), client_in(b), client_in(b)
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LONDON), tick=False):
        first = sent_referral(b, early, urgency="emergency")
    second = sent_referral(b, late, urgency="routine")
    closed = sent_referral(b, done)
    decline_referral(b.actor("mh.duty"), closed.pk, "Not for us", "GP")
    receiver = signed_in(b, "mh.duty")
    inbox = main_text(receiver.get("/referrals/"))
    assert inbox.index(early.full_name) < inbox.index(late.full_name)  # soonest deadline first
    assert "Overdue by" in inbox and "Inbox (2)" in inbox
    overdue = main_text(receiver.get("/referrals/overdue/"))
    assert early.full_name in overdue and late.full_name not in overdue
    sender_closed = main_text(signed_in(b, "ot.north").get("/referrals/closed/"))
    assert done.full_name in sender_closed and "Declined" in sender_closed
    assert first.pk and second.pk


def test_the_team_filter_for_people_in_several_teams(b):
    client = client_in(b)
    sent_referral(b, client)
    person = b.people["coordinator.north"]
    from joinedup.directory.models import TeamMembership

    TeamMembership.objects.create(team=mental_health_team(b), practitioner=person)
    browser = signed_in(b, "coordinator.north")
    everything = main_text(browser.get("/referrals/"))
    assert client.full_name in everything and "All my teams" in everything
    only_mdt = main_text(browser.get(f"/referrals/?team={b.mdt_north.pk}"))
    assert client.full_name not in only_mdt
    not_mine = main_text(browser.get(f"/referrals/?team={b.therapy_south.pk}"))
    assert client.full_name in not_mine  # a team that is not one's own is no filter: all one's teams


def test_header_counts_referrals_awaiting_a_response_and_overdue(b):
    client, other = client_in(b), client_in(b)
    sent_referral(b, client)
    receiver = signed_in(b, "mh.duty")
    body = receiver.get("/tasks/").content.decode()
    assert 'Referrals <span class="app-count">1<span class="nhsuk-u-visually-hidden"> awaiting your response' in body
    assert "overdue</span>" not in body
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LONDON), tick=False):
        sent_referral(b, other, urgency="emergency")
    body = receiver.get("/tasks/").content.decode()
    assert '<span class="app-count">2<span class="nhsuk-u-visually-hidden"> awaiting your response' in body
    assert '<span class="app-count">1 overdue</span>' in body
    sender = signed_in(b, "ot.north").get("/tasks/").content.decode()
    assert "awaiting your response" not in sender and '<span class="app-count">1 overdue</span>' in sender


def test_the_header_offers_disputes_to_the_mdt_and_the_quality_report_to_managers(b):
    coordinator = signed_in(b, "coordinator.north").get("/tasks/").content.decode()
    assert 'href="/disputes/"' in coordinator and 'href="/handover/quality/"' in coordinator
    practitioner = signed_in(b, "ot.north").get("/tasks/").content.decode()
    assert 'href="/disputes/"' not in practitioner and 'href="/handover/quality/"' not in practitioner
    assert 'href="/referrals/"' in practitioner
    commissioner = signed_in(b, "commissioner").get("/tasks/").content.decode()
    assert 'href="/referrals/"' not in commissioner and 'href="/handover/quality/"' in commissioner


def test_handover_pages_carry_no_inline_script_or_style(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    for who, path in (
        ("ot.north", f"/clients/{client.pk}/refer/"),
        ("mh.duty", f"/referrals/{referral.pk}/"),
        ("mh.duty", "/referrals/"),
        ("coordinator.north", "/disputes/"),
    ):
        page = signed_in(b, who).get(path).content.decode()
        assert " style=" not in page and "<style" not in page, path
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], path


# --- Disputes ----------------------------------------------------------------------------------


def _dispute(b) -> tuple[Client, Dispute]:
    client = client_in(b)
    for _ in range(2):
        referral = sent_referral(b, client)
        decline_referral(b.actor("mh.duty"), referral.pk, "Physical health first", "District nursing")
    return client, Dispute.objects.get(client=client)


def test_the_mdt_coordinator_decides_a_dispute(b):
    client, dispute = _dispute(b)
    browser = signed_in(b, "coordinator.north")
    listing = main_text(browser.get("/disputes/"))
    assert client.full_name in listing and "Community Health and Mental Health Trust" in listing.replace("\n", " ")
    page = browser.get(f"/disputes/{dispute.pk}/")
    assert page.status_code == 200
    text = main_text(page)
    assert "The referrals that bounced" in text and "Physical health first" in text
    assert "Held meanwhile by" in text
    bad = browser.post(f"/disputes/{dispute.pk}/", {"team": str(b.therapy_north.pk), "lead": "", "reasons": ""})
    assert error_links(bad) == {"Record the reasons for the decision": "#reasons"}
    assert Dispute.objects.get(pk=dispute.pk).state == "open"
    team = mental_health_team(b)
    response = browser.post(
        f"/disputes/{dispute.pk}/",
        {"team": str(team.pk), "lead": str(b.people["mh.duty"].pk), "reasons": "Mental health need is primary"},
    )
    assert response.status_code == 302
    decided = main_text(browser.get(response["Location"]))
    assert "The decision is recorded." in decided and "Reasons Mental health need is primary" in decided
    client.refresh_from_db()
    assert client.accountable_team == team


def test_disputes_are_for_the_locality_mdt_only(b):
    _, dispute = _dispute(b)
    for who in ("ot.north", "mh.duty", "ot.south"):
        browser = signed_in(b, who)
        assert browser.get(f"/disputes/{dispute.pk}/").status_code == 404, who
        assert browser.post(f"/disputes/{dispute.pk}/", {"team": "1", "reasons": "x"}).status_code == 404, who
        assert browser.get("/disputes/").status_code == 403, who
    assert Dispute.objects.get(pk=dispute.pk).state == "open"


def test_a_request_for_information_does_not_stop_the_inbox_clock(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    request_information(b.actor("mh.duty"), referral.pk, "GP letter?")
    with time_machine.travel(referral.deadline_at + timedelta(hours=1), tick=False):
        inbox = main_text(signed_in(b, "mh.duty").get("/referrals/"))
    assert "Overdue by 1 hour" in inbox and "Information requested" in inbox


@pytest.mark.parametrize("path", ["/referrals/", "/referrals/sent/", "/referrals/overdue/", "/referrals/closed/"])
def test_worklist_pages_cost_the_same_for_one_referral_as_for_five(b, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(browser):
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(path).status_code == 200
        return len(queries.captured_queries)

    def add_open_and_closed():
        sent_referral(b, client_in(b))
        closed = sent_referral(b, client_in(b))
        decline_referral(b.actor("mh.duty"), closed.pk, "Not for us", "District nursing")

    add_open_and_closed()
    one = {who: count(signed_in(b, who)) for who in ("mh.duty", "ot.north")}
    for _ in range(4):
        add_open_and_closed()
    five = {who: count(signed_in(b, who)) for who in ("mh.duty", "ot.north")}
    assert five == one


def test_the_locality_mdt_sees_a_referral_page_without_actions(b):
    referral = sent_referral(b, client_in(b))
    browser = signed_in(b, "coordinator.north")
    response = browser.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    page = main_text(response)
    assert "Accept" not in page and "Withdraw" not in page
    assert browser.post(f"/referrals/{referral.pk}/accept/", {"lead": ""}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).state == "sent"


def test_the_referral_shows_the_care_team_the_record_shows(b):
    """One care team everywhere: the care plans part's, with members added by hand."""
    from joinedup.careplans.queries.care_team import care_team
    from joinedup.careplans.services.care_team import add_member

    client = client_in(b)
    add_member(b.actor("ot.north"), client.pk, role="Befriender", practitioner_id=b.people["volunteer"].pk)
    referral = sent_referral(b, client)
    page = main_text(signed_in(b, "mh.duty").get(f"/referrals/{referral.pk}/"))
    team = page.split("Care team", 1)[1]
    for row in care_team(client):
        assert row.name in team
    assert "Befriender" in team and "North Community Therapy" in team
