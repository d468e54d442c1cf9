"""Every route of JoinedUp: pages, the API at /api/v1/, the admin and /healthz."""

from django.contrib import admin
from django.urls import include, path

from joinedup.config.api import api
from joinedup.core import health

urlpatterns = [
    # First: a request is matched against every pattern before the one it resolves to, and the
    # pages' are some 140 (150 µs of CPU per API request when the API came last). No page is under api/.
    path("api/v1/", api.urls),
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
    path("admin/", admin.site.urls),
]

handler404 = "joinedup.core.views.not_found"
handler403 = "joinedup.core.views.forbidden"
handler500 = "joinedup.core.views.server_error"
