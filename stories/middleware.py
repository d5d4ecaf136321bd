import sqlite3

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def is_api_request(request):
    """Under /api/ every answer is JSON, errors included."""
    return request.path_info.startswith("/api/")


# PostgreSQL's error codes that mean the server cannot serve this connection: class 08 (connection
# exception), the server shutting down or starting up, and no connection slot left.
POSTGRES_UNREACHABLE = {"57P01", "57P02", "57P03", "53300"}
# SQLite's primary result codes for a database file that cannot be opened, read or locked.
SQLITE_UNREACHABLE = {
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_NOTADB,
}


def _a_connection_is_down():
    """Whether a database connection this request opened is not up: never made (connecting
    failed), or closed or broken under it."""
    for wrapper in connections.all(initialized_only=True):
        raw = wrapper.connection
        if raw is None or getattr(raw, "closed", False) or getattr(raw, "broken", False):
            return True
    return False


def database_unreachable(exception):
    """Whether a database error means the database cannot be reached (the connection could not be
    made, was lost or closed, or the file cannot be opened or locked), rather than a statement that
    failed on a working connection (a deadlock, a value too long, a timeout), which is a bug or a
    load problem to see in the logs."""
    if not isinstance(exception, (OperationalError, InterfaceError)):
        return False
    cause = exception.__cause__
    if isinstance(exception, InterfaceError):
        # A closed connection (psycopg2), or a misuse such as a closed cursor (psycopg 3).
        return _a_connection_is_down()
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_UNREACHABLE
        return str(cause).startswith(
            ("unable to open", "database is locked", "disk I/O error", "file is not a database")
        )
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in POSTGRES_UNREACHABLE
    # An error the client raised itself (psycopg: "connection failed", "the connection is closed",
    # "server closed the connection unexpectedly"): unreachable when a connection is not up.
    return _a_connection_is_down()


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, readers get a friendly 503 page (no stack trace; JSON
    under /api/) and the worker stays up; the next request tries again, so the site recovers by
    itself. Any other database error is a 500 whose traceback Django logs."""

    RETRY_AFTER_SECONDS = 30
    MESSAGE = "We cannot reach our database just now. Nothing is lost; please try again in a minute."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unreachable(exception):
            return None
        if is_api_request(request):
            response = JsonResponse({"detail": self.MESSAGE}, status=503)
        else:
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
