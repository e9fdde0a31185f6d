"""Vietnamese labels in the system administration for fields whose models name them only in
code: set here, on the admin, so that no label change needs a migration."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db import models
from django.utils.text import capfirst


def column(name: str, label, *, ordering: str | None = None) -> Callable:
    """A list or read-only column showing field ``name`` under ``label``."""
    def value(obj):
        display = getattr(obj, f"get_{name}_display", None)
        return display() if display else getattr(obj, name)

    value.__name__ = name
    return admin.display(description=label, ordering=ordering or name)(value)


def titled_filter(title) -> type[admin.FieldListFilter]:
    """A list filter on a field, headed by ``title`` instead of the field's code name."""

    class Titled(admin.FieldListFilter):
        # The admin instantiates this class; hand back the filter Django would pick, retitled.
        def __new__(cls, field, request, params, model, model_admin, field_path):
            spec = admin.FieldListFilter.create(field, request, params, model, model_admin, field_path)
            spec.title = title
            return spec

    return Titled


class LabelledAdmin:
    """Mixin for ModelAdmin and inlines: ``labels`` name fields in forms, list columns and filters."""

    labels: dict = {}

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, labels=self._form_labels(kwargs), **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, labels=self._form_labels(kwargs), **kwargs)

    def _form_labels(self, kwargs) -> dict:
        # Capitalised as Django does for verbose names.
        return {name: capfirst(label) for name, label in {**self.labels, **kwargs.pop("labels", {})}.items()}

    def get_list_display(self, request):
        return [self._column(n) for n in super().get_list_display(request)]

    def get_list_filter(self, request):
        return [(n, titled_filter(self.labels[n])) if isinstance(n, str) and n in self.labels else n
                for n in super().get_list_filter(request)]

    def get_readonly_fields(self, request, obj=None):
        return [self._column(n) for n in super().get_readonly_fields(request, obj)]

    def get_exclude(self, request, obj=None):
        # A labelled read-only field is shown by its column, so the form must not carry it too.
        shown = [n for n in super().get_readonly_fields(request, obj) if isinstance(n, str) and n in self.labels]
        return [*(super().get_exclude(request, obj) or []), *shown] or None

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return [self._column(n) for n in fields]  # a view-only page shows every field as a column
        return fields

    def _column(self, name):
        if not isinstance(name, str) or name not in self.labels:
            return name
        # The same object every time: the admin matches read-only fields against form fields by identity.
        cache = self.__dict__.setdefault("_label_columns", {})
        if name not in cache:
            cache[name] = column(name, self.labels[name])
            cache[name].boolean = isinstance(self.model._meta.get_field(name), models.BooleanField)
        return cache[name]
