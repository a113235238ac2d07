"""Every browser journey also checks the Content-Security-Policy: a violation fails the test.

Chromium reports each blocked inline script or style (and any other CSP refusal) as a console
error naming the "Content Security Policy"; every context a test opens (pytest-playwright's
``page`` and the tests' own ``browser.new_context()``) listens for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage


@pytest.fixture(autouse=True)
def fail_on_csp_violations(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    violations: list[str] = []
    original = Browser.new_context

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url', '?')}: {message.text}")

    def new_context(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = original(self, *args, **kwargs)
        context.on("console", listen)
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
