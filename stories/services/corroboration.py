"""How many independent sources back a claim.

Independent sources = the distinct sources of the canonical, public stories the claim appears
in. A copy merged into a canonical story counts as that story, so copies never count twice.
"""

from django.db.models import Count, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from stories.models import ClaimAppearance, Evidence, Source, Story


def _canonical_sources(claim):
    """One row per appearance of `claim` (a Claim, or an OuterRef to one) that readers see,
    holding the source of the canonical story it counts for."""
    return (
        ClaimAppearance.objects.filter(Story.served_condition("story__"), claim=claim)
        .annotate(canonical_source=Coalesce("story__merged_into__source_id", "story__source_id"))
        .order_by()
    )


def independent_sources(claim):
    """The Source rows that independently back `claim`."""
    return Source.objects.filter(pk__in=_canonical_sources(claim).values("canonical_source"))


def independent_source_count(claim):
    return independent_sources(claim).count()


def independent_source_count_expression(claim_field="pk"):
    """The same count as a subquery, for annotating in one query a queryset of claims (or of rows
    whose `claim_field` holds a claim's id)."""
    count = (
        _canonical_sources(OuterRef(claim_field))
        .values("claim")
        .annotate(n=Count("canonical_source", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def evidence_count_expression(claim_field="pk"):
    count = (
        Evidence.objects.filter(claim=OuterRef(claim_field))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)
