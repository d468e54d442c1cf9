"""Access alerts for information governance leads."""

from django.urls import path

from joinedup.governance import views

urlpatterns = [
    path("governance/alerts/", views.alert_list, name="access-alerts"),
    path("governance/alerts/<int:alert_id>/", views.alert_detail, name="access-alert"),
    path("governance/alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="access-alert-acknowledge"),
    path("governance/alerts/<int:alert_id>/close/", views.close, name="access-alert-close"),
]
