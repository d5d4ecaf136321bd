from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from stories.middleware import INLINE_STYLE_ALLOWED

from . import views

app_name = "api"
NOT_AN_ENDPOINT = {"detail": "No API endpoint at this address: see /api/docs/."}

router = DefaultRouter()
router.include_format_suffixes = False  # /api/v1/timeline.json is the TimelineJS export
router.register("stories", views.StoryViewSet, basename="story")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("sources", views.SourceViewSet, basename="source")
router.register("timeline", views.TimelineEntryViewSet, basename="timeline-entry")

urlpatterns = [
    path("v1/timeline.json", views.TimelineJSView.as_view(), name="timelinejs"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_update(INLINE_STYLE_ALLOWED)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Any other address under /api/ answers in JSON too, never with an HTML page.
    re_path(r"", lambda request: JsonResponse(NOT_AN_ENDPOINT, status=404), name="not-found"),
]
