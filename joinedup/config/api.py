"""The JSON API at /api/v1/ (django-ninja), and how errors become answers.

Every operation needs a bearer token (`joinedup token create USERNAME`). The
OpenAPI document at /api/v1/openapi.json is public: it describes the shape of
the API and holds no data, and client generators and schemathesis need it
without a token. The interactive docs (/api/v1/docs) exist in development only.

Errors, always JSON:
  400 {"detail": "<why>"}                 the body is not JSON at all
  401 {"detail": "Unauthorized"}          no token, or a wrong, expired or revoked one
  403 {"detail": "<why>"}                 you may see the record but not do this
  404 {"detail": "Not found"}             absent, or not yours to see: the two look the same
  422 {"detail": [{"type", "loc", "msg"}]} invalid input; loc names the field; nothing stored
  500 {"detail": "Sorry, ..."}            unexpected; logged, nothing internal shown
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as InputError

from joinedup.careplans.api import meetings as meetings_api
from joinedup.careplans.api import plans as plans_api
from joinedup.careplans.api import visits as visits_api
from joinedup.clients.api import router as clients_router
from joinedup.core.api_auth import PractitionerBearer
from joinedup.core.errors import NotFound, Refused
from joinedup.crisis.api import router as crises_router
from joinedup.directory import training_api
from joinedup.handover.api import disputes_router
from joinedup.handover.api import router as referrals_router
from joinedup.hospital.api import router as hospital_router
from joinedup.tasks.api import router as tasks_router

logger = logging.getLogger("joinedup.api")

NOT_FOUND = "Not found"
SERVER_ERROR = "Sorry, there is a problem with the service. It has been logged."

api = NinjaAPI(
    title="JoinedUp API",
    version="1",
    description=(__doc__ or "").split("\n\n", 1)[1],
    urls_namespace="api",
    auth=PractitionerBearer(),
    docs_url="/docs" if settings.JOINEDUP_ENV == "development" else None,
)
api.add_router("/clients", clients_router)
api.add_router("/tasks", tasks_router)
api.add_router("/referrals", referrals_router)
api.add_router("/disputes", disputes_router)
api.add_router("/hospital", hospital_router)
api.add_router("/crises", crises_router)
api.add_router("/care-plans", plans_api.router)
api.add_router("/care-teams", plans_api.care_teams)
api.add_router("/visits", visits_api.router)
api.add_router("/meetings", meetings_api.router)
api.add_router("/meeting-series", meetings_api.series_router)
api.add_router("/mdt-requests", meetings_api.requests_router)
api.add_router("/practitioners", training_api.router)
api.add_router("/teams", training_api.teams_router)


def _where(request: HttpRequest) -> str:
    return "query" if request.method in ("GET", "HEAD") else "body"


def field_errors(request: HttpRequest, error: ValidationError) -> list[dict[str, Any]]:
    """A service's ValidationError({field: message}) in the shape of the API's other 422s."""
    where = _where(request)
    if hasattr(error, "error_dict"):
        return [
            {
                "type": "invalid",
                "loc": [where] if field == "__all__" else [where, field],
                "msg": message,
            }
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"type": "invalid", "loc": [where], "msg": message} for message in error.messages]


def input_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's 422 with the name of its Python parameter taken out of loc: ["body", "field"].

    No echo of the input (it may be personal data) and no pydantic links.
    """
    cleaned = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
            loc = [loc[0], *loc[2:]]
        msg = str(error.get("msg", "Invalid")).removeprefix("Value error, ")
        cleaned.append({"type": str(error.get("type", "invalid")), "loc": loc, "msg": msg})
    return cleaned


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


@api.exception_handler(Http404)
def _no_route(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": field_errors(request, exc)}, status=422)


@api.exception_handler(InputError)
def _invalid_input(request: HttpRequest, exc: InputError) -> HttpResponse:
    return api.create_response(request, {"detail": input_errors(exc.errors)}, status=422)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": SERVER_ERROR}, status=500)
