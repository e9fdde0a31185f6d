"""Answers shared by every endpoint that serves a file made after commit by a worker."""

from __future__ import annotations

from django.http import JsonResponse
from rest_framework import status
from rest_framework.renderers import BaseRenderer, JSONRenderer

# How long a client waits before asking again for a file a worker is still making.
RETRY_AFTER_SECONDS = 5


def file_pending(detail: str) -> JsonResponse:
    """202 with ``Retry-After``: the file is being made; ask again shortly."""
    response = JsonResponse({"detail": detail}, status=status.HTTP_202_ACCEPTED)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class AnyMediaRenderer(BaseRenderer):
    """Lets the file endpoints answer whatever a client accepts (``Accept: application/pdf``)
    instead of 406; what DRF renders there (an error) is still JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data) if data is not None else b""


FILE_RENDERERS = [JSONRenderer, AnyMediaRenderer]
