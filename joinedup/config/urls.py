"""Every route of JoinedUp: pages, the API at /api/v1/, the admin and /healthz."""

from django.contrib import admin
from django.urls import include, path

from joinedup.config.api import api
from joinedup.core import health

urlpatterns = [
    path("", include("joinedup.core.urls")),
    path("", include("joinedup.directory.urls")),
    path("", include("joinedup.clients.urls")),
    path("", include("joinedup.tasks.urls")),
    path("", include("joinedup.handover.urls")),
    path("", include("joinedup.handover.report_urls")),
    path("", include("joinedup.fhir.urls")),
    path("", include("joinedup.hospital.urls")),
    path("", include("joinedup.crisis.urls")),
    path("", include("joinedup.careplans.urls")),
    path("", include("joinedup.directory.training_urls")),
    path("", include("joinedup.governance.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "joinedup.core.views.not_found"
handler403 = "joinedup.core.views.forbidden"
handler500 = "joinedup.core.views.server_error"
