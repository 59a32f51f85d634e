"""The production static path itself: `collectstatic` with whitenoise's manifest storage, then
pages served from what it wrote.

The rest of the suite reads static/build/ through the plain storage (STATIC_MANIFEST=false),
which never sees a CSS url() whose file the build forgot to copy, nor a missing manifest entry.
"""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import SEED_SLUG
from tests.kpi_factories import make_kpi, make_value

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
PAGE_STATIC = re.compile(r"""(?:href|src)="(/static/[^"]+)\"""")
JS_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")


def _production_storages(static_root):
    return override_settings(
        STATIC_ROOT=static_root,
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}},
    )


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """STATIC_ROOT as `collectstatic` leaves it in production (once for the module)."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    with _production_storages(static_root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return static_root


@pytest.fixture
def production_static(collected):
    with _production_storages(collected):
        yield collected


def _local_css_urls(css: str) -> list[str]:
    return [url for url in CSS_URL.findall(css) if not url.startswith(("data:", "#"))]


def test_every_url_in_the_built_css_is_a_file_the_build_wrote():
    build = Path(settings.STATICFILES_DIRS[0])
    urls = _local_css_urls((build / "careprog.css").read_text())
    assert urls, "the CSS references GOV.UK Frontend's assets"
    for url in urls:
        assert url.startswith(settings.STATIC_URL), url
        assert (build / url.removeprefix(settings.STATIC_URL)).is_file(), url


@pytest.mark.slow
def test_collectstatic_rewrites_every_css_url_to_a_collected_file(collected):
    manifest = (collected / "staticfiles.json").read_text()
    hashed_css = re.search(r'"careprog\.css": "([^"]+)"', manifest).group(1)
    urls = _local_css_urls((collected / hashed_css).read_text())
    assert urls
    for url in urls:
        name = url.removeprefix(settings.STATIC_URL)
        assert name != "govuk/assets/images/govuk-crest.svg", "collected under its hashed name"
        assert (collected / name).is_file(), url


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        f"/programmes/{SEED_SLUG}/report/2024-25-q3/",
        "/kpis/",
        "/kpis/cla-foster/",
        "/kpis/import/",
    ],
)
def test_pages_and_their_static_files_are_served_from_the_collected_files(
    client, administrator, seed_programme, production_static, url
):
    # A figure, so the KPI page draws a chart and loads its scripts.
    make_value(make_kpi(code="cla-foster"), dt.date(2025, 3, 31), "63.0")
    client.force_login(administrator)
    response = client.get(url)
    assert response.status_code == 200
    references = PAGE_STATIC.findall(response.content.decode())
    assert any(ref.endswith(".css") for ref in references)
    for reference in references:
        assert re.search(r"\.[0-9a-f]{12}\.", reference), f"{reference} is not hashed"
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        assert "no-store" not in asset.get("Cache-Control", ""), reference
        if reference.endswith((".js", ".mjs")):
            assert asset["Content-Type"].startswith("text/javascript"), reference
            script = b"".join(asset.streaming_content).decode()
            for imported in JS_IMPORT.findall(script):
                assert client.get(urljoin(reference, imported)).status_code == 200, imported
