"""Pages of the directory app."""

from django.urls import path

from joinedup.directory import views

urlpatterns = [
    path("teams/", views.my_teams, name="my-teams"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("localities/<int:locality_id>/", views.locality, name="locality"),
]
