"""Pages of the hospital feed."""

from django.urls import path

from joinedup.hospital import views

urlpatterns = [
    path("hospital/", views.due, name="hospital-due"),
    path("hospital/overdue/", views.overdue, name="hospital-overdue"),
    path("hospital/bounced/", views.bounced, name="hospital-bounced"),
    path("hospital/feed-exceptions/", views.feed_exceptions, name="feed-exceptions"),
    path("hospital/feed-exceptions/<int:exception_id>/", views.feed_exception, name="feed-exception"),
    path("hospital/feed-exceptions/<int:exception_id>/match/", views.match, name="feed-exception-match"),
    path("hospital/feed-exceptions/<int:exception_id>/discard/", views.discard, name="feed-exception-discard"),
    path("clients/<int:client_id>/hospital/", views.journey, name="client-hospital"),
]
