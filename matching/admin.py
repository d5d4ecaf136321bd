"""The queue "repeats a checked claim": each match's sentence highlighted in its story's text, the
claim with its verdict, and the editor's accept or dismiss (one by one or in bulk), all through
matching.services. The story page lists its own matches."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from stories.admin.base import run_each
from stories.errors import EditorialError
from stories.models import Story

from .models import ClaimMatch
from .services import accept_match, dismiss_match

CONTEXT_CHARS = 160


def highlighted(match, *, around=None):
    """The match's field of its story, its sentence in <mark>: all of it, or `around` characters
    either side (with an ellipsis where cut). Everything is escaped."""
    text = getattr(match.story, match.field) or ""
    start, end = match.start, match.end
    if text[start:end] != match.sentence:  # the text changed since: show the sentence alone
        return format_html(
            "<mark>{}</mark> <span class='quiet'>(no longer in the text)</span>", match.sentence
        )
    before, after = text[:start], text[end:]
    if around is not None:
        before = ("…" + before[-around:]) if len(before) > around else before
        after = (after[:around] + "…") if len(after) > around else after
    return format_html("{}<mark>{}</mark>{}", before, text[start:end], after)


class QueueStateFilter(admin.SimpleListFilter):
    """The queue opens on the pending matches; decided ones are one click away."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*ClaimMatch.State.choices, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or ClaimMatch.State.PENDING) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or ClaimMatch.State.PENDING
        return queryset if value == "all" else queryset.filter(state=value)


@admin.register(ClaimMatch)
class ClaimMatchAdmin(admin.ModelAdmin):
    """The queue of repeats, best score first (the model's ordering)."""

    list_display = [
        "score_display",
        "sentence_in_story",
        "claim_with_verdict",
        "languages",
        "method",
        "review",
    ]
    list_display_links = None
    list_filter = [QueueStateFilter, "method", "language"]
    list_select_related = ["story__source", "claim"]
    search_fields = ["sentence", "claim__text", "story__title"]
    actions = ["accept_selected", "dismiss_selected"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.review_view)
        return [path("<int:pk>/review/", view, name="matching_claimmatch_review"), *super().get_urls()]

    def has_add_permission(self, request):
        return False  # matching finds them

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted match would be suggested again: dismiss it instead

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Repeats a checked claim", **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:matching_claimmatch_review", object_id)

    @admin.display(description="score", ordering="score")
    def score_display(self, match):
        return f"{match.score:.2f}"

    @admin.display(description="sentence in the story")
    def sentence_in_story(self, match):
        return format_html(
            '<a href="{}">{}</a> <span class="quiet">({})</span><br>{}',
            reverse("admin:stories_story_change", args=[match.story_id]),
            match.story.title,
            match.story.source,
            highlighted(match, around=CONTEXT_CHARS),
        )

    @admin.display(description="checked claim")
    def claim_with_verdict(self, match):
        return format_html(
            '<a href="{}">{}</a><br><span class="quiet">{}</span>',
            reverse("admin:stories_claim_change", args=[match.claim_id]),
            match.claim.text,
            match.claim.get_verdict_display(),
        )

    @admin.display(description="languages")
    def languages(self, match):
        return match.languages

    @admin.display(description="")
    def review(self, match):
        url = reverse("admin:matching_claimmatch_review", args=[match.pk])
        label = "Accept or dismiss" if match.state == ClaimMatch.State.PENDING else match.get_state_display()
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    def _may_decide(self, request, match=None):
        return self.has_change_permission(request, match) and request.user.has_perm(
            "stories.add_claimappearance"
        )

    @admin.action(description="Accept the selected repeats (tag the claim with the sentence)")
    def accept_selected(self, request, queryset):
        if not self._may_decide(request):
            raise PermissionDenied
        run_each(self, request, queryset.select_related("story", "claim"), accept_match, "repeats accepted")

    @admin.action(description="Dismiss the selected repeats (not the claim)", permissions=["change"])
    def dismiss_selected(self, request, queryset):
        run_each(self, request, queryset.select_related("story", "claim"), dismiss_match, "repeats dismissed")

    def review_view(self, request, pk):
        match = get_object_or_404(
            ClaimMatch.objects.select_related("story__source", "claim", "decided_by"), pk=pk
        )
        if not self.has_view_or_change_permission(request, match):
            raise PermissionDenied
        can_decide = match.state == ClaimMatch.State.PENDING and self._may_decide(request, match)
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            return self._decide(request, match)
        context = {
            **self.admin_site.each_context(request),
            "title": "A repeat of a checked claim",
            "opts": self.model._meta,
            "match": match,
            "text_html": highlighted(match),
            "can_decide": can_decide,
        }
        return TemplateResponse(request, "admin/matching/claimmatch/review.html", context)

    def _decide(self, request, match):
        decision = request.POST.get("decision")
        try:
            if decision == "accept":
                accept_match(match, by=request.user)
                done = f"Accepted: “{match.story}” now makes the claim “{match.claim}”."
            elif decision == "dismiss":
                dismiss_match(match, by=request.user)
                done = f"Dismissed: it will not be suggested again for “{match.story}”."
            else:
                raise EditorialError("Choose accept or dismiss.")
        except EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:matching_claimmatch_review", match.pk)
        self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:matching_claimmatch_changelist")


class StoryMatchInline(admin.TabularInline):
    """On a story's page: the sentences of the story that repeat a checked claim."""

    model = ClaimMatch
    extra = 0
    fields = readonly_fields = ["sentence_in_text", "claim_with_verdict", "score", "state", "review"]
    verbose_name = "repeat of a checked claim"
    verbose_name_plural = "repeats of checked claims"
    ordering = ["state", "-score"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("story", "claim")

    @admin.display(description="sentence")
    def sentence_in_text(self, match):
        return highlighted(match, around=CONTEXT_CHARS)

    @admin.display(description="checked claim")
    def claim_with_verdict(self, match):
        return format_html(
            "{}<br><span class='quiet'>{}</span>", match.claim.text, match.claim.get_verdict_display()
        )

    @admin.display(description="")
    def review(self, match):
        url = reverse("admin:matching_claimmatch_review", args=[match.pk])
        label = "Accept or dismiss" if match.state == ClaimMatch.State.PENDING else "Open"
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    def has_view_permission(self, request, obj=None):
        # Shown on a stored story's page only, and never part of the story's form when it is
        # saved (the list is read-only: a saved form carries no data of it).
        adding = getattr(request.resolver_match, "url_name", "") == "stories_story_add"
        if adding or request.method == "POST":
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _show_matches_on_story_pages():
    story_admin = admin.site.get_model_admin(Story)
    if StoryMatchInline not in story_admin.inlines:
        story_admin.inlines = [*story_admin.inlines, StoryMatchInline]


_show_matches_on_story_pages()
