"""Search over what readers may see: public stories and public claims.

On PostgreSQL it uses the stored, weighted full-text vectors (see migration 0004) ranked by
relevance, with English stemming; elsewhere it falls back to case-insensitive matching of
every word. Matches are highlighted the same way on both.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from stories.models import Claim, Story

MAX_QUERY_LENGTH = 200
WORD = re.compile(r"\w+", re.UNICODE)


def terms(query):
    return [word for word in WORD.findall(query[:MAX_QUERY_LENGTH]) if len(word) > 1][:12]


def _full_text(queryset, words):
    table = queryset.model._meta.db_table
    query = SearchQuery(" ".join(words), config="english", search_type="plain")
    vector = RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())
    return (
        queryset.annotate(search_vector=vector)
        .filter(search_vector=query)
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank", "pk")
    )


def _every_word(queryset, words, fields):
    for word in words:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def search_stories(query):
    words = terms(query)
    stories = Story.objects.public().select_related("source")
    if not words:
        return stories.none()
    if connection.vendor == "postgresql":
        return _full_text(stories, words)
    return _every_word(stories, words, ["title", "summary", "body"])


def search_claims(query):
    words = terms(query)
    claims = Claim.objects.public()
    if not words:
        return claims.none()
    if connection.vendor == "postgresql":
        return _full_text(claims, words)
    return _every_word(claims, words, ["text", "explanation"])


def highlight(text, query, width=240):
    """Escape `text`, cut it to about `width` characters around the first match, and wrap each
    word of the query in <mark> (prefix match, so 'deploy' also marks 'deployment')."""
    words = terms(query)
    text = text or ""
    if not words:
        return escape(text[:width])
    pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word in words) + r")\w*", re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    snippet = text[start : start + width]
    prefix, suffix = ("… " if start else ""), (" …" if start + width < len(text) else "")
    marked = pattern.sub(lambda m: f"\x00{m.group(0)}\x01", snippet)
    return mark_safe(prefix + escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>") + suffix)
