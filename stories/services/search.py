"""Full-text matching and highlighting (stories.selectors applies them to public rows).

On PostgreSQL it uses the stored, weighted full-text vectors (see migration 0004) and their GIN
index, ranked by relevance, with English stemming; elsewhere it falls back to case-insensitive
matching of every word. Matches are highlighted the same way on both.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import Expression, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
WORD = re.compile(r"\w+", re.UNICODE)


def terms(query):
    return [word for word in WORD.findall(query[:MAX_QUERY_LENGTH]) if len(word) > 1][:12]


class StoredVector(Expression):
    """The table's stored `search_vector` column (PostgreSQL only, see migration 0004), named
    through the alias the query gives the table, so it stays bound to its own row inside a
    subquery (a raw "table"."column" would refer to the outer query's row there)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name('search_vector')}", []


def _every_word(queryset, words, fields):
    for word in words:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def matching(queryset, query, fields):
    """The rows of `queryset` matching every word of `query`, best first: on PostgreSQL through
    the stored vector and its GIN index, ranked; elsewhere by case-insensitive matching of `fields`."""
    words = terms(query)
    if not words:
        return queryset.none()
    if connection.vendor != "postgresql":
        return _every_word(queryset, words, fields)
    search = SearchQuery(" ".join(words), config="english", search_type="plain")
    vector = StoredVector()
    matches = queryset.filter(SearchVectorExact(vector, search))
    return matches.annotate(rank=SearchRank(vector, search)).order_by("-rank", "pk")


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
