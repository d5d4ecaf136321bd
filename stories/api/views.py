"""The API's views: thin. Every query starts from a public queryset of the models (DESIGN.md rules
1-3), each list costs a fixed number of queries whatever its length (listed on each view), and
the one write goes through the ingest service."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound
from rest_framework.response import Response

from stories import caching
from stories.models import Claim, ClaimAppearance, EditorialNote, Source, Story, TimelineEntry
from stories.services.corroboration import independent_source_count_expression
from stories.services.ingest import IngestError, Item, ingest_item

from . import filters, serializers, timelinejs

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


class KeptAnswers:
    """Keeps successful answers in Django's cache under the site version, as public pages are
    kept (stories.caching): any save moves the version, so a kept answer is never stale, in
    any app server. Authentication, permissions and throttling run before, on every request.
    Only answers whose query parameters the view knows are kept."""

    def known_parameters(self):
        names = self.filterset_class.base_filters if self.filterset_class else ()
        return {*names, "page", "page_size", "format"}

    def kept(self, request, respond):
        if not caching.deserves_caching(request, self.known_parameters()):
            return respond()
        key = caching.versioned_key(request, caching.site_version(), kind="api")
        answer = cache.get(key)
        if answer is not None:
            data, headers = answer
            return Response(data, headers=headers)
        response = respond()
        if response.status_code == 200:
            answer = (response.data, dict(response.items()))
            cache.set(key, answer, settings.NEWSROOM_PAGE_CACHE_SECONDS)
        return response


@method_decorator(conditional_page, name="dispatch")
class PublicViewSet(KeptAnswers, viewsets.ReadOnlyModelViewSet):
    """Read-only for anyone. GET answers carry an ETag; a matching If-None-Match answers 304.
    Answers are kept in the cache until the next save (KeptAnswers)."""

    lookup_field = "slug"

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise NotAuthenticated(NOT_AUTHENTICATED)
        super().permission_denied(request, message=message, code=code)

    def get_object(self):
        obj = self.get_queryset().filter(slug=self.kwargs["slug"]).first()
        if obj is None:
            name = self.get_queryset().model._meta.verbose_name
            raise NotFound(f"No public {name} has the slug “{self.kwargs['slug'][:100]}”.")
        return obj

    def list(self, request, *args, **kwargs):
        def respond():
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            self.attach(page)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)

        return self.kept(request, respond)

    def retrieve(self, request, *args, **kwargs):
        def respond():
            obj = self.get_object()
            self.attach([obj], detail=True)
            return Response(self.get_serializer(obj).data)

        return self.kept(request, respond)

    def attach(self, rows, detail=False):
        """Load what the serializer needs for `rows` beyond the page's own query."""


def attach_story_details(stories):
    """Set, on each public story, `also_published_at` (its served copies' URLs), `claim_list` (its
    public claims and those of its served copies, each with its `quote`) and `correction_list`
    (public notes on it or its served copies): three queries for any number of stories."""
    by_id = {story.pk: story for story in stories}
    for story in stories:
        story.also_published_at, story.claim_list, story.correction_list = [], [], []
    if not by_id:
        return
    ids = list(by_id)
    copies = Story.objects.filter(Story.served_condition(), merged_into__in=ids).exclude(url="")
    for canonical_id, url in copies.order_by("pk").values_list("merged_into", "url"):
        by_id[canonical_id].also_published_at.append(url)
    # The story's own rows and those of the copies of it that readers see.
    own = Q(story__in=ids) | (Q(story__merged_into__in=ids) & Story.served_condition("story__"))
    canonical = Coalesce("story__merged_into_id", "story_id")
    appearances = (
        ClaimAppearance.objects.filter(own, claim__in=Claim.objects.public())
        .select_related("claim")
        .annotate(canonical_id=canonical)
        .order_by("claim__text", "pk")
    )
    for appearance in appearances:
        story = by_id[appearance.canonical_id]
        if all(claim.pk != appearance.claim_id for claim in story.claim_list):
            appearance.claim.quote = appearance.quote
            story.claim_list.append(appearance.claim)
    notes = EditorialNote.objects.public().filter(own).annotate(canonical_id=canonical)
    for note in notes.order_by("created_at", "pk"):
        by_id[note.canonical_id].correction_list.append(note)


