from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from stories.errors import EditorialError
from stories.models import EditorialNote
from stories.text import SlugNotNumberValidator


def clipped(text):
    """A long value for a list column: cut to two lines there (static/css/admin.css), whole on hover."""
    return format_html('<span class="clip" title="{}">{}</span>', text, text)


def run_each(modeladmin, request, queryset, service, done):
    """Run `service(obj, by=request.user)` on each row; report successes and each refusal."""
    count = 0
    for obj in queryset:
        try:
            service(obj, by=request.user)
        except EditorialError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, f"{count} {done}.", messages.SUCCESS)


class SlugNotNumberMixin:
    """A slug typed in the admin may not be digits only: addresses that take an id or a slug
    (/claims/123/) would read it as an id. Slugs made from a title get a prefix instead
    (stories.text.unique_slug)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.SlugField):
            field.validators.append(SlugNotNumberValidator(db_field.model._meta.model_name))
        return field


class HistoryAdmin(SimpleHistoryAdmin):
    """History is a read-only record of who changed what and when; changes go through the
    services, so reverting to an old version from the history page is not offered."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Past versions are read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoteInline(admin.StackedInline):
    model = EditorialNote
    extra = 0
    fields = ["visibility", "body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    radio_fields = {"visibility": admin.VERTICAL}


class StoryNoteInline(NoteInline):
    fk_name = "story"


class ClaimNoteInline(NoteInline):
    fk_name = "claim"


class NoteAuthorMixin:
    """Notes written inline get their author from the request; the time is set by the model."""

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, EditorialNote) and obj.author_id is None:
                obj.author = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
