from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.urls import path

from stories.errors import EditorialError
from stories.models import ENTRY_CONTENT_FIELDS, EntryRevision, Timeline, TimelineEntry
from stories.services.timeline import (
    PUBLISH_PERMISSION,
    edit_entry,
    publish_entry,
    publish_revision,
    unpublish_entry,
)

from .base import HistoryAdmin, SlugNotNumberMixin, run_each
from .diff import side_by_side


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
            ("changed", "Published, with a change waiting"),
        ]

    def queryset(self, request, queryset):
        publishable = TimelineEntry.objects.publishable()
        if self.value() == "waiting":
            return queryset.exclude(pk__in=publishable.values("pk"))
        if self.value() == "ready":
            return queryset.filter(pk__in=publishable.values("pk"), is_published=False)
        if self.value() == "published":
            return queryset.filter(is_published=True)
        if self.value() == "changed":
            return queryset.filter(pk__in=EntryRevision.objects.pending().values("entry"))
        return queryset


class TimelineEntryForm(forms.ModelForm):
    """A published entry's form shows the change waiting for a chief editor, if any: saving it
    makes a new pending revision from what the form holds (stories.services.timeline.edit_entry)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.instance
        waiting = entry.revisions.pending().first() if entry.pk and entry.is_published else None
        if waiting is not None:
            self.initial.update({name: getattr(waiting, name) for name in ENTRY_CONTENT_FIELDS})
            self.initial["claims"] = list(waiting.claims.values_list("pk", flat=True))


def revision_diff(revision):
    """[(field label, published html, proposed html)] of what `revision` changes in its entry."""
    entry, rows = revision.entry, []
    for name in ("title", "text"):
        before, after = getattr(entry, name), getattr(revision, name)
        if before != after:
            rows.append((TimelineEntry._meta.get_field(name).verbose_name, *side_by_side(before, after)))
    shown = TimelineEntry(date=revision.date, precision=revision.precision)
    if shown.display_date != entry.display_date:
        rows.append(("date", entry.display_date, shown.display_date))
    published = {claim.pk: claim.text for claim in entry.claims.all()}
    proposed = {claim.pk: claim.text for claim in revision.claims.all()}
    if published.keys() != proposed.keys():
        rows.append(
            ("claims", *side_by_side("\n\n".join(published.values()), "\n\n".join(proposed.values())))
        )
    return rows


@admin.register(TimelineEntry)
class TimelineEntryAdmin(SlugNotNumberMixin, HistoryAdmin):
    form = TimelineEntryForm
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

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Through the service, which keeps a published entry's change waiting for a chief editor.
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "claims"}
        claims = form.cleaned_data["claims"] if "claims" in form.changed_data else None
        revision = edit_entry(obj, changes, claims, by=request.user)
        if revision is not None:
            self.message_user(
                request,
                f"Readers keep the published “{revision.entry.title}” until a chief editor publishes "
                "your change.",
                messages.WARNING,
                fail_silently=True,
            )

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        for formset in formsets:  # the entry's claims were saved (or kept waiting) by save_model
            self.save_formset(request, form, formset, change=change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_publish": self.has_publish_permission(request)}
        entry = self.get_object(request, object_id)
        revision = entry.revisions.pending().select_related("proposed_by").first() if entry else None
        if revision is not None:
            extra.update(pending_revision=revision, revision_diff=revision_diff(revision))
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def publication_view(self, request, pk, verb):
        entry = get_object_or_404(TimelineEntry, pk=pk)
        if request.method != "POST" or verb not in ("publish", "unpublish", "revision"):
            raise PermissionDenied
        if not self.has_publish_permission(request):
            raise PermissionDenied
        try:
            if verb == "revision":
                revision = EntryRevision.objects.filter(
                    entry=entry, pk=request.POST.get("revision") or 0
                ).first()
                if revision is None:
                    raise EditorialError("That change is no longer there: reload the page.")
                publish_revision(revision, by=request.user)
                entry.refresh_from_db()
                self.message_user(request, f"Published the change to “{entry.title}”.", messages.SUCCESS)
            elif verb == "publish":
                publish_entry(entry, by=request.user)
                self.message_user(request, f"Published “{entry.title}” on the timeline.", messages.SUCCESS)
            else:
                unpublish_entry(entry, by=request.user)
                self.message_user(request, f"Took “{entry.title}” off the timeline.", messages.SUCCESS)
        except EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
        return redirect("admin:stories_timelineentry_change", entry.pk)
