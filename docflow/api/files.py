"""Answers shared by every endpoint that serves a file made after commit by a worker."""

from __future__ import annotations

from django.http import JsonResponse
from rest_framework import status

# How long a client waits before asking again for a file a worker is still making.
RETRY_AFTER_SECONDS = 5


def file_pending(detail: str) -> JsonResponse:
    """202 with ``Retry-After``: the file is being made; ask again shortly."""
    response = JsonResponse({"detail": detail}, status=status.HTTP_202_ACCEPTED)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
