"""Text helpers shared by models and services: normalisation, fingerprints, slugs."""

import hashlib
import re
import unicodedata

from django.utils.text import slugify

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text):
    """Unicode NFKC, straight quotes, case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def fingerprint(*parts):
    """A stable SHA-256 of the normalised text, used to recognise the same item twice."""
    joined = "\n".join(normalise(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def unique_slug(model, text, max_length=80, exclude_pk=None):
    """A slug from text, suffixed -2, -3, ... until no other row of model holds it (one query)."""
    base = slugify(text)[:max_length].strip("-") or model._meta.model_name
    others = model._default_manager.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    # Every candidate below starts with this prefix (suffixes are at most 8 characters long).
    taken = set(others.filter(slug__startswith=base[: max_length - 8]).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
    return slug
