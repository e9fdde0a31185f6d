"""Domain errors raised by services; the API and the web map them to HTTP answers.

Field errors use Django's ``ValidationError`` with a dict keyed by field name (400).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a service raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    """The actor's role does not allow this action (403)."""


class InvalidState(DomainError):
    """The object's current state does not allow this action (409)."""

    def __init__(self, message: str, *, state: str) -> None:
        super().__init__(message)
        self.state = state


class NotFound(DomainError):
    """The object does not exist for this caller (404): other agencies' rows included."""
