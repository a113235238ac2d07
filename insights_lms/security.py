"""Security headers on the LMS's own answers, and absolute links that never come from ``Host``.

``install(blueprint)`` adds an after-request hook to the ``lms`` blueprint, so a host app that
mounts the LMS keeps its own headers on its own pages. Every LMS answer gets ``nosniff``, a
``Referrer-Policy``, a ``Permissions-Policy`` that switches off powerful features, no framing
(``frame-ancestors`` and ``X-Frame-Options``) and, in production, HSTS. HTML pages also get a
strict Content-Security-Policy: scripts, styles, images and fonts from the LMS's own origin only,
no inline script or style (templates keep their CSS in ``static/``). Other answers (the Statement
API's JSON, downloads, PDFs) get ``default-src 'none'``-free headers: the page policy means
nothing there, and a PDF viewer must still be able to show a portfolio.

Framing: ``frame-ancestors 'none'`` unless origins are allowed. ``INSIGHTS_FRAME_ANCESTORS``
(space-separated origins, e.g. an LTI platform) is read per request, and
``allow_frame_ancestors(app, provider)`` registers a function returning more origins (a later LTI
integration returns its registered platforms). With any origin allowed, ``X-Frame-Options`` is
left out (it cannot name origins) and CSP ``frame-ancestors`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, url_for
from flask.wrappers import Response

from insights_lms.config import require_base_url
from insights_lms.state import settings

#: ``app.extensions`` key of the registered frame-ancestor providers.
FRAME_ANCESTORS_KEY = "insights_lms.frame_ancestors"

#: The CSP of an HTML page, without ``frame-ancestors`` (added per request).
PAGE_POLICY = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)

REFERRER_POLICY = "strict-origin-when-cross-origin"
HSTS = "max-age=31536000; includeSubDomains"

FrameAncestors = Callable[[], Iterable[str]]


def install(blueprint: Blueprint) -> None:
    """Add the security headers to every answer of ``blueprint`` (the ``lms`` blueprint)."""
    blueprint.after_request(add_headers)


def allow_frame_ancestors(app: Flask, provider: FrameAncestors) -> None:
    """Let ``provider()``'s origins (``https://platform.example``) frame the LMS's pages."""
    app.extensions.setdefault(FRAME_ANCESTORS_KEY, []).append(provider)


def frame_ancestors() -> list[str]:
    """The origins allowed to frame LMS pages now: the setting's, then every provider's."""
    origins = settings().frame_ancestors.split()
    for provider in current_app.extensions.get(FRAME_ANCESTORS_KEY, []):
        origins.extend(provider())
    return list(dict.fromkeys(origins))


def add_headers(response: Response) -> Response:
    """The headers; a view that set one itself keeps its own value."""
    origins = frame_ancestors()
    ancestors = "frame-ancestors " + (" ".join(origins) if origins else "'none'")
    headers = response.headers
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", "; ".join((*PAGE_POLICY, ancestors)))
    else:
        headers.setdefault("Content-Security-Policy", ancestors)
    if not origins:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if settings().is_production:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL of ``endpoint`` on ``INSIGHTS_BASE_URL`` (the site's root; the LMS's URL
    prefix comes from its routes). Without the setting, production refuses (the standalone app
    does not even start) and development and tests use the request's own URL."""
    conf = settings()
    base_url = conf.base_url
    if not base_url:
        require_base_url(conf)
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return str(adapter.build(endpoint, values, force_external=True))
