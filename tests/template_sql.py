"""Views load what templates show: SQL run while a template renders fails the test.

A pytest plugin (registered in ``tests/conftest.py`` for the whole suite). While Flask renders a template (between
its ``before_render_template`` and ``template_rendered`` signals) every SQL statement sent to any
engine is recorded with the template's name; at the end of each test, a recorded statement
fails it with the template and the SQL, so that a lazy load from a template is found at once
and mended in the view (eager loading) or the service.

A test that really means to run SQL while rendering (none today) can say so with
``@pytest.mark.template_sql_allowed``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import before_render_template, template_rendered
from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class _Watch:
    #: Template names being rendered, per thread (a live server renders in its own threads).
    local: threading.local = field(default_factory=threading.local)
    queries: list[tuple[str, str]] = field(default_factory=list)

    def stack(self) -> list[str]:
        if not hasattr(self.local, "stack"):
            self.local.stack = []
        stack: list[str] = self.local.stack
        return stack


_watch = _Watch()


def _before_render(sender: Any, template: Any, context: Any, **_: Any) -> None:
    _watch.stack().append(template.name or "<string>")


def _rendered(sender: Any, template: Any, context: Any, **_: Any) -> None:
    stack = _watch.stack()
    if stack:
        stack.pop()


def _on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    stack = _watch.stack()
    if stack:
        _watch.queries.append((stack[-1], " ".join(statement.split())[:300]))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "template_sql_allowed: this test may run SQL while a template renders"
    )
    before_render_template.connect(_before_render)
    template_rendered.connect(_rendered)
    event.listen(Engine, "before_cursor_execute", _on_execute)


@pytest.fixture(autouse=True)
def _no_sql_while_rendering(request: pytest.FixtureRequest) -> Iterator[None]:
    _watch.queries.clear()
    _watch.local.stack = []
    yield
    found, _watch.queries[:] = list(_watch.queries), []
    if found and request.node.get_closest_marker("template_sql_allowed") is None:
        by_template: dict[str, list[str]] = {}
        for template, sql in found:
            by_template.setdefault(template, []).append(sql)
        lines = [
            f"{template}: {len(sqls)} quer{'y' if len(sqls) == 1 else 'ies'}, e.g. {sqls[0]}"
            for template, sqls in sorted(by_template.items())
        ]
        pytest.fail(
            "SQL ran while templates rendered (load what the template shows in the view):\n  "
            + "\n  ".join(lines),
            pytrace=False,
        )
