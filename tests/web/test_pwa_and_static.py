"""The installable web app (manifest, service worker, offline page) and what static files and
pages cost a commune on a slow line: cache lifetimes and compression."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from django.urls import reverse
from PIL import Image
from whitenoise.middleware import WhiteNoiseMiddleware

from docflow.web.views.pwa import THEME_COLOR
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_its_icons_colour_and_start(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"].startswith("Docflow") and manifest["short_name"] == "Docflow"
    assert manifest["start_url"] == reverse("web:dashboard") and manifest["display"] == "standalone"
    assert manifest["theme_color"] == THEME_COLOR and manifest["lang"] == "vi"
    sizes = {icon["sizes"]: icon for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert set(sizes) == {"192x192", "512x512"}
    for size, icon in sizes.items():
        found = client.get(icon["src"])  # served, and really that many pixels
        assert found.status_code == 200 and found["Content-Type"] == "image/png"
        with Image.open(_body(found)) as image:
            assert f"{image.width}x{image.height}" == size


def _body(response) -> io.BytesIO:
    return io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)


def test_every_page_links_the_manifest(office):
    body = web_client(office.staff).get(reverse("web:dashboard")).content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in body
    assert 'data-service-worker="/sw.js"' in body


def test_service_worker_is_javascript_for_the_whole_site_and_caches_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"  # a new release is picked up on the next visit
    script = response.content.decode()
    assert json.dumps(static("docflow/app.css")) in script and '"/offline/"' in script
    assert "{{" not in script and "&quot;" not in script  # rendered, and not HTML-escaped


def test_offline_page_is_vietnamese_and_holds_nothing_of_the_person(office):
    response = web_client(office.staff).get("/offline/")
    body = response.content.decode()
    assert response.status_code == 200 and "Không có kết nối mạng" in body
    assert office.staff.user.full_name not in body and "csrfmiddlewaretoken" not in body
    assert "<script" not in body


def test_pages_are_gzipped_when_the_browser_accepts_it(office):
    response = web_client(office.staff).get(reverse("web:dashboard"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "Tổng quan" in gzip.decompress(response.content).decode()


def test_stored_files_are_not_gzipped_again(client):
    response = client.get(static("docflow/icon-512.png"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")


def test_embedded_static_files_are_compressed_and_kept_five_minutes(client):
    response = client.get(static("docflow/app.css"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=300, public"
    assert response["Content-Encoding"] == "gzip"
    assert b".mainnav" in gzip.decompress(b"".join(response.streaming_content))


@pytest.fixture
def collected(tmp_path):
    """Production's static files: collected with hashed names and precompressed."""
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, WHITENOISE_USE_FINDERS=False,
                           WHITENOISE_AUTOREFRESH=False, WHITENOISE_MAX_AGE=3600, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield WhiteNoiseMiddleware(get_response=lambda request: HttpResponse("not static"))


def test_hashed_static_files_are_cached_a_year_as_immutable_in_production(collected):
    hashed = static("docflow/app.css")
    assert hashed != "/static/docflow/app.css"  # the manifest gave it a content hash
    response = collected(RequestFactory().get(hashed, HTTP_ACCEPT_ENCODING="gzip"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"  # the .gz made by collectstatic
    plain = collected(RequestFactory().get("/static/docflow/app.css"))
    assert plain["Cache-Control"] == "max-age=3600, public"
