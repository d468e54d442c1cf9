"""The FHIR R4 interface at /fhir/R4/: metadata, read, search, Patient/$everything and $validate.

Answers are FHIR JSON (application/fhir+json); every problem is an OperationOutcome: 400 for a
request that cannot be understood, 401 without a valid token, 404 for what is absent or not the
caller's to see (the two look the same), 405 for what is not served, 500 for the unexpected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from joinedup.core import tokens
from joinedup.core.access import Actor, actor_for
from joinedup.core.errors import NotFound
from joinedup.fhir import search as searching
from joinedup.fhir.capability import capability_statement
from joinedup.fhir.everything import everything as patient_everything
from joinedup.fhir.mappers import source
from joinedup.fhir.registry import BadRequest, mapper_for
from joinedup.fhir.validation.outcome import ERROR, FATAL, operation_outcome, single
from joinedup.fhir.validation.validator import default_validator

logger = logging.getLogger("joinedup.fhir")

FHIR_JSON = "application/fhir+json; charset=utf-8"
CHANNEL = "fhir"


def respond(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type=FHIR_JSON)


def problem(status: int, code: str, diagnostics: str) -> HttpResponse:
    response = respond(single(FATAL if status >= 500 else ERROR, code, diagnostics), status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="JoinedUp FHIR"'
    return response


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/R4")


def _actor(request: HttpRequest) -> Actor | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    practitioner = tokens.authenticate(token.strip())
    return actor_for(practitioner, channel=CHANNEL) if practitioner is not None else None


def _guarded(request: HttpRequest, methods: tuple[str, ...], work: Callable[[Actor], HttpResponse]) -> HttpResponse:
    """Method, token, then the work, with every failure as an OperationOutcome."""
    if request.method not in methods:
        return problem(405, "not-supported", f"{request.method} is not supported here (only {', '.join(methods)})")
    actor = _actor(request)
    if actor is None:
        return problem(401, "login", "A valid API token is needed: Authorization: Bearer ju_...")
    try:
        return work(actor)
    except NotFound:
        return problem(404, "not-found", "Not found")
    except BadRequest as error:
        return problem(400, "invalid", str(error))
    except RequestDataTooBig:
        return problem(413, "too-costly", f"The request is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes")
    except Exception:
        logger.exception("FHIR error on %s %s", request.method, request.path)
        return problem(500, "exception", "Sorry, there is a problem with the service. It has been logged.")


def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: public, like the API's OpenAPI document; it holds no data."""
    if request.method not in ("GET", "HEAD"):
        return problem(405, "not-supported", "The CapabilityStatement is read with GET")
    return respond(capability_statement(base_url(request), version("joinedup")))


def type_search(request: HttpRequest, resource_type: str) -> HttpResponse:
    def work(actor: Actor) -> HttpResponse:
        mapper = mapper_for(resource_type)
        if mapper is None:
            raise NotFound("resource type")
        search = searching.parse(mapper, request.GET)
        page = mapper.search(actor, search)
        return respond(searching.searchset(base_url(request), resource_type, search, page))

    return _guarded(request, ("GET",), work)


def instance_read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    def work(actor: Actor) -> HttpResponse:
        mapper = mapper_for(resource_type)
        if mapper is None:
            raise NotFound("resource type")
        return respond(source.read(mapper, actor, resource_id))

    return _guarded(request, ("GET",), work)


def everything(request: HttpRequest, resource_id: str) -> HttpResponse:
    return _guarded(request, ("GET",), lambda actor: respond(patient_everything(actor, resource_id, base_url(request))))


@csrf_exempt
def validate(request: HttpRequest, resource_type: str | None = None) -> HttpResponse:
    """$validate: an OperationOutcome with an issue per problem (200 whether valid or not)."""

    def work(actor: Actor) -> HttpResponse:
        if resource_type is not None and resource_type not in default_validator().definitions.resource_types:
            raise NotFound("resource type")
        _, issues = default_validator().validate_json(request.body, resource_type=resource_type)
        return respond(operation_outcome(issues, ok_text="The resource is valid FHIR R4 (4.0.1)"))

    return _guarded(request, ("POST",), work)


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem(404, "not-found", "Not found: this is not an address of the FHIR interface")
