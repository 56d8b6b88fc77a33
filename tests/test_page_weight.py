"""What a page costs on a rural link, as the server sends it: compressed when the browser can
take it, static files under content-hashed names kept for a year, a part of a file as it is."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AuthActions
from tests.factories import HubPeople

STATIC = Path(__file__).resolve().parents[1] / "static"


def test_a_page_comes_compressed_and_reads_the_same(
    client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("pup")
    plain = client.get("/work")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        packed = client.get("/work", headers={"Accept-Encoding": f"{encoding}"})
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.data) < len(plain.data) / 2
        page = decompress(packed.data).decode()
        # The same page but for the CSRF token each response carries.
        assert re.sub(r'value="[^"]{40,}"', "", page) == re.sub(
            r'value="[^"]{40,}"', "", plain.get_data(as_text=True)
        )


def test_static_files_go_by_hashed_names_and_are_kept_for_a_year(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(links) >= 3, links
    for link in links:
        assert re.search(r"-[0-9a-f]{32}\.(css|js|svg)$", link), link
        asset = client.get(link, headers={"Accept-Encoding": "br"})
        assert asset.status_code == 200
        control = asset.headers["Cache-Control"]
        assert "max-age=31536000" in control and "immutable" in control, control
        source = STATIC / re.sub(r"-[0-9a-f]{32}(\.\w+)$", r"\1", link.removeprefix("/static/"))
        if len(source.read_bytes()) < 500:  # COMPRESS_MIN_SIZE: the icon is smaller as it is
            assert asset.data == source.read_bytes()
            continue
        assert asset.headers["Content-Encoding"] == "br"
        assert brotli.decompress(asset.data) == source.read_bytes()
    # The name without its hash still works (an old page), asked about again each time.
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and "immutable" not in plain.headers.get("Cache-Control", "")


def test_a_part_of_a_file_is_sent_as_it_is(app: Flask, client: FlaskClient) -> None:
    whole = (STATIC / "css" / "app.css").read_bytes()
    part = client.get(
        "/static/css/app.css", headers={"Range": "bytes=10-99", "Accept-Encoding": "br, gzip"}
    )
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.data == whole[10:100]
