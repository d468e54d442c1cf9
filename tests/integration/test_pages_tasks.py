"""Tasks and notifications pages."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from joinedup.tasks.models import Notification, Task
from joinedup.tasks.services import create_task, due_in_working_days
from tests.factories import client_in
from tests.integration.pages import error_links, main_text, signed_in


def _task_form(**changes):
    return {
        "title": "Fit a grab rail",
        "details": "",
        "owner": "me",
        "due_days": "2",
        "due_date[day]": "",
        "due_date[month]": "",
        "due_date[year]": "",
        **changes,
    }


def test_creating_a_task_about_a_client_for_me(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    form = main_text(browser.get(f"/clients/{client.pk}/tasks/new/"))
    assert "Me (Ot Northson)" in form and "North Community Therapy" in form
    response = browser.post(f"/clients/{client.pk}/tasks/new/", _task_form(), follow=True)
    assert "Task created for Ot Northson." in main_text(response)
    task = Task.objects.get(title="Fit a grab rail")
    assert task.owner_practitioner_id == b.people["ot.north"].pk
    assert task.due_at == due_in_working_days(2, start=task.created_at)
    mine = main_text(browser.get("/tasks/"))
    assert "Fit a grab rail" in mine and "left" in mine


def test_a_task_can_be_due_on_a_date_for_the_clients_team(b):
    client = client_in(b, locality="south")
    browser = signed_in(b, "ot.south")
    day = timezone.localdate() + timedelta(days=10)
    data = _task_form(
        owner=f"team:{b.therapy_south.pk}",
        due_days="",
        **{"due_date[day]": str(day.day), "due_date[month]": str(day.month), "due_date[year]": str(day.year)},
    )
    browser.post(f"/clients/{client.pk}/tasks/new/", data)
    task = Task.objects.get(title="Fit a grab rail")
    assert task.owner_team_id == b.therapy_south.pk
    assert timezone.localtime(task.due_at).date() == day and timezone.localtime(task.due_at).hour == 17


def test_task_form_errors_change_nothing(b):
    client = client_in(b)
    browser = signed_in(b, "ot.north")
    url = f"/clients/{client.pk}/tasks/new/"
    response = browser.post(url, _task_form(title="", due_days=""))
    assert error_links(response) == {
        "Enter what needs doing": "#title",
        "Enter a number of working days, or a due date": "#due_days",
    }
    response = browser.post(url, _task_form(**{"due_date[day]": "1", "due_date[month]": "1", "due_date[year]": "2030"}))
    assert error_links(response) == {"Enter a number of working days or a due date, not both": "#due_days"}
    response = browser.post(
        url, _task_form(due_days="", **{"due_date[day]": "1", "due_date[month]": "1", "due_date[year]": "2001"})
    )
    assert error_links(response) == {"The due date must be today or in the future": "#due_date-day"}
    assert not Task.objects.exists()


def test_a_team_task_is_taken_and_then_done(b):
    client = client_in(b)
    task = create_task(
        b.actor("coordinator.north"),
        title="Review at MDT",
        due_at=due_in_working_days(1),
        owner_team_id=b.therapy_north.pk,
        client=client,
    )
    browser = signed_in(b, "ot.north")
    team = main_text(browser.get("/tasks/team/"))
    assert "Review at MDT" in team and "North Community Therapy" in team
    detail = main_text(browser.get(f"/tasks/{task.pk}/"))
    assert "Take this task" in detail
    browser.post(f"/tasks/{task.pk}/take/")
    task.refresh_from_db()
    assert task.owner_practitioner_id == b.people["ot.north"].pk and task.status == "in_progress"
    response = browser.post(f"/tasks/{task.pk}/status/", {"status": "done"}, follow=True)
    assert "The task is now “done”." in main_text(response)
    assert "This task is closed." in main_text(response)
    assert "Review at MDT" not in main_text(browser.get("/tasks/"))
    assert "Review at MDT" in main_text(browser.get("/tasks/?closed=1"))


def test_a_closed_task_cannot_be_changed_again(b):
    task = create_task(
        b.actor("ot.north"),
        title="Phone GP",
        due_at=due_in_working_days(1),
        owner_practitioner_id=b.people["ot.north"].pk,
    )
    browser = signed_in(b, "ot.north")
    browser.post(f"/tasks/{task.pk}/status/", {"status": "cancelled"})
    response = browser.post(f"/tasks/{task.pk}/status/", {"status": "open"})
    assert response.status_code == 403
    assert "This task is already closed" in main_text(response)


def test_someone_elses_task_about_a_client_i_cannot_see_is_not_found(b):
    client = client_in(b)
    task = create_task(
        b.actor("ot.north"),
        title="Secret",
        due_at=due_in_working_days(1),
        owner_practitioner_id=b.people["ot.north"].pk,
        client=client,
    )
    browser = signed_in(b, "ot.south")
    assert browser.get(f"/tasks/{task.pk}/").status_code == 404
    assert browser.post(f"/tasks/{task.pk}/status/", {"status": "done"}).status_code == 404
    assert browser.post(f"/tasks/{task.pk}/take/").status_code == 404


def test_notifications_show_the_unread_count_and_are_marked_read(b):
    client = client_in(b)
    create_task(
        b.actor("coordinator.north"),
        title="Check equipment",
        due_at=due_in_working_days(1),
        owner_practitioner_id=b.people["ot.north"].pk,
        client=client,
    )
    browser = signed_in(b, "ot.north")
    page = browser.get("/notifications/")
    assert '<span class="app-count">1<span class="nhsuk-u-visually-hidden"> unread</span>' in page.content.decode()
    assert "New task: Check equipment" in main_text(page)
    assert "New" in main_text(page)
    assert browser.get("/notifications/read/").status_code == 405
    response = browser.post("/notifications/read/", follow=True)
    assert "1 notification marked as read." in main_text(response)
    assert 'class="app-count"' not in response.content.decode()
    assert not Notification.objects.filter(recipient=b.people["ot.north"], read_at__isnull=True).exists()
