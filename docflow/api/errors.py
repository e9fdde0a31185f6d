"""One mapping from domain errors to the HTTP answers of the API contract."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from docflow.core.errors import InvalidState, NotFound, NotPermitted


def validation_detail(exc: DjangoValidationError) -> dict | list:
    """Django's ValidationError as ``{"field": ["message", ...]}``."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidState):
        return Response({"detail": exc.message, "state": exc.state}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, (NotFound, ObjectDoesNotExist)):
        exc = Http404()
    return drf_exception_handler(exc, context)
