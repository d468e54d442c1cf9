from django.http import HttpRequest, HttpResponse


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse("Page not found", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse("Forbidden", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Sorry, there is a problem with the service", status=500)
