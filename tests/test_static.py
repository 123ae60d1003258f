"""Static files and compression: what is published, and what pages weigh.

The production pipeline itself (collectstatic with hashed names, WhiteNoise's
brotli/gzip and cache headers under gunicorn) is exercised end to end by
tests/test_production_smoke.py.
"""

import gzip
import re

import plotly.offline
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.diagnostics.compute_factories import EstablishmentFactory

STATIC_URL = re.compile(r'(?:src|href)="/static/([^"?#]+)"')


def published() -> dict[str, int]:
    """What collectstatic copies: path -> size in bytes."""
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    files = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            files.setdefault(path, storage.size(path))
    return files


def test_only_the_files_the_pages_use_are_published():
    files = published()

    assert not [path for path in files if "widgetbundle" in path]
    assert sorted(path for path in files if path.startswith("vendor/plotly/")) == [
        "vendor/plotly/LICENSE.txt",
        "vendor/plotly/plotly.min.js",
    ]
    assert [path for path in files if path.startswith("django_htmx/")] == [
        "django_htmx/htmx-2.min.js"
    ]
    dsfr = {path for path in files if path.startswith("dsfr/dist/")}
    assert "dsfr/dist/dsfr/dsfr.min.css" in dsfr
    assert "dsfr/dist/utility/utility.min.css" in dsfr
    assert not [p for p in dsfr if "/component/" in p or "legacy" in p]
    assert not [path for path in files if path.endswith((".map", "README.md"))]
    # The DSFR's fonts and icons (which its stylesheets reference), the
    # admin's files, ours: about 6 MB, against 15.5 MB before.
    assert sum(files.values()) < 8_000_000


def page_assets(html: str) -> set[str]:
    return set(STATIC_URL.findall(html))


@pytest.mark.django_db
def test_every_asset_a_page_links_is_published(client, admin_user, territory):
    EstablishmentFactory(basin=territory["grenoble"])
    files = published()
    client.force_login(admin_user)
    pages = [
        reverse("basins:home"),
        reverse("diagnostics:basin_diagnostic", args=[territory["grenoble"].code]),
        reverse("admin:index"),
        reverse("admin:basins_basin_changelist"),
    ]
    linked = set()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        linked |= page_assets(response.content.decode())
    client.logout()
    linked |= page_assets(client.get(reverse("login")).content.decode())

    assert "vendor/plotly/plotly.min.js" in linked
    assert "django_htmx/htmx-2.min.js" in linked
    assert sorted(linked - set(files)) == []


def test_the_plotly_bundle_is_the_version_plotly_py_was_built_for():
    bundle = settings.BASE_DIR / "static" / "vendor" / "plotly" / "plotly.min.js"
    banner = bundle.read_text(encoding="utf-8")[:300]

    version = plotly.offline.get_plotlyjs_version()
    assert f"plotly.js v{version}, partial bundle:" in banner


@pytest.mark.django_db
def test_plotly_is_loaded_deferred_with_its_nonce(client, member, territory):
    client.force_login(member)
    html = client.get(
        reverse("diagnostics:basin_diagnostic", args=[territory["grenoble"].code])
    ).content.decode()

    tag = re.search(r'<script src="/static/vendor/plotly/plotly.min.js"[^>]*>', html)
    assert tag, "plotly.min.js not loaded"
    assert " defer" in tag.group(0)
    assert 'nonce="' in tag.group(0)


@pytest.mark.django_db
def test_html_is_gzipped_when_the_browser_accepts_it(client, admin_user, territory):
    client.force_login(admin_user)
    url = reverse("basins:home")

    plain = client.get(url)
    compressed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    body = gzip.decompress(compressed.content)
    # The same page; the CSRF token and the CSP nonce differ per response.
    assert b"Bassins industriels" in body
    assert len(compressed.content) < len(plain.content) / 2


@pytest.mark.django_db
def test_gzipped_pages_carry_random_padding(client, admin_user, territory):
    """BREACH: Django pads every gzipped response with random bytes (a random
    file name in the gzip header: "Heal the BREACH"), so its length tells
    nothing of a secret it holds."""
    client.force_login(admin_user)
    url = reverse("basins:home")

    bodies = [
        client.get(url, headers={"Accept-Encoding": "gzip"}).content for _ in range(3)
    ]

    fname = 0x08
    assert all(body[:2] == b"\x1f\x8b" and body[3] & fname for body in bodies)
    names = {body[10 : body.index(b"\x00", 10)] for body in bodies}
    assert len(names) == 3