@extend_schema_view(
    list=extend_schema(
        summary="Published stories",
        description="Published, canonical stories, newest first. Copies merged into a story are not "
        "listed; their addresses are in `also_published_at`.",
        responses={
            200: serializers.StorySerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **READ_ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One published story",
        description="A merged copy's slug answers 301 to its canonical story.",
        responses={
            200: serializers.StorySerializer,
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
    # Queries of a list page: 1. the page of stories with their sources and the total count;
    # 2. their copies' URLs; 3. their checked claims; 4. their public corrections.
    queryset = Story.objects.public()
    serializer_class = serializers.StorySerializer
    filterset_class = filters.StoryFilter
    http_method_names = ["get", "head", "options", "post"]

    def get_queryset(self):
        return Story.objects.public().select_related("source").defer("body")

    def attach(self, rows, detail=False):
        attach_story_details(rows)

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except NotFound:
            # A copy merged into a public story answers 301 to it, as its page does.
            copy = (
                Story.objects.filter(slug=self.kwargs["slug"], merged_into__in=Story.objects.public())
                .select_related("merged_into")
                .only("merged_into__slug")
                .first()
            )
            if copy is None:
                raise
            location = reverse("api:story-detail", args=[copy.merged_into.slug])
            return Response(status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location})

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


def public_appearances():
    served = Story.served_condition("story__")
    return (
        ClaimAppearance.objects.filter(served)
        .select_related("story__source", "story__merged_into")
        .defer("story__body", "story__merged_into__body")
        .order_by(F("story__published_at").asc(nulls_last=True), "pk")
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
    # Queries of a list page: 1. the page of claims with corroboration and the total count;
    # 2. their tags; 3. their evidence; 4. their appearances in published stories, with sources.
    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilter

    def get_queryset(self):
        return (
            Claim.objects.public()
            .with_corroboration()
            .prefetch_related(
                "tags", "evidence", Prefetch("appearances", public_appearances(), "public_appearances")
            )
            .order_by("text", "pk")
        )

    def get_serializer_class(self):
        return serializers.ClaimDetailSerializer if self.action == "retrieve" else serializers.ClaimSerializer

    def attach(self, rows, detail=False):
        if detail:
            for claim in rows:
                claim.correction_list = list(claim.notes.public())


def attach_entry_claims(entries):
    """Set `claim_list` on each entry: its claims with their independent-source counts (one query)."""
    by_id = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.claim_list = []
    pairs = (
        TimelineEntry.claims.through.objects.filter(timelineentry__in=list(by_id))
        .select_related("claim")
        .annotate(independent_sources=independent_source_count_expression(claim_field="claim_id"))
        .order_by("claim__text", "pk")
    )
    for pair in pairs:
        pair.claim.independent_sources = pair.independent_sources
        by_id[pair.timelineentry_id].claim_list.append(pair.claim)


def public_entries():
    return TimelineEntry.objects.public().select_related("timeline").order_by("date", "pk")


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
        return public_entries()

    def attach(self, rows, detail=False):
        attach_entry_claims(rows)


@method_decorator(conditional_page, name="dispatch")
@extend_schema(
    summary="The verified timeline for TimelineJS",
    description="Every public entry (not paginated) in Knight Lab TimelineJS's JSON format: pass this "
    "address to TimelineJS to embed the timeline. Takes the timeline list's filters.",
    responses={200: timelinejs.TimelineJSSerializer, 400: BAD_REQUEST, **READ_ERRORS},
)
class TimelineJSView(KeptAnswers, generics.GenericAPIView):
    # Queries: 1. the public entries with their timeline; 2. their claims.
    filterset_class = filters.TimelineEntryFilter
    pagination_class = None
    serializer_class = timelinejs.TimelineJSSerializer
    queryset = TimelineEntry.objects.none()

    def get(self, request):
        def respond():
            entries = list(self.filter_queryset(public_entries()))
            attach_entry_claims(entries)
            return Response(timelinejs.document(entries, self.get_serializer_context()))

        return self.kept(request, respond)


def public_story_count():
    count = Story.objects.public().filter(source=OuterRef("pk")).order_by().values("source")
    return Coalesce(Subquery(count.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


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
        return Source.objects.annotate(story_count=public_story_count()).order_by("name", "pk")
