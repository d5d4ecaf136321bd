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


def slug_base(model, text, max_length=80):
    """The slug `text` asks for: slugify's, cut to `max_length`; digits alone are prefixed with the
    model's name ("claim-2026"), never taken for an id."""
    base = slugify(text)[:max_length].strip("-") or model._meta.model_name
    if is_number(base):
        base = f"{model._meta.model_name}-{base}"[:max_length]
    return base


def slug_candidates(base, max_length=80, start=1, count=10):
    """`base`, then `base` suffixed -2, -3, ...: the slugs unique_slug tries, in its order."""
    found = []
    for n in range(start, start + count):
        suffix = "" if n == 1 else f"-{n}"
        found.append(base[: max_length - len(suffix)] + suffix if suffix else base)
    return found


def unique_slug(model, text, max_length=80, exclude_pk=None, taken=()):
    """A slug from text, suffixed -2, -3, ... until no other row of model holds it and it is not in
    `taken` (slugs spoken for but not saved yet): one query on the slug's unique index for every
    50 slugs tried."""
    base = slug_base(model, text, max_length)
    others = model._default_manager.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    start = 1
    while True:
        candidates = slug_candidates(base, max_length, start, 50)
        held = set(others.filter(slug__in=candidates).values_list("slug", flat=True))
        for slug in candidates:
            if slug not in held and slug not in taken:
                return slug
        start += 50
