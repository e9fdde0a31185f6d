"""Response headers and the interface language for the web pages.

The Content-Security-Policy is a fixed string: every script and style is a static file of
our own (htmx vendored), so no nonce or hash is needed and a ten-line middleware does what a
dependency would. Django 6.0 brings its own CSP middleware; this one goes when we move there.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import translation

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    """Sends the policy with every HTML page that has none of its own."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


class LanguageMiddleware:
    """Vietnamese unless the person chose another language (the ``set_language`` cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many officials'
    browsers are set to English; the interface stays Vietnamese until someone picks English.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip for text only: PDFs, images and scans are compressed already, and
    gzipping a stored file on every download would cost the server for nothing."""

    COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/manifest+json",
                    "application/xml", "image/svg+xml")

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        return super().process_response(request, response)
