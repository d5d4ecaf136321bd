"""Any change to public content moves the site version (see stories.models.SiteVersion)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from stories import models

CONTENT_MODELS = [
    models.Source,
    models.Story,
    models.Claim,
    models.ClaimAppearance,
    models.Evidence,
    models.Tag,
    models.EditorialNote,
    models.Timeline,
    models.TimelineEntry,
]
CONTENT_RELATIONS = [models.TimelineEntry.claims.through, models.Claim.tags.through]


def content_changed(sender, **kwargs):
    models.SiteVersion.bump()


def connect():
    for model in CONTENT_MODELS:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"site-version-save-{model.__name__}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"site-version-delete-{model.__name__}"
        )
    for through in CONTENT_RELATIONS:
        m2m_changed.connect(
            content_changed, sender=through, dispatch_uid=f"site-version-m2m-{through.__name__}"
        )
