"""WeasyPrint's only way to read a resource while rendering a report.

A report may load its own vendored assets and nothing else: the print stylesheet, the DejaVu
fonts (careapp/static/reports/) and small images given inline as data: URLs. Templates name
the assets with absolute `careapp-report:<path>` URLs; every other URL (file:, http(s):,
ftp:, a relative one, a data: URL that is not a small image) is refused without any I/O.
Every URL asked for is recorded, allowed or not, so that tests can say what a render tried.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from urllib import request
from urllib.parse import unquote_to_bytes

from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "careapp-report:"
ASSETS = Path(__file__).resolve().parent.parent / "static" / "reports"
MIME_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".png": "image/png",
              ".svg": "image/svg+xml"}
DATA_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
MAX_DATA_BYTES = 64 * 1024  # a small inline image; anything bigger is refused
_DATA_RE = re.compile(r"^data:([a-z0-9.+/-]+)(;base64)?,(.*)$", re.IGNORECASE | re.DOTALL)
# An asset's name: folders and file names of letters, digits, dots, dashes, underscores.
_ASSET_RE = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\.[a-z]{2,4}$")


class RefusedURL(ValueError):
    """A URL a report may not load (WeasyPrint logs it and goes on without the resource)."""


def asset_url(path: str) -> str:
    return SCHEME + path


class ReportFetcher(URLFetcher):
    """The url_fetcher of every report render (one per render: it records what was asked)."""

    def __init__(self) -> None:
        # URLFetcher's own __init__ would register urllib's file, HTTP and FTP handlers: skip
        # it. This fetcher opens nothing through urllib; it reads its assets itself.
        request.OpenerDirector.__init__(self)
        self._fail_on_errors = False
        self._request = None
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        self.requested.append(url)
        try:
            if url.startswith(SCHEME):
                return self._asset(url)
            if url[:5].lower() == "data:":
                return self._data(url)
            raise RefusedURL(f"refused: {url[:80]}")
        except RefusedURL:
            self.refused.append(url)
            raise

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)

    def _asset(self, url: str) -> URLFetcherResponse:
        name = url.removeprefix(SCHEME)
        if not _ASSET_RE.match(name):
            raise RefusedURL(f"not an asset name: {name[:80]}")
        path = (ASSETS / name).resolve()
        if ASSETS not in path.parents or path.suffix not in MIME_TYPES or not path.is_file():
            raise RefusedURL(f"no such asset: {name}")
        return URLFetcherResponse(url, path.read_bytes(),
                                  {"Content-Type": MIME_TYPES[path.suffix]})

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_BYTES * 2:
            raise RefusedURL("data: URL too long")
        match = _DATA_RE.match(url)
        if match is None or match[1].lower() not in DATA_IMAGE_TYPES:
            raise RefusedURL("data: URL that is not an image")
        try:
            body = (base64.b64decode(match[3], validate=True) if match[2]
                    else unquote_to_bytes(match[3]))
        except (binascii.Error, ValueError) as exc:
            raise RefusedURL("malformed data: URL") from exc
        if len(body) > MAX_DATA_BYTES:
            raise RefusedURL("data: image too large")
        return URLFetcherResponse(url, body, {"Content-Type": match[1].lower()})
