"""Pages of training records and competencies."""

from django.urls import path

from joinedup.directory import training_views

urlpatterns = [
    path("training/", training_views.my_training, name="my-training"),
    path("practitioners/<int:practitioner_id>/training/", training_views.practitioner_training, name="training"),
    path("practitioners/<int:practitioner_id>/training/new/", training_views.record_training, name="training-new"),
    path("practitioners/<int:practitioner_id>/competencies/", training_views.grant, name="competency-new"),
    path(
        "practitioners/<int:practitioner_id>/competencies/<int:competency_id>/withdraw/",
        training_views.revoke,
        name="competency-withdraw",
    ),
    path("teams/<int:team_id>/training/", training_views.matrix, name="training-matrix"),
]
