"""The crisis pages (issue 5, items 1, 4, 5, 6, 7 and 10): the board and its live part, raising a
crisis, the crisis page and its actions, before admitting; bad input on every form shows the error
summary and changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from joinedup.crisis.models import AdmissionCheck, BridgingPackage, Crisis, CrisisAction
from tests.crisis_factories import crisis_setup, raised
from tests.factories import client_in
from tests.integration.pages import error_links, main_text, signed_in

FRIDAY = datetime(2026, 11, 20, 16, tzinfo=UTC)


@pytest.fixture
def setup(b):
    return crisis_setup(b)


def test_the_board_shows_open_crises_by_time_left_and_who_has_them(b, setup):
    older = raised(b, client=client_in(b, family_name="Older")).crisis
    newer = raised(b, client=client_in(b, family_name="Newer")).crisis
    Crisis.objects.filter(pk=older.pk).update(response_due_at=older.response_due_at - timedelta(minutes=30))
    page = main_text(signed_in(b, "rr.oncall").get("/crisis/?locality=north"))
    assert page.index("OLDER") < page.index("NEWER")
    assert "1 hour 29 minutes left" in page or "1 hour 30 minutes left" in page
    assert "Who answers now" in page and "Bridging packages today" in page and "6 of 6 left" in page
    assert newer.owner.display_name in page


def test_the_live_part_is_a_fragment_that_asks_again_every_10_seconds(b, setup):
    raised(b, client=client_in(b, family_name="Live"))
    response = signed_in(b, "rr.oncall").get("/crisis/board/live/?locality=north", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="board-live"')
    assert 'hx-trigger="every 10s"' in body and "LIVE" in body and "<header" not in body


def test_the_board_of_someone_not_responding_counts_the_crisis_without_naming_the_client(b, setup):
    raised(b, client=client_in(b, family_name="Hidden"))
    page = main_text(signed_in(b, "ot.south").get("/crisis/"))
    assert "HIDDEN" not in page and "The client is not named to you" in page


@pytest.mark.parametrize(("who", "status"), [("commissioner", 404), ("admin", 404)])
def test_people_who_do_not_work_with_clients_get_no_board(b, setup, who, status):
    assert signed_in(b, who).get("/crisis/").status_code == status


def test_an_unknown_locality_is_not_found(b, setup):
    assert signed_in(b, "rr.oncall").get("/crisis/?locality=atlantis").status_code == 404


def _form(**changes):
    data = {"situation": "fall", "needed": "Fell, cannot get up", "contact_name": "Dr Rao",
            "contact_phone": "020 7946 0106", "key": "form-key-0001"}  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_raising_a_crisis_from_the_record_takes_one_click_and_lands_on_its_page(b, setup):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    form = browser.get(f"/crisis/new/?client={client.pk}")
    assert client.full_name in main_text(form) and 'name="key" value="' in form.content.decode()
    response = browser.post(f"/crisis/new/?client={client.pk}", _form())
    crisis = Crisis.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/crisis/{crisis.pk}/"
    again = browser.post(f"/crisis/new/?client={client.pk}", _form())  # the button pressed twice
    assert again["Location"] == f"/crisis/{crisis.pk}/" and Crisis.objects.count() == 1


def test_someone_new_is_raised_for_with_their_details(b, setup):
    browser = signed_in(b, "ot.south")
    details = {"given_name": "Reg", "family_name": "Newman", "date_of_birth[day]": "15",
               "date_of_birth[month]": "3", "date_of_birth[year]": "1938", "gp_practice": "F84001"}  # fmt: skip
    response = browser.post("/crisis/new/", _form(**details))
    assert response.status_code == 302
    assert Crisis.objects.get().client.family_name == "Newman"


@pytest.mark.parametrize(
    ("changes", "message", "anchor"),
    [
        ({"situation": None}, "Choose what is happening", "#situation"),
        ({"needed": ""}, "Say what is needed", "#needed"),
        ({"contact_phone": "ring me"}, "Enter a phone number to call back, like 020 7946 0123", "#contact_phone"),
        (
            {"nhs_number": "123 456 7890"},
            "This is not a valid NHS number: its check digit does not match",
            "#nhs_number",
        ),
        ({"given_name": "Reg", "family_name": "Newman"}, "Enter the client's date of birth", "#date_of_birth-day"),
        (
            {"date_of_birth[day]": "31", "date_of_birth[month]": "2", "date_of_birth[year]": "1940"},
            "Date of birth must be a real date",
            "#date_of_birth-day",
        ),
    ],
)
def test_a_wrong_crisis_form_names_each_problem_and_raises_nothing(b, setup, changes, message, anchor):
    response = signed_in(b, "ot.north").post("/crisis/new/", _form(**changes))
    assert response.status_code == 200
    assert error_links(response).get(message) == anchor, error_links(response)
    assert not Crisis.objects.exists()


@pytest.fixture
def crisis(b, setup):
    return raised(b, client=client_in(b, family_name="Mercer")).crisis


def test_the_responder_acknowledges_arrives_and_records_the_outcome(b, crisis):
    browser = signed_in(b, "rr.nurse")
    page = main_text(browser.get(f"/crisis/{crisis.pk}/"))
    assert "MERCER" in page and "Acknowledge: I have this crisis" in page and "Fell at 15:00" in page
    assert browser.post(f"/crisis/{crisis.pk}/acknowledge/").status_code == 302
    assert browser.post(f"/crisis/{crisis.pk}/arrived/", {"arrived_at": ""}).status_code == 302
    assert browser.post(f"/crisis/{crisis.pk}/outcome/", {"outcome": "stayed_home"}).status_code == 302
    crisis.refresh_from_db()
    assert (crisis.state, crisis.outcome, crisis.arrived_by) == ("resolved", "stayed_home", b.people["rr.nurse"])
    assert "Stayed at home" in main_text(browser.get(f"/crisis/{crisis.pk}/"))


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("arrived/", {"arrived_at": "25:99"}, "Time of arrival: enter a time like 17:30"),
        ("actions/", {"kind": "equipment", "details": ""}, "Say what is to be done"),
        ("actions/", {"kind": "emergency_medication", "details": "Doses"}, "Choose the GP or an out-of-hours pharmacy"),
        (
            "bridging/",
            {"care_tasks": "Meals", "hours_of_care": "30", "duration_hours": "72"},
            "Enter between 0.5 and 24 hours",
        ),
        (
            "outcome/",
            {"outcome": "admitted"},
            "Answer the 'before admitting' checklist first: which alternatives were tried, and why",
        ),
        ("outcome/", {}, "Choose how the crisis ended"),
        ("cancel/", {"reason": ""}, "Say why the crisis is cancelled"),
    ],
)
def test_each_action_form_shows_its_problem_on_the_crisis_page_and_changes_nothing(b, crisis, path, data, message):
    response = signed_in(b, "rr.nurse").post(f"/crisis/{crisis.pk}/{path}", data)
    assert response.status_code == 200 and message in error_links(response), error_links(response)
    crisis.refresh_from_db()
    assert crisis.state == "raised" and not CrisisAction.objects.exists()


def test_brokerage_arranges_the_package_on_the_crisis_page(b, crisis):
    signed_in(b, "rr.nurse").post(
        f"/crisis/{crisis.pk}/bridging/", {"care_tasks": "Meals", "hours_of_care": "3", "duration_hours": "72"}
    )
    action = CrisisAction.objects.get()
    broker = signed_in(b, "broker")
    assert "Arranged with this provider" in main_text(broker.get(f"/crisis/{crisis.pk}/"))
    path = f"/crisis/{crisis.pk}/actions/{action.pk}/arrange/"
    wrong = broker.post(path, {f"a{action.pk}-provider": "Heron", f"a{action.pk}-cost": "lots"})
    assert error_links(wrong) == {"Enter the cost in pounds, for example 432.50": f"#a{action.pk}-cost"}
    right = broker.post(path, {f"a{action.pk}-provider": "Heron", f"a{action.pk}-cost": "256.50"})
    assert right.status_code == 302 and BridgingPackage.objects.get().provider == "Heron"


def test_the_before_admitting_checklist_then_an_admission(b, crisis):
    browser = signed_in(b, "rr.nurse")
    wrong = browser.post(f"/crisis/{crisis.pk}/before-admitting/", {"rapid_response_visit": "tried", "reason": ""})
    links = error_links(wrong)
    assert "Virtual ward: say if it was tried, not suitable or not available" in links and len(links) == 5
    assert not AdmissionCheck.objects.exists()
    answers = dict.fromkeys(
        ("rapid_response_visit", "bridging_package", "equipment", "carer_support", "virtual_ward"), "not_suitable"
    )
    done = browser.post(f"/crisis/{crisis.pk}/before-admitting/", {**answers, "reason": "Suspected fractured hip"})
    assert done.status_code == 302
    assert browser.post(f"/crisis/{crisis.pk}/outcome/", {"outcome": "admitted"}).status_code == 302


def test_the_raiser_sees_how_it_is_going_but_not_a_record_they_may_not_see(b, setup):
    from joinedup.crisis.raising import Person

    client = client_in(b, nhs_number="9990000034", family_name="Private")
    crisis = raised(b, by="ot.south", person=Person(nhs_number="9990000034")).crisis
    page = main_text(signed_in(b, "ot.south").get(f"/crisis/{crisis.pk}/"))
    assert "You raised this crisis" in page and "PRIVATE" not in page and "I have this crisis" not in page
    assert signed_in(b, "ot.south").get(f"/clients/{client.pk}/").status_code == 404


def test_a_crisis_page_of_someone_else_is_not_found(b, crisis):
    assert signed_in(b, "ot.south").get(f"/crisis/{crisis.pk}/").status_code == 404
    assert signed_in(b, "ot.south").post(f"/crisis/{crisis.pk}/acknowledge/").status_code == 404
    assert signed_in(b, "rr.nurse").get("/crisis/999999/").status_code == 404


def test_an_action_moves_on_from_the_crisis_page_and_a_wrong_move_is_shown(b, crisis):
    browser = signed_in(b, "rr.nurse")
    browser.post(f"/crisis/{crisis.pk}/actions/", {"kind": "equipment", "details": "Commode today", "owner": ""})
    action = CrisisAction.objects.get()
    path, field = f"/crisis/{crisis.pk}/actions/{action.pk}/status/", f"a{action.pk}-status"
    wrong = browser.post(path, {field: "lost"})
    assert error_links(wrong) == {"Choose arranged, done or cancelled": f"#{field}"}
    assert browser.post(path, {field: "done", f"a{action.pk}-note": "Delivered at 17:10"}).status_code == 302
    again = browser.post(path, {field: "arranged"})
    assert error_links(again) == {"This action is done: it cannot be arranged": f"#{field}"}
    action.refresh_from_db()
    assert (action.status, action.note) == ("done", "Delivered at 17:10")
