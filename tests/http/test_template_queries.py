"""Every page of the rich demo, as every demo login reaches it, renders without SQL.

The crawl follows the links each person sees (GET only). The ``tests.template_sql`` plugin fails
the test if a template ran a query while rendering: views load what their templates show.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from insights_lms.demo import PEOPLE
from tests.conftest import login

#: Links that change nothing but are not pages (downloads are streamed; PDFs have their tests).
SKIP = re.compile(r"\.(pdf|ics|csv)$|/files/|/logout")


def crawl(client: FlaskClient, start: str = "/", limit: int = 400) -> dict[str, int]:
    """Every page reachable from ``start`` by following links: URL -> status."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or SKIP.search(urlsplit(url).path):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302, 303) and response.location:
            queue.append(urlsplit(response.location).path or "/")
        if not response.mimetype.startswith("text/html"):
            response.close()
            continue
        for href in re.findall(r'href="([^"#]*)', response.get_data(as_text=True)):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith("/assets"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        response.close()
    return seen


@pytest.mark.parametrize("email", [person.email for person in PEOPLE])
def test_every_page_a_demo_login_reaches_renders_without_sql(client, rich_demo, email):
    login(client, email)
    pages = crawl(client)
    assert len(pages) > 5, pages
    assert all(status < 500 for status in pages.values()), pages
