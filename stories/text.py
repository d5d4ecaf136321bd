"""Text helpers shared by models and services: normalisation, fingerprints, slugs."""

import datetime
import hashlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
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


def text_fingerprint(title, summary, body, byline, published_at):
    """The fingerprint of a story's whole public text (stories.models.StoryVersion.fingerprint):
    title, summary, body and byline normalised, the date as UTC ISO 8601."""
    date = published_at.astimezone(datetime.UTC).isoformat() if published_at else ""
    return fingerprint(title, summary, body, byline, date)


def is_number(slug):
    """A slug of ASCII digits only, which addresses such as /claims/<id or slug>/ read as an id."""
    return slug.isascii() and slug.isdigit()


@deconstructible
class SlugNotNumberValidator:
    """Refuses a slug of digits only, which /claims/<id or slug>/ would read as an id; the
    message suggests the slug with `prefix` (the model's name) in front."""

    code = "numeric_slug"

    def __init__(self, prefix):
        self.prefix = prefix

    def __call__(self, slug):
        if is_number(slug):
            raise ValidationError(
                "A slug of digits only reads as an id in addresses: add a word, e.g. “%(example)s”.",
                code=self.code,
                params={"example": f"{self.prefix}-{slug}"},
            )

    def __eq__(self, other):
        return isinstance(other, SlugNotNumberValidator) and other.prefix == self.prefix


def unique_slug(model, text, max_length=80, exclude_pk=None):
    """A slug from text, suffixed -2, -3, ... until no other row of model holds it (one query).
    Digits alone are prefixed with the model's name ("claim-2026"), never taken for an id."""
    base = slugify(text)[:max_length].strip("-") or model._meta.model_name
    if is_number(base):
        base = f"{model._meta.model_name}-{base}"[:max_length]
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
