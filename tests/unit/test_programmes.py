"""Reading the framework and the programme as their pages show them (services, no HTTP):
everything a page shows comes loaded, so that its template runs no SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from insights_lms.competencies.services import (
    framework_outline,
    get_competency,
    get_framework,
    load_outline,
)
from insights_lms.programmes.services import module_outline, modules_for, tasks_for

FRAMEWORK, PROGRAMME = "insights-school-leadership", "insights-2026"


@contextmanager
def counted(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def module_outline_all(db: Session) -> list:
    return [
        m
        for code in ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7")
        if (m := module_outline(db, PROGRAMME, code)) is not None
    ]


@pytest.fixture
def fresh(db: Session, content) -> Session:
    """The session with nothing loaded yet, as at the start of a request."""
    db.expunge_all()
    return db


def test_framework_outline_has_the_scale_domains_competencies_and_descriptors(fresh):
    framework = framework_outline(fresh, FRAMEWORK)
    assert framework is not None
    with counted(fresh) as statements:
        levels = framework.scale.levels
        shown = [
            (d.code, c.code, [c.descriptor_for(level) for level in levels])
            for d in framework.domains
            for c in d.competencies
        ]
    assert statements == []
    assert shown and all(any(texts) for _, _, texts in shown)
    assert framework_outline(fresh, "no-such-framework") is None


def test_load_outline_loads_a_framework_reached_through_its_programme(fresh):
    framework = get_framework(fresh, FRAMEWORK)
    assert framework is not None
    loaded = load_outline(fresh, framework)
    with counted(fresh) as statements:
        count = sum(len(c.descriptors) for d in loaded.domains for c in d.competencies)
    assert statements == []
    assert count > 0


def test_competency_page_data_is_loaded_with_where_it_is_developed(fresh):
    framework = get_framework(fresh, FRAMEWORK)
    assert framework is not None
    module = next(m for m in module_outline_all(fresh) if m.competencies)
    comp = get_competency(fresh, framework, module.competencies[0].code)
    assert comp is not None
    modules, tasks = modules_for(fresh, comp), tasks_for(fresh, comp)
    with counted(fresh) as statements:
        shown = (
            comp.domain.code,
            comp.parent.code if comp.parent else None,
            [c.code for c in comp.children],
            [comp.descriptor_for(level) for level in framework.scale.levels],
            [(m.programme.code, m.code) for m in modules],
            [(t.code, t.after_module.title) for t in tasks],
        )
    assert statements == []
    assert (PROGRAMME, module.code) in shown[4]
    assert [m.sequence for m in modules] == sorted(m.sequence for m in modules)


def test_module_outline_has_activities_competencies_and_the_task_after(fresh):
    module = module_outline(fresh, PROGRAMME, "M1")
    assert module is not None
    with counted(fresh) as statements:
        task = module.task_after
        shown = (
            module.programme.framework.code,
            [a.title for a in module.activities],
            [c.code for c in module.competencies],
            [c.code for c in task.competencies] if task else None,
        )
    assert statements == []
    assert shown[0] == FRAMEWORK
    assert task is not None and shown[2]
    assert module_outline(fresh, PROGRAMME, "no-such-module") is None
