"""Pages of care plans, the care team, visits and MDT meetings."""

from django.urls import path

from joinedup.careplans.views import care_team, meeting_items, meetings, plans, visits

_client = "clients/<int:client_id>/"
_meeting = "mdt/meetings/<int:meeting_id>/"
_item = _meeting + "items/<int:item_id>/"

urlpatterns = [
    path(_client + "care-plan/", plans.plan, name="care-plan"),
    path(_client + "care-plan/new/", plans.new_plan, name="care-plan-new"),
    path(_client + "care-plan/change/", plans.change_plan, name="care-plan-change"),
    path(_client + "care-plan/agreement/", plans.agreement, name="care-plan-agreement"),
    path(_client + "care-plan/review/", plans.review, name="care-plan-review"),
    path(_client + "care-plan/end/", plans.end, name="care-plan-end"),
    path(_client + "frailty/", plans.frailty, name="frailty"),
    path(_client + "care-team/", care_team.team, name="care-team"),
    path(_client + "care-team/<int:member_id>/end/", care_team.end, name="care-team-end"),
    path(_client + "mdt-request/", care_team.request_discussion, name="mdt-request"),
    path(_client + "visits/", visits.client_calendar, name="client-visits"),
    path(_client + "visits/new/", visits.book, name="visit-new"),
    path(_client + "visits/<int:visit_id>/", visits.visit, name="visit"),
    path(_client + "visits/<int:visit_id>/done/", visits.done, name="visit-done"),
    path(_client + "visits/<int:visit_id>/cancel/", visits.cancel, name="visit-cancel"),
    path(_client + "visits/<int:visit_id>/accept/", visits.accept, name="visit-accept"),
    path(_client + "visits/<int:visit_id>/share/", visits.share, name="visit-share"),
    path("visits/", visits.my_visits, name="my-visits"),
    path("mdt/", meetings.meeting_list, name="meetings"),
    path("mdt/series/new/", meetings.new_series, name="meeting-series-new"),
    path("mdt/series/<int:series_id>/<str:day>/", meetings.occurrence, name="meeting-occurrence"),
    path(_meeting, meetings.meeting, name="meeting"),
    path(_meeting + "propose/", meetings.propose, name="meeting-propose"),
    path(_meeting + "attendance/", meetings.attendance, name="meeting-attendance"),
    path(_meeting + "add/", meetings.add_client, name="meeting-add"),
    path(_meeting + "start/", meetings.start, name="meeting-start"),
    path(_meeting + "close/", meetings.close, name="meeting-close"),
    path(_meeting + "minutes/", meetings.minutes_page, name="meeting-minutes"),
    path(_item, meeting_items.item, name="meeting-item"),
    path(_item + "change/", meeting_items.change, name="meeting-item-change"),
    path(_item + "discussion/", meeting_items.discussion, name="meeting-item-discussion"),
    path(_item + "actions/", meeting_items.action, name="meeting-item-action"),
    path(_item + "dispute/", meeting_items.dispute, name="meeting-item-dispute"),
]
