"""Behaviour every API view shares, written once: the agency scope and the caller's membership.

After DRF authenticates the request, ``initial`` resolves the membership (``X-Agency`` header
when the user has several) and opens that agency's scope for the rest of the request, so every
query on a tenant table inside the view is filtered, and any query that escapes it fails.
"""

from __future__ import annotations

import copy
from contextlib import ExitStack

from rest_framework import generics, serializers, viewsets
from rest_framework.views import APIView

from docflow.core.errors import NotPermitted
from docflow.core.scoping import agency_scope, cross_agency
from docflow.tenancy.selectors import membership_for_request

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

AGENCY_HEADER = "HTTP_X_AGENCY"


class AgencyScopedMixin:
    """Opens the caller's agency scope around the handler; ``request.membership`` is set."""

    requires_membership = True

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._scope_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.membership = None
        request.agency = None
        if not request.user or not request.user.is_authenticated:
            return
        try:
            membership = membership_for_request(
                user=request.user, agency_code=request.META.get(AGENCY_HEADER) or None
            )
        except NotPermitted:
            if self.requires_membership:
                raise
            return
        request.membership = membership
        request.agency = membership.agency
        self._scope_stack.enter_context(agency_scope(membership.agency))

    def get_queryset(self):
        """Views implement ``scoped_queryset``; schema generation (no request) gets an empty one."""
        if getattr(self, "swagger_fake_view", False):
            with cross_agency("directory"):
                return self.scoped_queryset().none()
        return self.scoped_queryset()

    def scoped_queryset(self):
        return super().get_queryset()


class ScopedAPIView(AgencyScopedMixin, APIView):
    pass


class ScopedGenericAPIView(AgencyScopedMixin, generics.GenericAPIView):
    pass


class ScopedReadOnlyViewSet(AgencyScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedViewSet(AgencyScopedMixin, viewsets.GenericViewSet):
    pass


class QueryParamsSerializer(serializers.Serializer):
    """A serializer of query parameters: plain fields only (no nested serializer, no child field).

    DRF deep-copies every declared field for each serializer it makes — on a list, once per
    request, a tenth of its time. These fields keep no state between requests but what ``bind``
    sets on them, so each request gets shallow copies of fields made once per class.
    """

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_field_prototype")
        if prototype is None:
            prototype = super().get_fields()
            for name, field in prototype.items():
                if isinstance(field, (serializers.BaseSerializer, serializers.ListField, serializers.DictField)):
                    raise TypeError(f"{cls.__name__}.{name}: a query serializer takes plain fields only")
            cls._field_prototype = prototype
        return {name: copy.copy(field) for name, field in prototype.items()}


def moment_json(value, tz) -> str | None:
    """A moment as DRF's DateTimeField writes it (answers written directly use it): in the
    current time zone ``tz``, UTC as ``Z``; None stays None."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
