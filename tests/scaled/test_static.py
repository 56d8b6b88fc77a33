"""Through nginx, as in production: the static files under their hashed names, kept for a year,
compressed from the .gz made beside them at set-up; the pages compressed by the app, once."""

from __future__ import annotations

import re

import pytest

from tests.scaled.conftest import Region
from tests.servers import ROOT, visitor

pytestmark = pytest.mark.scaled


def test_static_files_and_pages_through_nginx(region: Region) -> None:
    assert region.nginx is not None
    url = region.nginx.url
    with visitor(url) as stranger:
        page = stranger.http.get(url + "/login", headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert page.headers["Content-Encoding"] == "gzip"  # by the app; nginx passes it on
        assert page.text.lstrip().startswith("<!doctype html>")
        links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assert links and all(re.search(r"-[0-9a-f]{32}\.(css|js|svg)$", link) for link in links)
        for link in links:
            asset = stranger.http.get(url + link, headers={"Accept-Encoding": "gzip"}, timeout=10)
            assert asset.status_code == 200
            assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert asset.headers["Content-Encoding"] == "gzip"
            assert asset.content == (ROOT / "static" / link.removeprefix("/static/")).read_bytes()
            assert "X-Intersession-Instance" not in asset.headers  # nginx's own, not the app's
        plain = stranger.http.get(url + "/static/css/app.css", timeout=10)
        assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
