"""The tasks API: mine and my team's, create, read, change status; clients shown only in scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from joinedup.tasks.models import Task
from joinedup.tasks.services import create_task, due_in_working_days
from tests.factories import client_in
from tests.integration.api_client import api_as, field_of

NOT_FOUND = {"detail": "Not found"}


def _due() -> str:
    return (timezone.now() + timedelta(days=2)).isoformat()


def test_create_a_task_for_myself_and_list_it(b):
    client = client_in(b)
    api = api_as(b, "ot.north")
    created = api.post("/tasks", {"title": "Order a perching stool", "due_at": _due(), "client": client.pk})
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["owner"] == {
        "kind": "practitioner",
        "id": b.people["ot.north"].pk,
        "name": "Ot Northson",
    }
    assert task["client"]["id"] == client.pk and task["client_hidden"] is False
    mine = api.get("/tasks").json()["results"]
    assert [row["id"] for row in mine] == [task["id"]]
    assert api.get(f"/tasks/{task['id']}").json()["title"] == "Order a perching stool"


def test_team_tasks_and_a_task_for_another_team(b):
    api = api_as(b, "ot.north")
    created = api.post(
        "/tasks",
        {"title": "Assess for a package", "due_at": _due(), "owner_team": b.social_work.pk},
    )
    assert created.status_code == 201
    assert created.json()["owner"]["kind"] == "team"
    council = api_as(b, "sw.council")
    team_tasks = council.get("/tasks", {"team": b.social_work.pk}).json()["results"]
    assert [row["id"] for row in team_tasks] == [created.json()["id"]]
    assert council.get("/tasks").json()["results"] == []  # not theirs personally
    assert api.get("/tasks", {"team": b.social_work.pk}).json() == NOT_FOUND  # not a member


def test_done_and_closed_tasks(b):
    api = api_as(b, "ot.north")
    task = api.post("/tasks", {"title": "Call the GP", "due_at": _due()}).json()
    done = api.patch(f"/tasks/{task['id']}", {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["completed_at"]
    assert api.get("/tasks").json()["results"] == []
    assert [row["id"] for row in api.get("/tasks", {"include_closed": "true"}).json()["results"]] == [task["id"]]
    again = api.patch(f"/tasks/{task['id']}", {"status": "open"})
    assert again.status_code == 403 and again.json()["detail"] == "This task is already closed"


def test_a_task_about_a_client_i_cannot_see_hides_the_client(b):
    client = client_in(b)
    task = create_task(
        b.actor("ot.north"),
        title="Handover call",
        due_at=due_in_working_days(1),
        owner_team_id=b.social_work.pk,
        client=client,
    )
    Task.objects.filter(pk=task.pk).update(status="in_progress")
    # sw.council's team owns an open task about the client, so they may see the client...
    row = api_as(b, "sw.council").get(f"/tasks/{task.pk}").json()
    assert row["client"]["id"] == client.pk
    # ...but once it is done the relationship ends and only the task remains.
    api_as(b, "sw.council").patch(f"/tasks/{task.pk}", {"status": "done"})
    row = api_as(b, "sw.council").get(f"/tasks/{task.pk}").json()
    assert row["client"] is None and row["client_hidden"] is True


def test_a_task_neither_mine_nor_about_a_client_i_see_is_404(b):
    api = api_as(b, "ot.north")
    task = api.post("/tasks", {"title": "Private note", "due_at": _due()}).json()
    other = api_as(b, "ot.south")
    assert other.get(f"/tasks/{task['id']}").json() == NOT_FOUND
    assert other.get("/tasks/987654").json() == NOT_FOUND
    assert other.patch(f"/tasks/{task['id']}", {"status": "done"}).json() == NOT_FOUND
    assert Task.objects.get(pk=task["id"]).status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "due_at": "__due__"}, "title"),
        ({"title": "x" * 201, "due_at": "__due__"}, "title"),
        ({"title": "x"}, "due_at"),
        ({"title": "x", "due_at": "2026-03-02T17:00:00"}, "due_at"),  # no time zone
        ({"title": "x", "due_at": "tomorrow"}, "due_at"),
        ({"title": "x", "due_at": "__due__", "owner_team": 99999}, "owner_team"),
        ({"title": "x", "due_at": "__due__", "owner_practitioner": 99999}, "owner_practitioner"),
        (
            {"title": "x", "due_at": "__due__", "owner_practitioner": 1, "owner_team": 1},
            "owner_team",
        ),
        ({"title": "x", "due_at": "__due__", "client": 99999}, "client"),
        ({"title": "x", "due_at": "__due__", "client": "__south__"}, "client"),  # out of scope
        ({"title": "x", "due_at": "__due__", "priority": "high"}, "priority"),
    ],
)
def test_broken_task_is_a_422_and_stores_nothing(b, body, field):
    south = client_in(b, locality="south")
    body = {
        key: {"__due__": _due(), "__south__": south.pk}.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }
    before = Task.objects.count()
    assert field_of(api_as(b, "ot.north").post("/tasks", body)) == ["body", field]
    assert Task.objects.count() == before


@pytest.mark.parametrize(("params", "field"), [({"team": "x"}, "team"), ({"mine": "1"}, "mine")])
def test_broken_task_filters_are_a_422(b, params, field):
    assert field_of(api_as(b, "ot.north").get("/tasks", params)) == ["query", field]


def test_broken_status_is_a_422(b):
    api = api_as(b, "ot.north")
    task = api.post("/tasks", {"title": "x", "due_at": _due()}).json()
    assert field_of(api.patch(f"/tasks/{task['id']}", {"status": "finished"})) == ["body", "status"]
    assert Task.objects.get(pk=task["id"]).status == "open"


def test_task_list_reads_do_not_grow_with_tasks(b, django_assert_max_num_queries):
    api = api_as(b, "ot.north")
    actor = b.actor("ot.north")
    me = b.people["ot.north"].pk
    create_task(
        actor,
        title="first",
        due_at=due_in_working_days(1),
        owner_practitioner_id=me,
        client=client_in(b),
    )
    api.get("/tasks")
    with django_assert_max_num_queries(12) as one:
        api.get("/tasks")
    for number in range(5):
        create_task(actor, title=f"t{number}", due_at=due_in_working_days(1), owner_practitioner_id=me)
    with django_assert_max_num_queries(12) as six:
        assert len(api.get("/tasks").json()["results"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("title", ["\x005", "Visit\x00"])
def test_text_with_a_nul_character_is_a_422_and_changes_nothing(b, title):
    """PostgreSQL cannot store NUL in text: refused as input, on both databases, never a 500."""
    due = (timezone.now() + timedelta(days=1)).isoformat()
    response = api_as(b, "ot.north").post("/tasks", {"title": title, "due_at": due})
    assert field_of(response) == ["body", "title"]
    assert "NUL" in response.json()["detail"][0]["msg"]
    assert not Task.objects.exists()
