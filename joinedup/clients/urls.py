"""Pages of the clients app."""

from django.urls import path

from joinedup.clients import change_views, flag_views, views

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("clients/search/", views.search, name="client-search"),
    path("clients/new/", views.register, name="client-new"),
    path("clients/emergency-access/", change_views.emergency_access, name="emergency-access"),
    path("clients/<int:client_id>/", views.record, name="client-record"),
    path("clients/<int:client_id>/timeline/", views.timeline, name="client-timeline"),
    path(
        "clients/<int:client_id>/access-history/",
        views.access_history,
        name="client-access-history",
    ),
    path("clients/<int:client_id>/edit/", change_views.edit, name="client-edit"),
    path("clients/<int:client_id>/needs/new/", change_views.new_need, name="need-new"),
    path(
        "clients/<int:client_id>/needs/<int:need_id>/status/",
        change_views.need_status,
        name="need-status",
    ),
    path("clients/<int:client_id>/consent/", change_views.consent, name="client-consent"),
    path("clients/<int:client_id>/flags/", flag_views.client_flags, name="client-flags"),
    path("clients/<int:client_id>/flags/<int:flag_id>/close/", flag_views.close_flag, name="client-flag-close"),
    path(
        "clients/<int:client_id>/accountability/",
        change_views.accountability,
        name="client-accountability",
    ),
    path(
        "clients/<int:client_id>/emergency-access/",
        change_views.emergency_access,
        name="client-emergency-access",
    ),
]
