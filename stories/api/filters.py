"""Query-string filters of the API (django-filter). A value that cannot be understood answers 400
with the parameter's name and what was wrong; an empty value is ignored. Filters use EXISTS
subqueries rather than joins, so a row never appears twice (see stories.api.pagination)."""

import django_filters
from django import forms
from django.core.validators import validate_slug
from django.db.models import Exists, F, OuterRef, Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from stories.models import Claim, ClaimAppearance, Source, Story, TimelineEntry, Verdict
from stories.services import search


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the query string names none of the view's filters (most
    requests): building and validating the filter form costs more than the page's serializers."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class and not any(name in request.query_params for name in filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


REVIEWED_VERDICTS = [(v.value, v.label) for v in Verdict if v != Verdict.UNREVIEWED]


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        # The value goes in as a parameter: the message is %-formatted, and may hold a "%".
        raise forms.ValidationError("Give true or false, not %(value)r.", params={"value": str(value)[:40]})


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(django_filters.Filter):
    """true/false (or 1/0); anything else is refused rather than ignored."""

    field_class = StrictBooleanField


def slug_filter(field_name, help_text, method=None):
    return django_filters.CharFilter(
        field_name=field_name, method=method, validators=[validate_slug], max_length=100, help_text=help_text
    )


class Ordering(django_filters.OrderingFilter):
    """Whitelisted sort keys, `-` for descending; rows without a value (an undated story) go last,
    and the id breaks ties so pages never overlap."""

    def filter(self, qs, value):
        if not value:
            return qs
        order = []
        for param in filter(None, value):  # "title," names one key, not two
            name = self.get_ordering_value(param)
            if name.startswith("-"):
                order.append(F(name[1:]).desc(nulls_last=True))
            else:
                order.append(F(name).asc(nulls_last=True))
        return qs.order_by(*order, "pk")


def _story_claims(**claim_lookups):
    """Public claims a story makes, itself or through a copy of it that readers see."""
    own = Q(story=OuterRef("pk")) | (Q(story__merged_into=OuterRef("pk")) & Story.served_condition("story__"))
    return ClaimAppearance.objects.filter(own, claim__in=Claim.objects.public(), **claim_lookups)


class StoryFilter(django_filters.FilterSet):
    source = slug_filter("source__slug", "Only stories from the source with this slug.")
    published_after = django_filters.DateFilter(
        field_name="published_at", lookup_expr="date__gte", help_text="Published on or after (YYYY-MM-DD)."
    )
    published_before = django_filters.DateFilter(
        field_name="published_at", lookup_expr="date__lte", help_text="Published on or before (YYYY-MM-DD)."
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=search.MAX_QUERY_LENGTH,
        help_text="Words in the title, summary or text.",
    )
    has_claims = BooleanFilter(method="filter_has_claims", help_text="Whether it makes a checked claim.")
    verdict = django_filters.ChoiceFilter(
        choices=REVIEWED_VERDICTS, method="filter_verdict", help_text="It makes a claim with this verdict."
    )
    ordering = Ordering(
        fields=(("published_at", "published_at"), ("title", "title"), ("updated_at", "updated_at")),
        help_text="Sort key; newest first by default.",
    )

    class Meta:
        model = Story
        fields = []

    def filter_q(self, queryset, name, value):
        return search.matching(queryset, value, ["title", "summary", "body"])

    def filter_has_claims(self, queryset, name, value):
        return (
            queryset.filter(Exists(_story_claims())) if value else queryset.exclude(Exists(_story_claims()))
        )

    def filter_verdict(self, queryset, name, value):
        return queryset.filter(Exists(_story_claims(claim__verdict=value)))


class ClaimFilter(django_filters.FilterSet):
    verdict = django_filters.ChoiceFilter(
        choices=REVIEWED_VERDICTS, help_text="Only claims with this verdict."
    )
    tag = slug_filter("tags__slug", "Only claims with the tag of this slug.")
    source = slug_filter(
        "source", "Only claims made in a published story from the source with this slug.", "filter_source"
    )
    ordering = Ordering(
        fields=(
            ("text", "text"),
            ("reviewed_at", "reviewed_at"),
            ("updated_at", "updated_at"),
            ("independent_sources", "independent_sources"),
        ),
        help_text="Sort key; alphabetical by default.",
    )

    class Meta:
        model = Claim
        fields = []

    def filter_source(self, queryset, name, value):
        made_there = ClaimAppearance.objects.filter(
            Story.served_condition("story__"), claim=OuterRef("pk"), story__source__slug=value
        )
        return queryset.filter(Exists(made_there))


class TimelineEntryFilter(django_filters.FilterSet):
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="Entries dated on or after (YYYY-MM-DD)."
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="Entries dated on or before (YYYY-MM-DD)."
    )
    timeline = slug_filter("timeline__slug", "Only entries of the timeline with this slug.")

    class Meta:
        model = TimelineEntry
        fields = []


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices)
    reliability = django_filters.ChoiceFilter(choices=Source.Reliability.choices)
    ordering = Ordering(fields=(("name", "name"), ("story_count", "story_count")), help_text="Sort key.")

    class Meta:
        model = Source
        fields = []
