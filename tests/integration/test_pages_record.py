"""The client record: who is accountable and since when, why the viewer may see it, and who may not."""

from __future__ import annotations

import html
import re

import pytest

from joinedup.core.models import AuditEvent
from joinedup.tasks.services import create_task, due_in_working_days
from tests.factories import client_in
from tests.integration.pages import main_text, signed_in

SUB_PAGES = (
    "",
    "timeline/",
    "access-history/",
    "edit/",
    "needs/new/",
    "consent/",
    "accountability/",
    "tasks/new/",
)


def test_shows_who_is_accountable_and_since_when(b):
    client = client_in(b, nhs_number="9990000018", family_name="Record")
    response = signed_in(b, "ot.north").get(f"/clients/{client.pk}/")
    page = main_text(response)
    assert "Ada RECORD" in page
    assert "999 000 0018" in page
    assert "17 May 1940 (aged" in page
    assert "Accountable team North Community Therapy" in page
    assert "Lead professional Ot Northson" in page
    since = client.accountabilities.get().since
    assert f"Since {since.astimezone().day}" in page
    assert "Why Registered" in page
    assert "You can see this record because: member of the accountable team (North Community Therapy)." in page
    assert "See who has seen this record" in page


def test_names_the_duty_worker_while_no_lead_is_named(b):
    client = client_in(b, lead=False)
    page = main_text(signed_in(b, "ot.north").get(f"/clients/{client.pk}/"))
    assert "Lead professional Ot Northson, the team's duty worker, while no lead professional is named" in page
    assert "Duty worker (no lead professional named)" in page  # in the care team


def test_the_care_team_includes_owners_of_open_tasks(b):
    client = client_in(b)
    create_task(
        b.actor("ot.north"),
        title="Assess for a stair rail",
        due_at=due_in_working_days(2),
        owner_practitioner_id=b.people["sw.council"].pk,
        client=client,
    )
    page = main_text(signed_in(b, "ot.north").get(f"/clients/{client.pk}/"))
    care_team = page.split("Care team", 1)[1].split("Care plan", 1)[0]
    assert (
        "Sw Councilson Social worker Organisation Council Adult Social Care "
        "Part Owner of an open task: Assess for a stair rail" in care_team
    )
    assert "Assess for a stair rail" in page.split("Tasks", 1)[1]


def test_the_locality_mdt_sees_the_record_and_why(b):
    client = client_in(b)
    page = main_text(signed_in(b, "coordinator.north").get(f"/clients/{client.pk}/"))
    assert "You can see this record because: member of the locality MDT (North)." in page


def test_viewing_the_record_is_audited(b):
    client = client_in(b)
    signed_in(b, "ot.north").get(f"/clients/{client.pk}/")
    event = AuditEvent.objects.filter(action="view", client_id=client.pk).latest("id")
    assert event.actor_username == "ot.north"
    assert event.outcome == "success"
    assert event.reason.startswith("member of the accountable team")


@pytest.mark.parametrize("who", ["ot.south", "commissioner", "admin", "volunteer"])
def test_no_relationship_gets_page_not_found_for_the_record_and_its_sub_pages(b, who):
    client = client_in(b, family_name="Zebedee")
    browser = signed_in(b, who)
    for part in SUB_PAGES:
        response = browser.get(f"/clients/{client.pk}/{part}")
        assert response.status_code == 404, part
        assert "Page not found" in main_text(response)
        assert "zebedee" not in response.content.decode().lower()
    refused = AuditEvent.objects.filter(
        actor_username=who, client_id=client.pk, object_id=str(client.pk), outcome="refused"
    )
    assert refused.exists()


def test_a_record_that_does_not_exist_looks_the_same_as_one_out_of_scope(b):
    client = client_in(b)
    browser = signed_in(b, "ot.south")
    missing = browser.get("/clients/999999/")
    hidden = browser.get(f"/clients/{client.pk}/")
    assert missing.status_code == hidden.status_code == 404
    assert main_text(missing) == main_text(hidden)


def test_timeline_and_access_history(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    browser.get(f"/clients/{client.pk}/")
    timeline = main_text(browser.get(f"/clients/{client.pk}/timeline/"))
    assert "Registered by Ot Northson" in timeline
    history = main_text(browser.get(f"/clients/{client.pk}/access-history/"))
    assert "Who has seen this record" in history
    assert "Ot Northson (ot.north) Community Health View member of the accountable team" in history


def test_access_history_is_only_for_those_who_answer_for_the_client(b):
    client = client_in(b)
    create_task(
        b.actor("ot.north"),
        title="Visit",
        due_at=due_in_working_days(1),
        owner_practitioner_id=b.people["sw.council"].pk,
        client=client,
    )
    browser = signed_in(b, "sw.council")
    record = main_text(browser.get(f"/clients/{client.pk}/"))
    assert "owner of an open task" in record
    assert "See who has seen this record" not in record
    assert browser.get(f"/clients/{client.pk}/access-history/").status_code == 404


def _selects(browser, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "core_auditevent" not in q["sql"]
    )


def test_reading_the_record_does_not_grow_with_what_is_on_it(b):
    """No N+1: needs, tasks, consent decisions and timeline lines are read in a fixed number of queries."""
    from joinedup.clients.services import record_consent, record_need

    client = client_in(b)
    actor = b.actor("ot.north")
    browser = signed_in(b, "ot.north")
    record_need(actor, client.pk, "housing", "First need")
    record_consent(actor, client.pk, "given", "First decision")
    create_task(
        actor, title="First task", due_at=due_in_working_days(1), owner_practitioner_id=actor.user_id, client=client
    )
    few = _selects(browser, f"/clients/{client.pk}/")
    for index in range(6):
        record_need(actor, client.pk, "carer", f"Need {index}")
        record_consent(actor, client.pk, "given" if index % 2 else "refused", f"Decision {index}")
        create_task(
            actor,
            title=f"Task {index}",
            due_at=due_in_working_days(index),
            owner_practitioner_id=b.people["sw.council" if index % 2 else "ot.north"].pk,
            client=client,
        )
    assert _selects(browser, f"/clients/{client.pk}/") == few


def test_the_record_links_to_raising_a_crisis_for_this_client(b):
    client = client_in(b, nhs_number="9990000018", family_name="Crisis")
    browser = signed_in(b, "ot.north")
    record = browser.get(f"/clients/{client.pk}/").content.decode()
    link = re.search(r'<a href="([^"]+)">Raise a crisis for Ada CRISIS</a>', record)
    assert link is not None and link.group(1) == f"/crisis/new/?client={client.pk}"
    form = browser.get(html.unescape(link.group(1)))
    page = main_text(form)
    assert form.status_code == 200 and "Raise a crisis" in page
    assert "Client Ada CRISIS" in page and "NHS number 999 000 0018" in page  # filled in: nothing to type
    assert 'name="nhs_number"' not in form.content.decode()


def test_someone_who_may_not_see_the_record_gets_neither_the_link_nor_the_form(b):
    client = client_in(b, nhs_number="9990000018")
    stranger = signed_in(b, "ot.south")
    assert stranger.get(f"/clients/{client.pk}/").status_code == 404
    refused = stranger.get(f"/crisis/new/?client={client.pk}")
    assert refused.status_code == 404 and "999 000 0018" not in refused.content.decode()
