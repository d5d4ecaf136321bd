"""The API's views: thin. Every query starts from a public queryset of the models (DESIGN.md rules
1-3), each list costs a fixed number of queries whatever its length (listed on each view), and
the one write goes through the ingest service."""

from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from stories import caching, selectors
from stories.models import TimelineEntry
from stories.services.ingest import IngestError, Item, ingest_item

from . import filters, ninjs, serializers, timelinejs

NOT_AUTHENTICATED = (
    "This needs a token: send the header 'Authorization: Token <key>'. "
    "Editors are given tokens in the admin (Auth Token > Tokens)."
)


def _error(description, example):
    return OpenApiResponse(
        serializers.ErrorSerializer,
        description=description,
        examples=[OpenApiExample("Error", value={"detail": example})],
    )


BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A parameter could not be understood: each key names one, with what was wrong.",
    examples=[OpenApiExample("Bad date", value={"published_after": ["Enter a valid date."]})],
)
UNAUTHORIZED = _error("The token given is not valid.", "Invalid token.")
NOT_FOUND = _error("No such object, or no such page.", "No public story has the slug “no-such-story”.")
THROTTLED = _error("Too many requests from this address.", "Request was throttled.")
READ_ERRORS = {401: UNAUTHORIZED, 429: THROTTLED}


NEW_STORY = "stored as a new story: it appears in the API and on the site once an editor publishes it"


class IngestRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "ingest_refused"


# Parameters whose values are checked before an answer is kept: the page (an answer exists only
# for a page that exists) and filters with a fixed list of values (others answer 400).
KEPT_PARAMETERS = {"page", "format", "verdict", "kind", "reliability"}


def _freeze(response):
    return response.data, dict(response.items())


def _thaw(frozen):
    data, headers = frozen
    return Response(data, headers=headers)


@method_decorator(conditional_page, name="dispatch")
class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only for anyone, through stories.selectors. GET answers carry an ETag; a matching
    If-None-Match answers 304. Answers are kept in the cache until the next public change
    (stories.caching), after authentication, permissions and throttling have run."""

    lookup_field = "slug"

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise NotAuthenticated(NOT_AUTHENTICATED)
        super().permission_denied(request, message=message, code=code)

    def kept(self, request, build):
        response, _ = caching.kept(
            request, build, kind="api", parameters=KEPT_PARAMETERS, freeze=_freeze, thaw=_thaw
        )
        return response

    def not_found(self):
        name = self.get_queryset().model._meta.verbose_name
        return NotFound(f"No public {name} has the slug “{self.kwargs['slug'][:100]}”.")

    def get_object(self):
        obj = self.get_queryset().filter(slug=self.kwargs["slug"]).first()
        if obj is None:
            raise self.not_found()
        return obj

    def paginated(self, request, rows):
        """The page of `rows` the request asks for, serialised, with `attach` run on it."""
        page = self.paginate_queryset(rows)
        if request.query_params.get("page", "1") == str(self.paginator.number):
            caching.values_known(request)
        self.attach(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def list(self, request, *args, **kwargs):
        return self.kept(request, lambda: self.paginated(request, self.filter_queryset(self.get_queryset())))

    def retrieve(self, request, *args, **kwargs):
        def build():
            obj = self.get_object()
            self.attach([obj], detail=True)
            return Response(self.get_serializer(obj).data)

        return self.kept(request, build)

    def attach(self, rows, detail=False):
        """Load what the serializer needs for `rows` beyond the page's own query."""


