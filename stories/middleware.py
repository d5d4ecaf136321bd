from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string


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
