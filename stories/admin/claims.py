from django import forms
from django.contrib import admin

from stories.errors import EditorialError
from stories.models import Claim, EditorialNote, Evidence, Tag
from stories.services.claims import check_verdict, set_verdict

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


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["text", "slug", "tags", "verdict", "explanation"]

    def clean(self):
        data = super().clean()
        if "verdict" in data:
            try:
                check_verdict(data["verdict"], data.get("explanation", ""))
            except EditorialError as error:
                self.add_error("explanation", str(error))
        return data


@admin.register(Claim)
class ClaimAdmin(SlugNotNumberMixin, NoteAuthorMixin, HistoryAdmin):
    form = ClaimForm
    list_display = ["text", "verdict", "independent_sources", "reviewed_by", "reviewed_at"]
    list_filter = ["verdict", "tags"]
    list_select_related = ["reviewed_by"]
    search_fields = ["text", "explanation"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["reviewed_by", "reviewed_at", "independent_sources"]
    fieldsets = [
        (None, {"fields": ["text", "slug", "tags"]}),
        (
            "Verdict",
            {"fields": ["verdict", "explanation", "reviewed_by", "reviewed_at", "independent_sources"]},
        ),
    ]
    radio_fields = {"verdict": admin.VERTICAL}
    inlines = [ClaimAppearanceInline, EvidenceInline, ClaimNoteInline]

    def has_delete_permission(self, request, obj=None):
        return False  # a wrong claim gets a verdict, it is not deleted

    def save_model(self, request, obj, form, change):
        if {"verdict", "explanation"} & set(form.changed_data) or not change:
            set_verdict(obj, obj.verdict, obj.explanation, by=request.user)
        else:
            super().save_model(request, obj, form, change)


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
