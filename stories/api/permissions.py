"""Who may do what through the API, and how often anonymous clients may ask."""

from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class ReadOnlyOrIngest(DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; a write needs a token whose user holds the model permission
    (POST /api/v1/stories/ needs "stories.add_story"). A method the endpoint does not answer
    (PUT, PATCH, DELETE anywhere; POST but on the story list) is 405 for everyone, with or
    without a token, rather than a 401 or 403 suggesting that a token would help."""

    message = (
        "This token's user may not ingest stories: it needs the permission "
        "“stories | story | Can add story” (stories.add_story), given in the admin."
    )

    def has_permission(self, request, view):
        if request.method not in view.allowed_methods:
            raise MethodNotAllowed(request.method)
        # Reading needs nothing: answered before the model permissions are worked out.
        return request.method in SAFE_METHODS or super().has_permission(request, view)


class AnonymousThrottle(AnonRateThrottle):
    """Requests without a token, counted per client address at NEWSROOM_API_ANON_RATE."""

    def get_rate(self):
        # Read at request time, so a changed setting applies without a restart of the class.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
