"""Reports of the handover: the quality page for managers, MDT coordinators and commissioners."""

from django.urls import path

from joinedup.handover import report_views

urlpatterns = [
    path("handover/quality/", report_views.quality, name="handover-quality"),
    path("handover/quality/chart.svg", report_views.quality_chart, name="handover-quality-chart"),
]
