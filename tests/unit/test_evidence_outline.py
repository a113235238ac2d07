"""The competency checkboxes by domain (insights_lms.evidence.outline) and the loaders that let
evidence and task pages render without SQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.competencies.models import Framework
from insights_lms.evidence.outline import competency_outline
from insights_lms.tasks import services as tasks


def test_the_outline_follows_the_framework_domain_by_domain(db: Session, content):
    framework = db.scalar(sa.select(Framework).order_by(Framework.id))
    assert framework is not None
    expected = [
        (d.code, d.title, [(c.id, c.code, c.title) for c in d.competencies])
        for d in framework.domains
    ]
    outline = competency_outline(db, framework.id)
    assert [
        (d.code, d.title, [(c.id, c.code, c.title) for c in d.competencies]) for d in outline
    ] == expected
    assert sum(len(d.competencies) for d in outline) == len(framework.competencies)


def test_the_outline_is_plain_values_that_survive_a_rollback(db: Session, content):
    framework = db.scalar(sa.select(Framework).order_by(Framework.id))
    assert framework is not None
    outline = competency_outline(db, framework.id)
    db.rollback()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert [c.code for d in outline for c in d.competencies]
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert statements == []


def test_a_task_window_comes_with_what_its_page_shows(db: Session, demo):
    window = sorted(demo.task_windows, key=lambda w: w.opens_at)[0]
    db.expunge_all()
    loaded = tasks.window_for_page(db, window.id)
    assert loaded is not None
    state = sa.inspect(loaded)
    assert "cohort" not in state.unloaded and "task" not in state.unloaded
    assert "programme" not in sa.inspect(loaded.cohort).unloaded
    assert "framework" not in sa.inspect(loaded.cohort.programme).unloaded
    task_state = sa.inspect(loaded.task)
    assert "after_module" not in task_state.unloaded and "competencies" not in task_state.unloaded
