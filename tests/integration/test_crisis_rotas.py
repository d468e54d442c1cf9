"""The rota pages (issue 5, item 2): who is on call now and next, gaps ahead, and editing rotas,
for their service manager, a manager of their team or a system administrator; bad input changes nothing."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from joinedup.core.models import AuditEvent
from joinedup.crisis.models import BridgingCapacity, RotaShift
from joinedup.crisis.rotas import NewShift, add_shifts
from tests.crisis_factories import crisis_setup
from tests.integration.pages import error_links, main_text, signed_in


@pytest.fixture
def setup(b):
    return crisis_setup(b)


def test_every_rota_shows_who_is_on_call_now_and_its_gaps(b, setup):
    page = main_text(signed_in(b, "ot.north").get("/crisis/rotas/"))
    assert "North, health" in page and "Rr Oncallson until" in page and "Second: Rr Secondson" in page
    assert "gap" in page  # nobody is on call beyond two days


def test_a_rota_page_shows_its_shifts_and_the_forms_to_its_manager_only(b, setup):
    path = f"/crisis/rotas/{setup.on_call_health.pk}/"
    assert "Put someone on call" in main_text(signed_in(b, "rr.manager").get(path))
    assert "Put someone on call" not in main_text(signed_in(b, "rr.oncall").get(path))
    assert signed_in(b, "rr.oncall").get("/crisis/rotas/999/").status_code == 404


def _shift(person, day, start="20:00", end_day=None, end="08:00", **more):
    end_day = end_day or day + timedelta(days=1)
    data = {"practitioner": str(person.pk), "start_day[day]": day.day, "start_day[month]": day.month,
            "start_day[year]": day.year, "start_time": start, "end_day[day]": end_day.day,
            "end_day[month]": end_day.month, "end_day[year]": end_day.year, "end_time": end, "position": "1",
            "repeat_weeks": "1"}  # fmt: skip
    data.update(more)
    return data


def test_the_manager_puts_someone_on_call_for_several_weeks(b, setup):
    day = timezone.localdate() + timedelta(days=3)
    before = RotaShift.objects.count()
    response = signed_in(b, "rr.manager").post(
        f"/crisis/rotas/{setup.on_call_health.pk}/shifts/", _shift(b.people["rr.second"], day, repeat_weeks="3")
    )
    assert response.status_code == 302
    added = list(RotaShift.objects.order_by("-id")[:3])
    assert RotaShift.objects.count() == before + 3
    assert {timezone.localtime(s.starts_at).time() for s in added} == {time(20)}
    assert AuditEvent.objects.filter(object_type="RotaShift", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_time": "8pm"}, "From (time): enter a time like 17:30"),
        ({"repeat_weeks": "13"}, "Enter 1 to 12 weeks"),
        ({"end_time": "19:00", "end_day[day]": None}, "Until (day) must include a day"),
        ({"position": "3"}, "Choose first or second on call"),
    ],
)
def test_a_wrong_shift_names_its_problem_and_adds_nothing(b, setup, changes, message):
    day = timezone.localdate() + timedelta(days=3)
    data = {k: v for k, v in {**_shift(b.people["rr.second"], day), **changes}.items() if v is not None}
    before = RotaShift.objects.count()
    response = signed_in(b, "rr.manager").post(f"/crisis/rotas/{setup.on_call_health.pk}/shifts/", data)
    assert response.status_code == 200 and message in error_links(response), error_links(response)
    assert RotaShift.objects.count() == before


def test_a_time_the_clocks_skip_or_a_shift_ending_before_it_starts_is_refused(b, setup):
    manager, rota = b.actor("rr.manager"), setup.on_call_health.pk
    from django.core.exceptions import ValidationError

    spring = date(2027, 3, 28)  # the clocks go forward at 01:00
    with pytest.raises(ValidationError, match="does not exist in London"):
        add_shifts(manager, rota, NewShift(b.people["rr.second"].pk, spring, time(1, 30), spring, time(9)))
    day = timezone.localdate() + timedelta(days=2)
    with pytest.raises(ValidationError, match="end after it starts"):
        add_shifts(manager, rota, NewShift(b.people["rr.second"].pk, day, time(20), day, time(8)))
    with pytest.raises(ValidationError, match="already on call"):
        now = timezone.localtime()
        add_shifts(
            manager,
            rota,
            NewShift(b.people["rr.oncall"].pk, now.date(), time(23), now.date() + timedelta(days=1), time(1)),
        )


def test_someone_else_may_not_change_the_rota(b, setup):
    day = timezone.localdate() + timedelta(days=3)
    response = signed_in(b, "rr.oncall").post(
        f"/crisis/rotas/{setup.on_call_health.pk}/shifts/", _shift(b.people["rr.second"], day)
    )
    assert response.status_code == 403 and "Only the rota's service manager" in main_text(response)


def test_removing_a_shift_to_come_deletes_it_and_one_under_way_ends_now(b, setup):
    manager = signed_in(b, "rr.manager")
    under_way = RotaShift.objects.filter(rota=setup.on_call_health, position=1).get()
    future = RotaShift.objects.create(
        rota=setup.on_call_health, practitioner=b.people["rr.second"], starts_at=timezone.now() + timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=5, hours=12), created_at=timezone.now(),
    )  # fmt: skip
    path = f"/crisis/rotas/{setup.on_call_health.pk}/shifts/"
    assert manager.post(f"{path}{future.pk}/remove/").status_code == 302
    assert manager.post(f"{path}{under_way.pk}/remove/").status_code == 302
    under_way.refresh_from_db()
    assert not RotaShift.objects.filter(pk=future.pk).exists() and under_way.ends_at <= timezone.now()


def test_the_manager_names_the_fallback_and_a_wrong_choice_is_refused(b, setup):
    path = f"/crisis/rotas/{setup.on_call_health.pk}/people/"
    manager = signed_in(b, "rr.manager")
    wrong = manager.post(path, {"manager": str(b.people["rr.manager"].pk), "fallback": "999999"})
    assert "Select a valid choice. 999999 is not one of the available choices." in error_links(wrong)
    ok = manager.post(path, {"manager": str(b.people["rr.manager"].pk), "fallback": str(b.people["rr.second"].pk)})
    setup.on_call_health.refresh_from_db()
    assert ok.status_code == 302 and setup.on_call_health.fallback == b.people["rr.second"]


def test_brokerage_sets_its_capacity_and_nobody_else_does(b, setup):
    today = timezone.localdate()
    data = {"day[day]": today.day, "day[month]": today.month, "day[year]": today.year, "packages": "9"}
    assert signed_in(b, "broker").post("/crisis/rotas/capacity/", data).status_code == 302
    assert BridgingCapacity.objects.get(day=today).packages == 9
    assert signed_in(b, "rr.nurse").post("/crisis/rotas/capacity/", {**data, "packages": "1"}).status_code == 403
    wrong = signed_in(b, "broker").post("/crisis/rotas/capacity/", {**data, "packages": "-1"})
    assert "Enter 0 to 500 packages" in error_links(wrong)
    assert BridgingCapacity.objects.get(day=today).packages == 9
    assert "9 of 9 left" in main_text(signed_in(b, "rr.nurse").get("/crisis/"))


def test_a_system_administrator_sets_up_a_rota_in_the_admin_and_it_is_audited(b, setup):
    from django.contrib.auth.models import Permission
    from django.test import Client as Browser

    from joinedup.crisis.models import Rota

    admin = b.people["admin"]
    admin.is_staff = True
    admin.save()
    admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="crisis", content_type__model="rota"))
    browser = Browser()
    browser.force_login(admin)
    manager = b.people["rr.manager"]
    form = {"locality": str(b.south.pk), "sector": "health", "team": str(setup.rapid_response.pk),
            "manager": str(manager.pk), "fallback": str(manager.pk)}  # fmt: skip
    response = browser.post("/admin/crisis/rota/add/", form)
    assert response.status_code == 302, response.content[:2000]
    rota = Rota.objects.get(locality=b.south, sector="health")
    assert AuditEvent.objects.filter(object_type="Rota", object_id=str(rota.pk), action="create").exists()
    duplicate = browser.post("/admin/crisis/rota/add/", form)
    assert duplicate.status_code == 200 and Rota.objects.filter(locality=b.south, sector="health").count() == 1


def test_what_every_board_shows_alike_is_shared_for_a_few_seconds(b, setup):
    from django.core.cache import cache
    from django.test import override_settings

    from joinedup.crisis.board import board
    from joinedup.crisis.rotas import set_bridging_capacity

    cache.clear()
    with override_settings(JOINEDUP_CRISIS_BOARD_SHARED_SECONDS=5):
        assert board(b.actor("rr.nurse")).bridging.capacity == 6
        set_bridging_capacity(b.actor("broker"), timezone.localdate(), 9)
        assert board(b.actor("rr.oncall")).bridging.capacity == 6  # shared, at most 5 seconds old
        cache.clear()
        assert board(b.actor("rr.oncall")).bridging.capacity == 9
    assert board(b.actor("rr.oncall")).bridging.capacity == 9  # 0 seconds: computed every time
