"""The editorial desk: Django's admin, with the duplicate queue, merging, claim tagging and
publishing wired to stories.services, so the admin holds no rule of its own."""

from . import claims, stories, timeline  # noqa: F401  (registers the model admins)
