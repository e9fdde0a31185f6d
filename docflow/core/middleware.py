"""A NUL byte anywhere a client puts text is answered 400 naming where it was.

PostgreSQL text cannot hold NUL (``A string literal cannot contain NUL (0x00) characters``),
so a NUL that reaches a query is a database error — a 500 — wherever a parameter is used
without a form field's validator. Checked here, once, before any view: the path, every query
parameter (names and values), every header, and the fields of an urlencoded form. JSON bodies
are checked by the API's parser (``docflow/api/parsers.py``); multipart text fields by the
form and serializer fields (Django's and DRF's ``ProhibitNullCharactersValidator``) — reading a
multipart body here would take the upload from the view.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"
FORM = "application/x-www-form-urlencoded"


def nul_where(request: HttpRequest) -> str | None:
    """The name of the first place in ``request`` holding a NUL, or None."""
    if NUL in request.path:
        return "path"
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            return key[5:].replace("_", "-").title()
    if request.method == "POST" and request.content_type == FORM:
        for name, values in request.POST.lists():
            if NUL in name or any(NUL in value for value in values):
                return name.replace(NUL, "")
    return None


class NulByteMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_where(request)
        if where is not None:
            return JsonResponse({where: [_("Không được chứa ký tự NUL.")]}, status=400)
        return self.get_response(request)
