import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path

from stories.errors import EditorialError
from stories.models import Claim, ClaimReview, EditorialNote, Evidence, Tag, Verdict
from stories.services.claims import (
    OVERRIDE_PERMISSION,
    approve_verdict,
    check_verdict,
    override_verdict,
    propose_verdict,
    required_reviews,
    review_state,
)

from .base import ClaimNoteInline, HistoryAdmin, NoteAuthorMixin, SlugNotNumberMixin
from .stories import ClaimAppearanceInline


@admin.register(Tag)
class TagAdmin(SlugNotNumberMixin, admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["url", "publisher", "title", "kind"]


def _fingerprint(verdict, explanation):
    return f"{verdict}|{hashlib.sha256((explanation or '').strip().encode()).hexdigest()[:16]}"


class ClaimForm(forms.ModelForm):
    """The claim's wording and tags, saved as they are; and a verdict to propose. The verdict
    fields show the proposal waiting, or else the public verdict; changing them proposes a new
    verdict (stories.services.claims.propose_verdict), which a second editor approves. The
    hidden `verdict_seen` remembers what the page showed when it was loaded, so a page opened
    before another editor's verdict change cannot put back the verdict it showed."""

    proposed_verdict = forms.ChoiceField(label="Verdict", choices=Verdict.choices, widget=forms.RadioSelect)
    proposed_explanation = forms.CharField(
        label="Explanation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=Claim._meta.get_field("explanation").help_text,
    )
    verdict_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = ["text", "slug", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown, state = self.instance, ""
        if self.instance.pk:
            shown = self.instance.reviews.pending().first() or self.instance
            state = review_state(self.instance.pk)
        self.fields["proposed_verdict"].initial = shown.verdict
        self.fields["proposed_explanation"].initial = shown.explanation
        self.fields["verdict_seen"].initial = f"{state}#{_fingerprint(shown.verdict, shown.explanation)}"
        self.proposes = False

    def clean(self):
        data = super().clean()
        if "proposed_verdict" not in data:
            return data
        verdict, explanation = data["proposed_verdict"], data.get("proposed_explanation", "")
        state, _, shown = (data.get("verdict_seen") or "").partition("#")
        if not shown:  # a form without what it showed: compare with what it would show now
            state, _, shown = self.fields["verdict_seen"].initial.partition("#")
        self.proposes = _fingerprint(verdict, explanation) != shown
        self.seen_state = state or None
        if self.proposes:
            try:
                check_verdict(verdict, explanation)
            except EditorialError as error:
                self.add_error("proposed_explanation", str(error))
            if self.instance.pk and state != review_state(self.instance.pk):
                self.add_error(
                    None,
                    "Another editor changed this claim's verdict since you opened the page: reload it to see "
                    "their change, then propose yours again if it still stands. Nothing was saved.",
                )
        return data


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("pending", "Verdict awaiting a second editor")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(reviews__state=ClaimReview.State.PENDING)
        return queryset


class ClaimReviewInline(admin.TabularInline):
    """The claim's verdict reviews, newest first: who proposed what, who approved it, when."""

    model = ClaimReview
    extra = 0
    can_delete = False
    verbose_name_plural = "verdict reviews"
    fields = readonly_fields = [
        *("verdict", "state", "proposed_by", "proposed_at"),
        *("approved_by", "approved_at", "override_reason"),
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("stories.view_claim")


@admin.register(Claim)
class ClaimAdmin(SlugNotNumberMixin, NoteAuthorMixin, HistoryAdmin):
    form = ClaimForm
    list_display = ["text", "verdict", "independent_sources", "reviewed_by", "reviewed_at"]
    list_filter = ["verdict", ReviewFilter, "tags"]
    list_select_related = ["reviewed_by"]
    search_fields = ["text", "explanation"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["independent_sources"]
    fieldsets = [
        (None, {"fields": ["text", "slug", "tags", "independent_sources"]}),
        (
            "Propose a verdict",
            {
                "fields": ["proposed_verdict", "proposed_explanation", "verdict_seen"],
                "description": "A verdict readers see needs a second editor's approval.",
            },
        ),
    ]
    inlines = [ClaimReviewInline, ClaimAppearanceInline, EvidenceInline, ClaimNoteInline]
    change_form_template = "admin/stories/claim/change_form.html"

    def has_delete_permission(self, request, obj=None):
        return False  # a wrong claim gets a verdict, it is not deleted

    def get_urls(self):
        view = self.admin_site.admin_view(self.review_view)
        return [
            path("<int:pk>/review/<str:verb>/", view, name="stories_claim_review"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # the wording and tags; never the verdict
        if form.proposes:
            verdict, explanation = (
                form.cleaned_data["proposed_verdict"],
                form.cleaned_data["proposed_explanation"],
            )
            try:
                propose_verdict(
                    obj, verdict, explanation, by=request.user, seen=form.seen_state if change else None
                )
            except EditorialError as error:
                self.message_user(request, str(error), messages.ERROR)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        extra = {}
        if claim is not None:
            extra = {
                "pending_review": claim.reviews.pending().select_related("proposed_by").first(),
                "review_state": review_state(claim.pk),
                "can_override": request.user.has_perm(OVERRIDE_PERMISSION),
                "required_reviews": required_reviews(),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def review_view(self, request, pk, verb):
        """Approve the proposal waiting (a second editor), or publish it at once with a reason (a
        chief editor's override)."""
        claim = get_object_or_404(Claim, pk=pk)
        if request.method != "POST" or verb not in ("approve", "override"):
            raise PermissionDenied
        if not self.has_change_permission(request, claim):
            raise PermissionDenied
        review = ClaimReview.objects.filter(claim=claim, pk=request.POST.get("review") or 0).first()
        try:
            if review is None:
                raise EditorialError("That proposal is no longer there: reload the page.")
            if verb == "approve":
                approve_verdict(review, by=request.user)
                done = f"Approved: “{claim}” is now {review.get_verdict_display().lower()} for readers."
            else:
                if review.state != ClaimReview.State.PENDING:
                    raise EditorialError("That proposal is no longer waiting: reload the page.")
                override_verdict(
                    claim,
                    review.verdict,
                    review.explanation,
                    request.POST.get("reason", ""),
                    by=request.user,
                    seen=request.POST.get("seen") or None,
                )
                done = f"Published: “{claim}” is now {review.get_verdict_display().lower()} for readers."
            self.message_user(request, done, messages.SUCCESS)
        except EditorialError as error:
            self.message_user(request, str(error), messages.ERROR)
        return redirect("admin:stories_claim_change", claim.pk)


@admin.register(EditorialNote)
class EditorialNoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "visibility", "author", "created_at"]
    list_filter = ["visibility"]
    list_select_related = ["story", "claim", "author"]
    autocomplete_fields = ["story", "claim"]
    readonly_fields = ["author", "created_at"]
    radio_fields = {"visibility": admin.VERTICAL}

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
