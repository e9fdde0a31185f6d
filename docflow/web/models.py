"""Rows the web interface keeps for itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SubmittedForm(models.Model):
    """A form's one-time key, claimed by the first submission; a repeat finds the first result.

    Not tenant data: it belongs to the person who submitted, and says only where they went next.
    """

    key = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
