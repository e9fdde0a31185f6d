"""What every web view shares: who may see the page, and turning service errors into a page."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.web.once import OnceForm, submit_once


def member_required(view: Callable) -> Callable:
    """A signed-in person acting in one of their agencies (the scope is open)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.membership is None:
            # The system administrator belongs to no agency: their page, not a refusal.
            status = 200 if request.user.is_superuser else 403
            return render(request, "web/no_agency.html", status=status)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except NotPermitted as exc:
            return denied(request, exc.message)

    return wrapper


def role_required(*roles: str) -> Callable:
    """Pages only for these roles: others get 403 with a sentence saying why."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.membership.has_role(*roles):
                return denied(request, "Trang này dành cho vai trò khác của cơ quan.")
            return view(request, *args, **kwargs)

        return member_required(wrapper)

    return decorate


def denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/denied.html", {"message": message}, status=403)


def errors_to_form(form: forms.Form, error: ValidationError, *, field_map: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError beside the form's fields (others above the form)."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, errors in error.message_dict.items():
        target = field_map.get(name, name)
        for message in errors:
            form.add_error(target if target in form.fields else None, message)


def perform(
    request: HttpRequest,
    form: OnceForm,
    *,
    action: Callable[[], str],
    fallback: str,
    field_map: dict[str, str] | None = None,
) -> HttpResponse | None:
    """Run a service through a valid form, once. Returns the redirect, or None when the form
    now carries the service's field errors and should be shown again."""
    try:
        return submit_once(request, key=form.cleaned_data["once"], action=action, fallback=fallback)
    except ValidationError as exc:
        errors_to_form(form, exc, field_map=field_map)
        return None
    except InvalidState as exc:
        messages.warning(request, exc.message)
        return redirect(fallback)
