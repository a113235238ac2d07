"""What WeasyPrint may read while it renders a portfolio: ``data:`` URIs and the app's own files.

WeasyPrint's default fetcher follows ``http(s)://`` and ``file://`` anywhere, and embeds any
file named by ``<a rel=attachment>`` or ``<link rel=attachment>`` into the PDF: server-side
request forgery and local file disclosure as soon as a document contains a URL someone else
chose (advisories GHSA-35jj-wx47-4w8r, CVE-2025-68616). :class:`RestrictedURLFetcher` allows
``data:`` URIs and regular files whose *resolved* path lies inside one of the given folders
(the app's static folder and its upload folder), so ``..``, symlinks pointing out of a folder,
``file://host/…`` and every other scheme are refused. A refused resource is logged by
WeasyPrint and left out; the render goes on.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request, url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """The portfolio asked for something outside what it may read; the message says what."""


class RestrictedURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads ``data:`` URIs and files inside ``roots`` only.

    ``refused`` lists every URL turned away during the render (for logs and tests). Nothing
    here touches the network: the parent class's openers are never used.
    """

    def __init__(self, roots: Iterable[str | os.PathLike[str]], **kwargs: Any) -> None:
        kwargs.setdefault("timeout", 5)
        super().__init__(
            allowed_protocols=("data", "file"),
            allow_redirects=False,
            fail_on_errors=False,
            **kwargs,
        )
        self.roots = tuple(Path(root).resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            return self._file(url)
        raise self._refuse(url, "only data: URIs and the application's own files may be used")

    def _refuse(self, url: str, reason: str) -> RefusedURL:
        self.refused.append(url)
        shown = url if len(url) <= 200 else url[:200] + "…"
        log.warning("Portfolio render refused %s: %s", shown, reason)
        return RefusedURL(f"{reason}: {shown}")

    def _data(self, url: str) -> URLFetcherResponse:
        try:
            response = DataHandler().data_open(Request(url))  # noqa: S310 - data: only
        except ValueError as exc:
            raise self._refuse(url, f"malformed data: URI ({exc})") from None
        with response:
            body = response.read()
        return URLFetcherResponse(
            url, body, {"Content-Type": response.headers.get("Content-Type", "text/plain")}
        )

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "files on other hosts cannot be used")
        try:
            # strict: a missing file or a dangling link fails here; symlinks are followed so
            # that the check below sees where a link really points.
            path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise self._refuse(url, "no such file") from None
        if not any(path.is_relative_to(root) for root in self.roots):
            raise self._refuse(url, "only files of the application may be used")
        if not path.is_file():
            raise self._refuse(url, "not a regular file")
        try:
            # O_NOFOLLOW: the last step cannot have been swapped for a link since the check.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            raise self._refuse(url, "the file cannot be read") from None
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), os.fdopen(fd, "rb"), {"Content-Type": content_type}
        )
