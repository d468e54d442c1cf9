"""Pages of the handover: referring a client, the referral page and its actions, worklists, disputes."""

from django.urls import path

from joinedup.handover import action_views, views

urlpatterns = [
    path("clients/<int:client_id>/refer/", views.refer, name="refer"),
    path("referrals/", views.worklist, name="worklist"),
    path("referrals/sent/", views.worklist, {"which": "sent"}, name="worklist-sent"),
    path("referrals/overdue/", views.worklist, {"which": "overdue"}, name="worklist-overdue"),
    path("referrals/closed/", views.worklist, {"which": "closed"}, name="worklist-closed"),
    path("referrals/<int:referral_id>/", action_views.referral, name="referral"),
    path("referrals/<int:referral_id>/edit/", views.edit, name="referral-edit"),
    path("referrals/<int:referral_id>/send/", action_views.send, name="referral-send"),
    path("referrals/<int:referral_id>/accept/", action_views.accept, name="referral-accept"),
    path("referrals/<int:referral_id>/decline/", action_views.decline, name="referral-decline"),
    path(
        "referrals/<int:referral_id>/request-information/",
        action_views.request_information,
        name="referral-request-information",
    ),
    path(
        "referrals/<int:referral_id>/provide-information/",
        action_views.provide_information,
        name="referral-provide-information",
    ),
    path("referrals/<int:referral_id>/stop-clock/", action_views.stop_clock, name="referral-stop-clock"),
    path("referrals/<int:referral_id>/restart-clock/", action_views.restart_clock, name="referral-restart-clock"),
    path("referrals/<int:referral_id>/withdraw/", action_views.withdraw, name="referral-withdraw"),
    path("disputes/", views.dispute_list, name="disputes"),
    path("disputes/<int:dispute_id>/", views.dispute, name="dispute"),
]
