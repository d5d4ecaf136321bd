import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from stories.errors import EditorialError
from stories.models import (
    TEXT_FIELDS,
    Claim,
    ClaimAppearance,
    DuplicateCandidate,
    MergeRecord,
    Source,
    Story,
    StoryVersion,
)
from stories.services import outlets, versions
from stories.services.candidates import dismiss_candidate, merge_candidate, merge_stories
from stories.services.claims import tag_claim
from stories.services.merge import unmerge

from .base import HistoryAdmin, NoteAuthorMixin, SlugNotNumberMixin, StoryNoteInline, clipped, run_each
from .diff import side_by_side


def _story_text(story):
    return story.body or story.summary


class AppearanceInline(admin.TabularInline):
    """Appearances are added only through "Tag a claim" on a story, which checks the quote."""

    model = ClaimAppearance
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


class StoryAppearanceInline(AppearanceInline):
    fields = readonly_fields = ["claim", "quote", "dropped_at"]


class ClaimAppearanceInline(AppearanceInline):
    fields = readonly_fields = ["story", "quote"]


class DomainsField(forms.CharField):
    """Host names, one per line (or separated by commas), stored as a list; a URL gives its host."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        hosts = []
        for part in re.split(r"[\s,]+", super().to_python(value) or ""):
            if not part:
                continue
            host = outlets.clean_host(part)
            if not host:
                raise forms.ValidationError(f"“{part[:100]}” is not a host name such as news.example.org.")
            if host not in hosts:
                hosts.append(host)
        return hosts


class SourceForm(forms.ModelForm):
    extra_domains = DomainsField(
        required=False,
        help_text=Source._meta.get_field("extra_domains").help_text + " One per line.",
    )

    class Meta:
        model = Source
        fields = [
            *("name", "slug", "homepage", "extra_domains", "kind", "reliability", "description"),
            "needs_review",
        ]


@admin.register(Source)
class SourceAdmin(SlugNotNumberMixin, admin.ModelAdmin):
    form = SourceForm
    list_display = ["name", "kind", "reliability", "homepage", "needs_review"]
    list_filter = ["needs_review", "kind", "reliability"]
    search_fields = ["name", "homepage"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["mark_reviewed"]

    @admin.action(description="Mark the selected outlets as reviewed (public)", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        run_each(self, request, queryset.filter(needs_review=True), outlets.mark_reviewed, "outlets reviewed")


class MergeForm(forms.Form):
    canonical = forms.ModelChoiceField(
        queryset=Story.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep this story",
        help_text="Readers of the others are sent to it; nothing is deleted, and the merge can be undone.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why these are the same story; kept with the merge record.",
    )

    def __init__(self, stories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canonical"].queryset = Story.objects.filter(pk__in=[s.pk for s in stories])
        self.fields["canonical"].label_from_instance = lambda s: (
            f"{s.title} ({s.source}, {s.published_at:%d %b %Y})"
            if s.published_at
            else f"{s.title} ({s.source})"
        )


class TagClaimForm(forms.Form):
    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Paste the story's own words that make the claim.",
    )
    claim = forms.ModelChoiceField(queryset=Claim.objects.all(), required=False)  # autocomplete: see below
    text = forms.CharField(
        required=False,
        max_length=Claim._meta.get_field("text").max_length,
        label="…or a new claim",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="One checkable statement, written as a full sentence. It starts unreviewed.",
    )

    def __init__(self, admin_site, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"] = forms.ModelChoiceField(
            queryset=Claim.objects.all(),
            required=False,
            label="Existing claim",
            help_text="Type to search the claims on file.",
            widget=AutocompleteSelect(ClaimAppearance._meta.get_field("claim"), admin_site),
        )


class ChangedSinceReviewFilter(admin.SimpleListFilter):
    """Stories with a new text waiting for an editor (stories.services.versions)."""

    title = "changed since review"
    parameter_name = "changed"

    def lookups(self, request, model_admin):
        return [("yes", "A new text waits for review"), ("no", "No new text")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(versions.has_pending())
        if self.value() == "no":
            return queryset.exclude(versions.has_pending())
        return queryset


class VersionInline(admin.TabularInline):
    """The texts the story was seen with, newest first; each one opens its comparison."""

    model = StoryVersion
    extra = 0
    fields = readonly_fields = ["seen_at", "kind", "state", "origin", "accepted_by", "compare"]
    ordering = ["-seen_at", "-id"]
    verbose_name_plural = "versions of the text"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("accepted_by")

    @admin.display(description="")
    def compare(self, version):
        url = reverse("admin:stories_story_version", args=[version.story_id, version.pk])
        return format_html('<a href="{}">Compare with the current text</a>', url)

    # Versions are read through the story's own permissions and written only by the service.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("stories.view_story") or request.user.has_perm("stories.change_story")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Story)
class StoryAdmin(SlugNotNumberMixin, NoteAuthorMixin, HistoryAdmin):
    list_display = ["title", "source", "published_at", "status_and_review", "merged_into_clipped"]
    list_filter = [ChangedSinceReviewFilter, "status", "source__kind", "source"]
    list_select_related = ["source", "merged_into"]
    search_fields = ["title", "url", "summary"]
    date_hierarchy = "published_at"
    readonly_fields = ["merged_into", "fingerprint", "created_at", "updated_at"]
    autocomplete_fields = ["source"]
    inlines = [StoryAppearanceInline, VersionInline, StoryNoteInline]
    actions = ["merge_selected", "accept_pending_texts"]
    change_form_template = "admin/stories/story/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/tag-claim/", view(self.tag_claim_view), name="stories_story_tag_claim"),
            path(
                "<int:pk>/versions/<int:version_pk>/", view(self.version_view), name="stories_story_version"
            ),
            path("<int:pk>/undo-merge/", view(self.undo_merge_view), name="stories_story_undo_merge"),
            *super().get_urls(),
        ]

    def has_delete_permission(self, request, obj=None):
        return False  # stories are merged or rejected, never deleted

    @admin.display(description="merged into", ordering="merged_into")
    def merged_into_clipped(self, story):
        return clipped(str(story.merged_into)) if story.merged_into_id else None

    @admin.display(description="status", ordering="status")
    def status_and_review(self, story):
        if getattr(story, "has_pending_text", False):
            return format_html(
                '{}<br><span class="badge changed" title="{}">changed since review</span>',
                story.get_status_display(),
                "A new text waits for an editor; readers see the reviewed one.",
            )
        return story.get_status_display()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_pending_text=versions.has_pending())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "source" in form.base_fields:
            # As on every ingest path: left empty, the outlet is found from the URL's host (a new
            # one is created for review), or the story is filed under "Unattributed".
            form.base_fields["source"].required = False
            form.base_fields["source"].help_text = (
                "Leave empty to find it from the URL's host, or to file the story under "
                "“Unattributed” for review."
            )
        return form

    def save_model(self, request, obj, form, change):
        if not change and obj.source_id is None:
            obj.source, _how = outlets.resolve(url=obj.url)
        # Through the versions service: the edit is recorded as a version accepted by the editor,
        # and the fields it changed are never overwritten by a later ingest.
        versions.save_edit(obj, form.changed_data if change else TEXT_FIELDS, by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        story = self.get_object(request, object_id)
        extra = {}
        if story is not None:
            extra = {
                "merge_record": self._active_merge(story) if story.merged_into_id else None,
                "copies": list(story.copies.select_related("source")),
                "can_tag": self._may_tag(request, story),
                "pending_version": StoryVersion.objects.pending().filter(story=story).first(),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.action(description="Accept the new text waiting for the selected stories", permissions=["change"])
    def accept_pending_texts(self, request, queryset):
        run_each(
            self, request, queryset.filter(versions.has_pending()), versions.accept_pending, "texts accepted"
        )

    def version_view(self, request, pk, version_pk):
        story = get_object_or_404(Story.objects.select_related("source"), pk=pk)
        version = get_object_or_404(
            StoryVersion.objects.select_related("created_by", "accepted_by", "dismissed_by"),
            pk=version_pk,
            story=story,
        )
        if not self.has_view_or_change_permission(request, story):
            raise PermissionDenied
        can_decide = version.is_pending and self.has_change_permission(request, story)
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            return self._decide_version(request, story, version)
        rows = []
        for name in TEXT_FIELDS:
            current, seen = getattr(story, name), getattr(version, name)
            if name == "published_at":
                current, seen = (f"{value:%Y-%m-%d %H:%M} UTC" if value else "" for value in (current, seen))
            left, right = side_by_side(current, seen)
            label = Story._meta.get_field(name).verbose_name
            rows.append({"name": label, "changed": current != seen, "left": left, "right": right})
        context = {
            **self.admin_site.each_context(request),
            "title": f"A text of “{story}”",
            "opts": self.model._meta,
            "original": story,
            "version": version,
            "rows": rows,
            "can_decide": can_decide,
        }
        return TemplateResponse(request, "admin/stories/story/version.html", context)

    def _decide_version(self, request, story, version):
        decision = request.POST.get("decision")
        try:
            if decision == "accept":
                versions.accept_version(version, by=request.user)
                done = f"Accepted the new text of “{story}”: readers see it now."
            elif decision == "dismiss":
                versions.dismiss_version(version, by=request.user)
                done = f"Dismissed the new text of “{story}”: readers keep the reviewed one."
            else:
                raise EditorialError("Choose accept or dismiss.")
        except EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:stories_story_version", story.pk, version.pk)
        self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:stories_story_change", story.pk)

    @staticmethod
    def _active_merge(story):
        """The merge that made `story` a copy: its own, or the merge that moved it along a chain."""
        return (
            MergeRecord.objects.active()
            .filter(Q(duplicate=story) | Q(repointed=story))
            .select_related("canonical", "merged_by")
            .order_by("-created_at", "-id")
            .first()
        )

    def _may_tag(self, request, story):
        return self.has_change_permission(request, story) and request.user.has_perm(
            "stories.add_claimappearance"
        )

    @admin.action(description="Merge selected stories…", permissions=["change"])
    def merge_selected(self, request, queryset):
        stories = list(queryset.select_related("source", "merged_into"))
        if len(stories) < 2:
            self.message_user(request, "Select at least two stories to merge.", messages.WARNING)
            return None
        form = MergeForm(stories, request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            canonical = form.cleaned_data["canonical"]
            try:
                records = merge_stories(
                    canonical, stories, by=request.user, reason=form.cleaned_data["reason"]
                )
            except EditorialError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request, f"Merged {len(records)} stories into “{canonical}”.", messages.SUCCESS
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge stories",
            "opts": self.model._meta,
            "stories": stories,
            "form": form,
            "action_name": "merge_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/stories/story/merge_confirmation.html", context)

    def tag_claim_view(self, request, pk):
        story = get_object_or_404(Story.objects.select_related("source"), pk=pk)
        if not self._may_tag(request, story):
            raise PermissionDenied
        form = TagClaimForm(self.admin_site, request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if data["text"].strip() and not request.user.has_perm("stories.add_claim"):
                raise PermissionDenied
            try:
                appearance = tag_claim(story, data["quote"], data["claim"], data["text"], by=request.user)
            except EditorialError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request, f"Tagged the claim “{appearance.claim}” in “{story}”.", messages.SUCCESS
                )
                return redirect("admin:stories_story_change", story.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Tag a claim in “{story}”",
            "opts": self.model._meta,
            "original": story,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/stories/story/tag_claim.html", context)

    def undo_merge_view(self, request, pk):
        story = get_object_or_404(Story, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, story):
            raise PermissionDenied
        record = self._active_merge(story)
        if record is None:
            self.message_user(request, f"“{story}” is not merged into another story.", messages.WARNING)
        else:
            _undo(self, request, record)
        return redirect("admin:stories_story_change", story.pk)


def _undo(modeladmin, request, record):
    try:
        unmerge(record, by=request.user)
    except EditorialError as error:
        modeladmin.message_user(request, str(error), messages.ERROR)
    else:
        modeladmin.message_user(request, f"Undone: {record}.", messages.SUCCESS)


class DroppedQuoteFilter(admin.SimpleListFilter):
    title = "quote watch"
    parameter_name = "dropped"

    def lookups(self, request, model_admin):
        return [("yes", "No longer in the text"), ("no", "In the text")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(dropped_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(dropped_at__isnull=True)
        return queryset


@admin.register(ClaimAppearance)
class ClaimAppearanceAdmin(admin.ModelAdmin):
    """Where claims are made; the quote watch flags those a new text of the story dropped."""

    list_display = ["claim_clipped", "story", "quote_clipped", "dropped_at"]
    list_filter = [DroppedQuoteFilter]
    list_select_related = ["claim", "story"]
    search_fields = ["quote", "claim__text", "story__title"]
    fields = readonly_fields = ["claim", "story", "quote", "created_at", "dropped_at", "dropped_in"]
    actions = ["clear_dropped"]

    @admin.display(description="claim", ordering="claim__text")
    def claim_clipped(self, appearance):
        return clipped(appearance.claim.text)

    @admin.display(description="quote")
    def quote_clipped(self, appearance):
        return clipped(appearance.quote)

    def has_add_permission(self, request):
        return False  # through "Tag a claim" on a story, which checks the quote

    @admin.action(description="Clear the quote-watch flag (checked by an editor)", permissions=["change"])
    def clear_dropped(self, request, queryset):
        count = versions.clear_quote_flags(queryset)
        self.message_user(request, f"{count} flags cleared.", messages.SUCCESS)


@admin.register(MergeRecord)
class MergeRecordAdmin(HistoryAdmin):
    list_display = ["__str__", "merged_by", "created_at", "score", "undone_at"]
    list_filter = ["undone_at"]
    list_select_related = ["duplicate", "canonical", "merged_by"]
    readonly_fields = [
        "duplicate",
        "canonical",
        "merged_by",
        "reason",
        "score",
        "candidate",
        "created_at",
        "undone_at",
        "undone_by",
    ]
    exclude = ["repointed"]
    actions = ["undo"]
    change_form_template = "admin/stories/mergerecord/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.undo_view)
        return [path("<int:pk>/undo/", view, name="stories_mergerecord_undo"), *super().get_urls()]

    def has_add_permission(self, request):
        return False  # merges are made through the merge service, from the stories or the queue

    def has_delete_permission(self, request, obj=None):
        return False  # a merge is undone, never deleted

    @admin.action(description="Undo the selected merges", permissions=["change"])
    def undo(self, request, queryset):
        run_each(self, request, queryset, unmerge, "merges undone")

    def undo_view(self, request, pk):
        record = get_object_or_404(MergeRecord, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, record):
            raise PermissionDenied
        _undo(self, request, record)
        return redirect("admin:stories_mergerecord_change", record.pk)


class QueueStateFilter(admin.SimpleListFilter):
    """The queue opens on the pending pairs; decided ones are one click away."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*DuplicateCandidate.State.choices, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or DuplicateCandidate.State.PENDING) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or DuplicateCandidate.State.PENDING
        return queryset if value == "all" else queryset.filter(state=value)


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    """The duplicate queue: pending pairs, best score first (the model's ordering)."""

    list_display = ["score_display", "kind", "left", "right", "state", "compare"]
    list_display_links = None
    list_filter = [QueueStateFilter, "kind"]
    list_select_related = ["story_a__source", "story_b__source"]
    actions = ["dismiss_selected"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.compare_view)
        return [
            path("<int:pk>/compare/", view, name="stories_duplicatecandidate_compare"),
            *super().get_urls(),
        ]

    def has_add_permission(self, request):
        return False  # the detector finds pairs

    def has_delete_permission(self, request, obj=None):
        return False  # deleting a pair would let the detector queue it again: dismiss it instead

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Duplicate queue", **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:stories_duplicatecandidate_compare", object_id)

    @admin.display(description="score", ordering="score")
    def score_display(self, obj):
        return f"{obj.score:.2f}"

    @staticmethod
    def _story_cell(story):
        date = f"{story.published_at:%d %b %Y}" if story.published_at else "no date"
        return format_html(
            '<a href="{}">{}</a><br><span class="quiet">{} · {}{}</span>',
            reverse("admin:stories_story_change", args=[story.pk]),
            story.title,
            story.source,
            date,
            " · merged" if story.merged_into_id else "",
        )

    @admin.display(description="left story")
    def left(self, obj):
        return self._story_cell(obj.story_a)

    @admin.display(description="right story")
    def right(self, obj):
        return self._story_cell(obj.story_b)

    @admin.display(description="")
    def compare(self, obj):
        url = reverse("admin:stories_duplicatecandidate_compare", args=[obj.pk])
        return format_html('<a class="button" href="{}">Compare and decide</a>', url)

    @admin.action(description="Dismiss selected pairs (not duplicates)", permissions=["change"])
    def dismiss_selected(self, request, queryset):
        run_each(self, request, queryset, dismiss_candidate, "pairs dismissed")

    def compare_view(self, request, pk):
        candidate = get_object_or_404(
            DuplicateCandidate.objects.select_related("story_a__source", "story_b__source", "decided_by"),
            pk=pk,
        )
        if not self.has_view_or_change_permission(request, candidate):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request, candidate)
        left_html, right_html = side_by_side(_story_text(candidate.story_a), _story_text(candidate.story_b))
        context = {
            **self.admin_site.each_context(request),
            "title": "Compare a pair",
            "opts": self.model._meta,
            "candidate": candidate,
            "left_html": left_html,
            "right_html": right_html,
            "can_decide": candidate.state == DuplicateCandidate.State.PENDING
            and self.has_change_permission(request, candidate)
            and request.user.has_perm("stories.change_story"),
        }
        return TemplateResponse(request, "admin/stories/duplicatecandidate/compare.html", context)

    def _decide(self, request, candidate):
        if not (
            self.has_change_permission(request, candidate) and request.user.has_perm("stories.change_story")
        ):
            raise PermissionDenied
        decision = request.POST.get("decision")
        try:
            if decision == "dismiss":
                dismiss_candidate(candidate, by=request.user)
                done = "Dismissed: these two are not the same story."
            elif decision in ("left", "right"):
                keep = candidate.story_a if decision == "left" else candidate.story_b
                record = merge_candidate(
                    candidate, keep, by=request.user, reason=request.POST.get("reason", "")
                )
                undo = reverse("admin:stories_mergerecord_change", args=[record.pk])
                done = format_html(
                    'Merged: {}. <a href="{}">Undo it from the merge record</a>.', record, undo
                )
            else:
                raise EditorialError(
                    "Choose merge into the left story, merge into the right story, or dismiss."
                )
        except EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:stories_duplicatecandidate_compare", candidate.pk)
        self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:stories_duplicatecandidate_changelist")
