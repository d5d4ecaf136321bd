"""Fields a service owns: written only by that service, never by a full save of the row.

A form, an ingest or any code that loads a row, changes a field and calls `save()` writes every
column back, including ones another editor's merge, publish or verdict changed meanwhile. So on a
full save of an existing row the fields named in `SERVICE_OWNED_FIELDS` are left out of the
UPDATE, and read again from the database (locking the row until the transaction ends) so the
instance, and the history row recorded from it, show what the database holds. The owning
service writes them with an explicit `save(update_fields=[...])`, which is saved as given.
"""

from django.db import connections, router, transaction


class ServiceOwnedFields:
    """Mixin for a model (before models.Model in its bases) whose `SERVICE_OWNED_FIELDS` only
    their services write. Extend a model's tuple when a service comes to own another field."""

    SERVICE_OWNED_FIELDS: tuple[str, ...] = ()

    @classmethod
    def owned_fields(cls):
        return [cls._meta.get_field(name) for name in cls.SERVICE_OWNED_FIELDS]

    @classmethod
    def unowned_field_names(cls):
        """The concrete fields a full save may write: every stored field but the key and the owned ones."""
        owned = set(cls.SERVICE_OWNED_FIELDS)
        return [
            field.name
            for field in cls._meta.concrete_fields
            if not field.primary_key and not field.generated and field.name not in owned
        ]

    def save(self, *args, **kwargs):
        if (
            args  # the deprecated positional form: left to Django as given
            or kwargs.get("update_fields") is not None
            or kwargs.get("force_insert")
            or self._state.adding
            or self.pk is None
            or not self.SERVICE_OWNED_FIELDS
        ):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            if self._refresh_owned_fields(using):
                deferred = self.get_deferred_fields()
                kwargs["update_fields"] = [
                    name
                    for name in self.unowned_field_names()
                    if self._meta.get_field(name).attname not in deferred
                ]
            return super().save(*args, **kwargs)

    def _refresh_owned_fields(self, using):
        """Read the owned fields' stored values into the instance, locking the row (as the UPDATE
        would) so no service changes them before this transaction ends. False if the row is gone."""
        attnames = [field.attname for field in self.owned_fields()]
        # FOR NO KEY UPDATE, the UPDATE's own lock: rows referencing this one can still be added.
        no_key = connections[using].features.has_select_for_no_key_update
        stored = (
            type(self)
            ._base_manager.using(using)
            .select_for_update(no_key=no_key)
            .filter(pk=self.pk)
            .values_list(*attnames)
            .first()
        )
        if stored is None:
            return False
        for attname, value in zip(attnames, stored, strict=True):
            setattr(self, attname, value)  # an FK's cached object is dropped when its id changes
        return True
