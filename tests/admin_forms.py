"""Saving a row the way the admin's change form does, from an instance loaded at any earlier time."""

from django.contrib import admin
from django.db import transaction
from django.forms import MultiWidget
from django.test import RequestFactory


def form_data(form):
    """What a browser posts back for an unchanged form: each field's value as rendered."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            parts = (
                field.widget.decompress(value) if value is not None else [None] * len(field.widget.widgets)
            )
            data.update({f"{name}_{i}": "" if part is None else part for i, part in enumerate(parts)})
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else value
    return data


def save_through_admin(instance, user, **changes):
    """Post `changes` over the form `instance` would render, then save it as the admin's change
    view does (save_form, then save_model, in one transaction): a full save of `instance`, with
    every value it was loaded with. Returns the saved object."""
    model_admin = admin.site._registry[type(instance)]
    request = RequestFactory().post("/")
    request.user = user
    # The form class depends on the model and the user's permissions: made once per user object.
    form_classes = user.__dict__.setdefault("_admin_form_classes", {})
    if type(instance) not in form_classes:
        form_classes[type(instance)] = model_admin.get_form(request, instance, change=True)
    form_class = form_classes[type(instance)]
    data = {**form_data(form_class(instance=instance)), **changes}
    form = form_class(data, instance=instance)
    assert form.is_valid(), form.errors
    with transaction.atomic():
        obj = model_admin.save_form(request, form, change=True)
        model_admin.save_model(request, obj, form, True)
    return obj
