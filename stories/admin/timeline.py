from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.urls import path

from stories.errors import EditorialError
from stories.models import Timeline, TimelineEntry
from stories.services.timeline import publish_entry, unpublish_entry

from .base import HistoryAdmin, SlugNotNumberMixin, run_each

PUBLISH_PERMISSION = "stories.publish_timelineentry"


@admin.register(Timeline)
class TimelineAdmin(SlugNotNumberMixin, admin.ModelAdmin):
    list_display = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}


class ReadinessFilter(admin.SimpleListFilter):
    title = "readiness"
    parameter_name = "readiness"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Waiting for verdicts"),
            ("ready", "Ready to publish"),
            ("published", "Published"),
        ]

    def queryset(self, request, queryset):
        publishable = TimelineEntry.objects.publishable()
        if self.value() == "waiting":
            return queryset.exclude(pk__in=publishable.values("pk"))
        if self.value() == "ready":
            return queryset.filter(pk__in=publishable.values("pk"), is_published=False)
        if self.value() == "published":
            return queryset.filter(is_published=True)
        return queryset


@admin.register(TimelineEntry)
class TimelineEntryAdmin(SlugNotNumberMixin, HistoryAdmin):
    list_display = ["title", "display_date", "precision", "publishable", "is_published"]
    list_filter = [ReadinessFilter, "is_published", "precision", "timeline"]
    list_select_related = ["timeline"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["claims"]
    readonly_fields = ["is_published", "published_at", "published_by"]
    actions = ["publish", "unpublish"]
    change_form_template = "admin/stories/timelineentry/change_form.html"

    def get_queryset(self, request):
        publishable = TimelineEntry.objects.publishable().filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_publishable=Exists(publishable))

    def get_urls(self):
        view = self.admin_site.admin_view(self.publication_view)
        return [
            path("<int:pk>/publication/<str:verb>/", view, name="stories_timelineentry_publication"),
            *super().get_urls(),
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        timelines = list(Timeline.objects.all()[:2])
        if len(timelines) == 1:  # the usual case: one story, one timeline
            initial.setdefault("timeline", timelines[0].pk)
        return initial

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("stories.delete_timelineentry") and not (obj and obj.is_published)

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.display(description="publishable", boolean=True, ordering="is_publishable")
    def publishable(self, obj):
        return obj.is_publishable

    @admin.action(description="Publish the selected entries", permissions=["publish"])
    def publish(self, request, queryset):
        run_each(self, request, queryset, publish_entry, "entries published")

    @admin.action(description="Unpublish the selected entries", permissions=["publish"])
    def unpublish(self, request, queryset):
        run_each(self, request, queryset, unpublish_entry, "entries unpublished")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_publish": self.has_publish_permission(request)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def publication_view(self, request, pk, verb):
        entry = get_object_or_404(TimelineEntry, pk=pk)
        if request.method != "POST" or verb not in ("publish", "unpublish"):
            raise PermissionDenied
        if not self.has_publish_permission(request):
            raise PermissionDenied
        try:
            if verb == "publish":
                publish_entry(entry, by=request.user)
                self.message_user(request, f"Published “{entry.title}” on the timeline.", messages.SUCCESS)
            else:
                unpublish_entry(entry, by=request.user)
                self.message_user(request, f"Took “{entry.title}” off the timeline.", messages.SUCCESS)
        except EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
        return redirect("admin:stories_timelineentry_change", entry.pk)
