from django.db import models


class RemembersLoadedState(models.Model):
    """Keeps the values of `TRACKED_FIELDS` (attribute names) as last read from or written to the
    database, so a save can tell what it changes without a query (Django's `from_db` pattern).
    stories.invalidation reads them to decide whether a change alters what readers see."""

    TRACKED_FIELDS = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_state = {
            name: value for name, value in zip(field_names, values, strict=True) if name in cls.TRACKED_FIELDS
        }
        return instance

    def loaded_state(self):
        """The tracked values as stored before this save ({} for a new row)."""
        return getattr(self, "_loaded_state", {})

    def remember_saved_state(self):
        self._loaded_state = {name: getattr(self, name) for name in self.TRACKED_FIELDS}
