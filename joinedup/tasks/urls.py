"""Pages of the tasks app: tasks and notifications."""

from django.urls import path

from joinedup.tasks import views

urlpatterns = [
    path("tasks/", views.my_tasks, name="my-tasks"),
    path("tasks/team/", views.team_tasks, name="team-tasks"),
    path("tasks/<int:task_id>/", views.task_detail, name="task-detail"),
    path("tasks/<int:task_id>/status/", views.task_status, name="task-status"),
    path("tasks/<int:task_id>/take/", views.take, name="task-take"),
    path("clients/<int:client_id>/tasks/new/", views.new_task, name="task-new"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_all_read, name="notifications-read"),
]
