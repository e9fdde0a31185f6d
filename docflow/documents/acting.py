"""Running a service as a member of an agency: in that agency's scope, in one transaction."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

from docflow.core.scoping import agency_scope

P = ParamSpec("P")
R = TypeVar("R")


def as_member(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap a service taking ``actor: Membership``: open the actor's agency scope (so every
    read sees that agency only, whoever calls) and run the whole service in one transaction."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with agency_scope(kwargs["actor"].agency_id), transaction.atomic():
            return fn(*args, **kwargs)

    return wrapper
