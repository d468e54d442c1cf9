"""GET /healthz (implemented by the API work)."""

from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    raise NotImplementedError
