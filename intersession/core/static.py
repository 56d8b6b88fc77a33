"""What a page costs on a rural link: responses compressed (Flask-Compress: Brotli, else gzip),
static files under content-hashed names (flask-static-digest, compiled by `make static`) that a
browser keeps for a year and never asks about again. A file without its hash (a checkout whose
set-up has not compiled them yet) is served as before, revalidated by its ETag."""

from __future__ import annotations

import re

from flask import Flask, Response, request
from flask_compress import Compress
from flask_static_digest import FlaskStaticDigest

DIGESTED = re.compile(r"-[0-9a-f]{32}\.")  # the names flask-static-digest gives
YEAR = 365 * 24 * 3600
# Text that compresses; not Socket.IO's polling (text/plain, small and many) nor media files.
COMPRESSED = [
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "text/calendar", "text/csv", "image/svg+xml", "application/manifest+json",
]  # fmt: skip

compress = Compress()
digest = FlaskStaticDigest()


def install_static(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # dynamic pages: fast, and near gzip -9
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config["COMPRESS_REGISTER"] = False  # by `compressed` below, which leaves ranges alone
    app.config.setdefault("FLASK_STATIC_DIGEST_COMPRESSION", ["gzip", "brotli"])  # for nginx
    app.config.setdefault("FLASK_STATIC_DIGEST_BLACKLIST_FILTER", [".ttf"])  # the PDF's fonts
    compress.init_app(app)
    digest.init_app(app)
    plain_max_age = app.get_send_file_max_age

    def max_age(filename: str | None) -> int | None:
        if filename and DIGESTED.search(filename):
            return YEAR
        return plain_max_age(filename)

    app.get_send_file_max_age = max_age  # type: ignore[method-assign]

    @app.after_request
    def compressed(response: Response) -> Response:
        static = request.endpoint == "static"
        if static and DIGESTED.search(request.path):
            response.cache_control.immutable = True
        if response.status_code == 206 or "Content-Range" in response.headers:
            return response  # a part of a file: its bytes are counted as they are stored
        if static and response.mimetype in COMPRESSED and response.status_code == 200:
            # Read whole (our CSS and JS are tens of KB), so that the file is closed here;
            # compressed as a stream, it would be left to the garbage collector.
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)
