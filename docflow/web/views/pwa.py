"""The installable web app: its manifest, the service worker and the page shown offline.

All three are public and hold nothing of a person or an agency: the service worker keeps the
offline page and the static shell in the browser's cache, never a document.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

THEME_COLOR = "#9b1c1c"  # the top bar's red (app.css --red)
BACKGROUND_COLOR = "#f3f5f8"
# What the service worker stores on install: enough to draw the offline page.
SHELL = ("docflow/app.css", "docflow/app.js", "docflow/htmx.min.js", "docflow/icon.svg",
         "docflow/icon-192.png", "docflow/icon-512.png")


@require_safe
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    start = reverse("web:dashboard")
    data = {
        "name": _("Docflow · Quản lý văn bản và điều hành"),
        "short_name": "Docflow",
        "description": _("Văn bản đến, văn bản đi, duyệt và phát hành của cơ quan."),
        "lang": request.LANGUAGE_CODE,
        "dir": "ltr",
        "start_url": start,
        "scope": start,
        "id": start,
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(f"docflow/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
             "purpose": "any maskable"}
            for size in (192, 512)
        ] + [{"src": static("docflow/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(data, content_type="application/manifest+json",
                        json_dumps_params={"ensure_ascii": False})


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """Rendered, not a static file: it names the shell's (hashed) static addresses, so a new
    release changes its bytes and browsers install the new worker."""
    response = render(request, "web/pwa/sw.js", {
        "shell": json.dumps([static(name) for name in SHELL]),
        "offline_url": json.dumps(reverse("web:offline")),
        "static_prefix": json.dumps(static("")),
        "version": json.dumps(static("docflow/app.css")),
    }, content_type="application/javascript; charset=utf-8")
    # Served from the root, the worker controls every page; browsers re-check it on each visit.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@cache_control(public=True, max_age=3600)
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "web/offline.html")