@extend_schema_view(
    list=extend_schema(
        summary="Published stories",
        description="Published, canonical stories, newest first. Copies merged into a story are not "
        "listed; their addresses are in `also_published_at`. `?format=ninjs`: each story as an IPTC "
        "ninjs 2.1 object.",
        responses={
            (200, "application/json"): serializers.StorySerializer(many=True),
            (200, ninjs.NINJS_MEDIA_TYPE): ninjs.STORY_SCHEMA,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **READ_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One published story",
        description="A merged copy's slug answers 301 to its canonical story. `?format=ninjs`: as an IPTC "
        "ninjs 2.1 object.",
        responses={
            (200, "application/json"): serializers.StorySerializer,
            (200, ninjs.NINJS_MEDIA_TYPE): ninjs.STORY_SCHEMA,
            301: OpenApiResponse(description="A merged copy: `Location` is its canonical story."),
            404: NOT_FOUND,
            **READ_ERRORS,
        },
    ),
    create=extend_schema(
        summary="Ingest one story",
        description="Checks, cleans and stores one article as `manage.py ingest` does. Needs a token "
        "whose user has the permission stories.add_story. An exact or near copy of a stored story "
        "answers 200 with the canonical story and `duplicate: true`; a new story answers 201 and "
        "waits for an editor before it is published.",
        request=serializers.IngestSerializer,
        responses={
            201: serializers.IngestResultSerializer,
            200: serializers.IngestResultSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The item was refused: `detail` (or the field's name) says what was wrong.",
                examples=[
                    OpenApiExample(
                        "Refused", value={"detail": "bad URL 'ftp://x': give an absolute http(s) address"}
                    ),
                    OpenApiExample("Missing title", value={"title": ["This field is required."]}),
                ],
            ),
            401: _error("No token, or not a valid one.", NOT_AUTHENTICATED),
            403: _error(
                "The token's user may not ingest stories.", "This token's user may not ingest stories…"
            ),
            429: THROTTLED,
        },
        examples=[
            OpenApiExample(
                "An article",
                request_only=True,
                value={
                    "title": "Japan to send officers to NATO command",
                    "url": "https://news.example.org/2026/05/29/japan-nsatu",
                    "source": "news-example",
                    "published_at": "2026-05-29T09:00:00+09:00",
                    "body": "The Ministry of Defense said on Friday ...",
                },
            )
        ],
    ),
)
class StoryViewSet(PublicViewSet):
    # Queries of a list page: 1. the total count (none when every public story is listed: it is
    # stored; none for a search: read with the page); 2. the page of stories with their sources;
    # 3. their copies; 4. their checked claims; 5. their public corrections.
    serializer_class = serializers.StorySerializer
    filterset_class = filters.StoryFilter
    http_method_names = ["get", "head", "options", "post"]
    read_renderer_classes = [JSONRenderer, ninjs.NinjsRenderer]  # ?format=json (the default) or ninjs

    def get_queryset(self):
        return selectors.stories()

    def get_renderers(self):
        if self.action in ("list", "retrieve"):
            return [renderer() for renderer in self.read_renderer_classes]
        return super().get_renderers()

    def get_serializer_class(self):
        renderer = getattr(self.request, "accepted_renderer", None) if self.request else None
        if isinstance(renderer, ninjs.NinjsRenderer):
            return ninjs.NinjsStorySerializer
        return super().get_serializer_class()

    def attach(self, rows, detail=False):
        selectors.attach_story_details(rows)

    def known_count(self, request):
        """Every public story is listed: their number is stored, no need to count them."""
        if not set(request.query_params) - {"page", "page_size", "format", "ordering"}:
            return selectors.story_count()
        return None

    def counted_with_rows(self, request):
        """A search ranks every match to sort them: the page's rows carry the number of matches
        (see stories.api.pagination), rather than a second query counting them again."""
        return bool(request.query_params.get("q", "").strip()) and "ordering" not in request.query_params

    def retrieve(self, request, *args, **kwargs):
        def build():
            found = selectors.story_by_slug(self.kwargs["slug"])
            if found.moved_to is not None:  # a merged copy answers 301 to its story, as its page does
                location = reverse("api:story-detail", args=[found.moved_to.slug])
                if request.GET:  # the same format
                    location += f"?{request.GET.urlencode()}"
                return Response(status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location})
            if found.story is None:
                raise self.not_found()
            return Response(self.get_serializer(found.story).data)

        return self.kept(request, build)

    def create(self, request, *args, **kwargs):
        given = serializers.IngestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            result = ingest_item(Item(**given.validated_data), by=request.user)
        except IngestError as exc:
            raise IngestRefused(str(exc)) from None
        duplicate = result.outcome in ("unchanged", "merged")
        message = result.message or {"new": NEW_STORY, "updated": "updated"}.get(result.outcome, "")
        body = serializers.IngestResultSerializer(
            {
                "outcome": result.outcome,
                "duplicate": duplicate,
                "message": message,
                "story": result.canonical,
            },
            context=self.get_serializer_context(),
        ).data
        return Response(
            body, status=status.HTTP_201_CREATED if result.outcome == "new" else status.HTTP_200_OK
        )


