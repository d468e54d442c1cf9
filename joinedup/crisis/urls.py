"""Pages of the crisis pathway: the board, raising and following a crisis, rotas, the report."""

from django.urls import path

from joinedup.crisis import action_views, report_views, rota_views, views

urlpatterns = [
    path("crisis/", views.board, name="crisis-board"),
    path("crisis/board/live/", views.board_live, name="crisis-board-live"),
    path("crisis/new/", views.raise_page, name="crisis-new"),
    path("crisis/<int:crisis_id>/", views.crisis, name="crisis"),
    path("crisis/<int:crisis_id>/acknowledge/", action_views.acknowledge, name="crisis-acknowledge"),
    path("crisis/<int:crisis_id>/arrived/", action_views.arrived, name="crisis-arrived"),
    path("crisis/<int:crisis_id>/actions/", action_views.add_action, name="crisis-action-add"),
    path("crisis/<int:crisis_id>/bridging/", action_views.bridging, name="crisis-bridging"),
    path("crisis/<int:crisis_id>/actions/<int:action_id>/arrange/", action_views.arrange, name="crisis-action-arrange"),
    path(
        "crisis/<int:crisis_id>/actions/<int:action_id>/status/",
        action_views.action_status,
        name="crisis-action-status",
    ),
    path("crisis/<int:crisis_id>/before-admitting/", action_views.before_admitting, name="crisis-before-admitting"),
    path("crisis/<int:crisis_id>/outcome/", action_views.outcome, name="crisis-outcome"),
    path("crisis/<int:crisis_id>/cancel/", action_views.cancel, name="crisis-cancel"),
    path("crisis/rotas/", rota_views.rota_list, name="crisis-rotas"),
    path("crisis/rotas/capacity/", rota_views.capacity, name="crisis-capacity"),
    path("crisis/rotas/<int:rota_id>/", rota_views.rota_detail, name="crisis-rota"),
    path("crisis/rotas/<int:rota_id>/shifts/", rota_views.add_shift, name="crisis-rota-shift-add"),
    path(
        "crisis/rotas/<int:rota_id>/shifts/<int:shift_id>/remove/",
        rota_views.remove_shift,
        name="crisis-rota-shift-remove",
    ),
    path("crisis/rotas/<int:rota_id>/people/", rota_views.rota_people, name="crisis-rota-people"),
    path("crisis/report/", report_views.report, name="crisis-report"),
    path("crisis/report/<slug:chart>.svg", report_views.report_chart, name="crisis-report-chart"),
]
