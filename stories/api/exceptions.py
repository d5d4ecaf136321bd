"""How the API answers errors: always JSON, whatever the endpoint renders when it succeeds (the
schema's YAML, the docs' HTML), and 4xx for anything the client did wrong, with a `detail` (or
the parameter's or field's name as key) that names the problem and, for a limit, the limit."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _megabytes(size):
    return f"{size / 1024 / 1024:g} MB"


def _error(exc):
    """(status, detail) for an error Django raised while reading the request, or None."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return (
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"The request body is larger than the limit of {limit:,} bytes ({_megabytes(limit)}).",
        )
    if isinstance(exc, SuspiciousOperation):
        return status.HTTP_400_BAD_REQUEST, "The request could not be read."
    return None


def exception_handler(exc, context):
    """DRF's handler (APIException, Http404, PermissionDenied), plus the errors Django raises on
    reading a request: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413, anything else Django finds
    suspicious 400, as Django itself would answer it. Every answer it gives is rendered as JSON.
    Anything else (a bug, a database error) is left to Django: a 500 with its traceback logged,
    or the 503 of stories.middleware when the database cannot be reached."""
    response = drf_exception_handler(exc, context)
    if response is None:
        error = _error(exc)
        if error is None:
            return None
        response = Response({"detail": error[1]}, status=error[0])
    request = context.get("request")
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    return response