@extend_schema_view(
    list=extend_schema(
        summary="Checked claims",
        description="Claims with a verdict made in at least one published story, alphabetically.",
        responses={
            200: serializers.ClaimSerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **READ_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One checked claim, with its public corrections",
        responses={200: serializers.ClaimDetailSerializer, 404: NOT_FOUND, **READ_ERRORS},
    ),
)
class ClaimViewSet(PublicViewSet):
    # Queries of a list page: 1. the total count; 2. the page of claims (their counts are stored
    # on them); 3. their tags; 4. their evidence. A claim's detail adds its first appearances.
    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilter

    def get_queryset(self):
        claims = selectors.claims().prefetch_related("evidence")
        return selectors.with_appearance_preview(claims) if self.action == "retrieve" else claims

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ClaimDetailSerializer
        if self.action == "appearances":
            return serializers.AppearanceSerializer
        return serializers.ClaimSerializer

    def attach(self, rows, detail=False):
        if detail:
            for claim in rows:
                claim.correction_list = list(selectors.corrections(claim=claim))

    @extend_schema(
        summary="Where a checked claim appears",
        description="Its appearances in published stories (and the copies merged into them), oldest first.",
        responses={
            200: serializers.AppearanceSerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **READ_ERRORS,
        },
        filters=False,
    )
    @action(detail=True, filterset_class=None)
    def appearances(self, request, slug=None):
        def build():
            claim = selectors.claim_by_slug(slug)
            if claim is None:
                raise self.not_found()
            return self.paginated(request, selectors.appearances(claim))

        return self.kept(request, build)


@extend_schema_view(
    list=extend_schema(
        summary="The verified timeline",
        description="Published entries whose every claim is accurate or mostly accurate, oldest first. "
        "The same in TimelineJS format: /api/v1/timeline.json.",
        responses={
            200: serializers.TimelineEntrySerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **READ_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One timeline entry",
        responses={200: serializers.TimelineEntrySerializer, 404: NOT_FOUND, **READ_ERRORS},
    ),
)
class TimelineEntryViewSet(PublicViewSet):
    # Queries of a list page: 1. the page of public entries with their timeline and the total
    # count; 2. their claims with independent-source counts.
    serializer_class = serializers.TimelineEntrySerializer
    filterset_class = filters.TimelineEntryFilter

    def get_queryset(self):
        return selectors.timeline_entries()

    def attach(self, rows, detail=False):
        selectors.attach_entry_claims(rows)


@method_decorator(conditional_page, name="dispatch")
@extend_schema(
    summary="The verified timeline for TimelineJS",
    description="Every public entry (not paginated) in Knight Lab TimelineJS's JSON format: pass this "
    "address to TimelineJS to embed the timeline. Takes the timeline list's filters.",
    responses={200: timelinejs.TimelineJSSerializer, 400: BAD_REQUEST, **READ_ERRORS},
)
class TimelineJSView(generics.GenericAPIView):
    # Queries: 1. the public entries' claims, with the entries and their timeline's title.
    filterset_class = filters.TimelineEntryFilter
    pagination_class = None
    serializer_class = timelinejs.TimelineJSSerializer
    queryset = TimelineEntry.objects.none()

    def get(self, request):
        def build():
            entries = selectors.timeline_export(
                self.filter_queryset(selectors.timeline_entries()),
                timelinejs.ENTRY_FIELDS,
                timelinejs.CLAIM_FIELDS,
            )
            return Response(timelinejs.document(entries, self.get_serializer_context()))

        response, _ = caching.kept(
            request, build, kind="api", parameters=KEPT_PARAMETERS, freeze=_freeze, thaw=_thaw
        )
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Sources",
        description="Every outlet, with the desk's reliability rating and its number of published stories.",
        responses={
            200: serializers.SourceSerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **READ_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One source", responses={200: serializers.SourceSerializer, 404: NOT_FOUND, **READ_ERRORS}
    ),
)
class SourceViewSet(PublicViewSet):
    # Queries of a list page: 1. the page of sources with story counts and the total count.
    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilter

    def get_queryset(self):
        return selectors.sources()
