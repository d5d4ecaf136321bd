from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def is_api_request(request):
    """Under /api/ every answer is JSON, errors included."""
    return request.path_info.startswith("/api/")


class DatabaseUnavailableMiddleware:
    """When the database does not answer, readers get a friendly 503 page (no stack trace) and
    the worker stays up; the next request tries again, so the site recovers by itself."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


# The one character no stored text can hold: PostgreSQL refuses NUL in any text value. (Decoding
# an address or a query string never yields a lone surrogate, the other thing UTF-8 cannot encode:
# Django re-escapes or replaces undecodable bytes.)
NUL = "\x00"
NUL_MESSAGE = "a NUL character (%00)"


class UnstorableInputMiddleware:
    """Input that no database query can take answers 400 before any view runs, instead of a
    database error: an address, a query parameter or the Authorization header holding a NUL
    character, or too many query parameters. The answer names the parameter: in JSON under /api/
    (keyed by the parameter's name, as the API's filters answer), as a plain page elsewhere.
    Listed after the middleware that sets security headers, so the answer carries them too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.problem(request)
        if problem is not None:
            return self.refuse(request, *problem)
        return self.get_response(request)

    def problem(self, request):
        """(parameter name or None, what is wrong), or None when the request is fine."""
        if NUL in request.path_info:
            return None, f"The address contains {NUL_MESSAGE}, which no address here holds."
        try:
            parameters = list(request.GET.lists())
        except TooManyFieldsSent:
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            return None, f"The query string has more than {limit} parameters, the limit."
        for name, values in parameters:
            if NUL in name:
                return None, f"A query parameter's name contains {NUL_MESSAGE}."
            if any(NUL in value for value in values):
                return name, f"Contains {NUL_MESSAGE}, which no valid value holds."
        if NUL in request.META.get("HTTP_AUTHORIZATION", ""):
            return None, f"The Authorization header contains {NUL_MESSAGE}."
        return None

    def refuse(self, request, parameter, message):
        if is_api_request(request):
            body = {parameter: [message]} if parameter else {"detail": message}
            return JsonResponse(body, status=400)
        if parameter:
            message = f"The query parameter “{parameter}”: {message[0].lower()}{message[1:]}"
        return HttpResponse(render_to_string("400.html", {"message": message}), status=400)


class UnstorableCookiesMiddleware:
    """A cookie holding a NUL character (a session key the database would be asked for) is
    ignored, as if it had not been sent. Listed before SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if NUL in name + value]:
            del request.COOKIES[name]
        return self.get_response(request)


# The Content-Security-Policy allows no inline style, except on pages of third-party UIs that
# write style attributes: Django's admin, and Swagger UI (the API docs, through csp_update).
INLINE_STYLE_ALLOWED = {"style-src": ["'unsafe-inline'"]}


class AdminStylePolicyMiddleware:
    """Allows inline style on the admin's pages. Listed after CSPMiddleware, so the update is in
    place when that middleware writes the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            response._csp_update = INLINE_STYLE_ALLOWED
        return response
