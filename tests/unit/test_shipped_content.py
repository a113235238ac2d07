"""The shipped framework and programme meet the spec, as loaded into the database.

``competencies/insights-school-leadership.yaml`` and ``modules/insights-programme.yaml`` are
what a new installation starts with: 8-12 competencies in 3-4 domains rated on a 4-level
scale, and a programme of spaced modules from a launch to a celebration with a practical task
between each pair.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from insights_lms import resources
from insights_lms.competencies.models import (
    Competency,
    Domain,
    Framework,
    Level,
    LevelDescriptor,
)
from insights_lms.content.loader import load_content_dirs
from insights_lms.enums import ModuleKind
from insights_lms.programmes.models import Module, ModuleActivity, PracticalTask, Programme

FRAMEWORK_CODE = "insights-school-leadership"
PROGRAMME_CODE = "insights-2026"


@pytest.fixture
def framework(db, content) -> Framework:
    return db.scalar(sa.select(Framework).where(Framework.code == FRAMEWORK_CODE))


@pytest.fixture
def programme(db, content) -> Programme:
    return db.scalar(sa.select(Programme).where(Programme.code == PROGRAMME_CODE))


def test_exactly_the_shipped_framework_and_programme_are_loaded(db, content):
    assert content.frameworks == [FRAMEWORK_CODE]
    assert content.programmes == [PROGRAMME_CODE]
    assert list(db.scalars(sa.select(Framework.code))) == [FRAMEWORK_CODE]
    assert list(db.scalars(sa.select(Programme.code))) == [PROGRAMME_CODE]


def test_framework_has_8_to_12_competencies_in_3_to_4_domains(db, framework):
    domains = db.scalars(sa.select(Domain).where(Domain.framework_id == framework.id)).all()
    competencies = db.scalars(
        sa.select(Competency).where(Competency.framework_id == framework.id)
    ).all()
    assert 3 <= len(domains) <= 4
    assert 8 <= len(competencies) <= 12
    assert all(c.title.strip() for c in competencies)
    for domain in domains:
        assert domain.competencies, f"domain {domain.code} has no competencies"


def test_scale_has_four_levels_valued_1_to_4(framework):
    levels = framework.scale.levels
    assert [level.value for level in levels] == [1, 2, 3, 4]
    assert len({level.code for level in levels}) == 4
    assert all(level.title.strip() for level in levels)


def test_every_competency_has_a_descriptor_for_every_level(db, framework):
    levels = framework.scale.levels
    rows = db.execute(
        sa.select(Competency.code, Level.value, LevelDescriptor.text)
        .join(LevelDescriptor, LevelDescriptor.competency_id == Competency.id)
        .join(Level, LevelDescriptor.level_id == Level.id)
        .where(Competency.framework_id == framework.id)
    ).all()
    texts = {(code, value): text for code, value, text in rows}
    for comp in framework.competencies:
        for level in levels:
            text = texts.get((comp.code, level.value), "")
            assert text.strip(), f"{comp.code} has no descriptor for level {level.value}"


def test_programme_runs_from_one_launch_to_one_celebration(programme):
    kinds = [m.kind for m in programme.modules]
    assert kinds[0] == ModuleKind.LAUNCH
    assert kinds[-1] == ModuleKind.CELEBRATION
    assert kinds.count(ModuleKind.LAUNCH) == 1
    assert kinds.count(ModuleKind.CELEBRATION) == 1
    between = kinds[1:-1]
    assert 5 <= len(between) <= 6
    assert set(between) <= {ModuleKind.WORKSHOP, ModuleKind.STUDY_VISIT}


def test_modules_are_numbered_in_date_order(programme):
    modules = programme.modules
    assert [m.sequence for m in modules] == sorted({m.sequence for m in modules})
    starts = [m.planned_start for m in modules]
    assert starts == sorted(starts)
    for m in modules:
        assert m.planned_end > m.planned_start, m.code
        assert m.title.strip() and m.theme.strip(), m.code


def test_modules_are_spaced_at_least_three_weeks_apart(programme):
    modules = programme.modules
    for before, after in itertools.pairwise(modules):
        gap = after.planned_start - before.planned_end
        assert gap >= dt.timedelta(weeks=3), f"{after.code} starts {gap} after {before.code}"


def test_a_practical_task_lies_between_each_pair_of_modules(programme):
    modules = programme.modules
    tasks = {t.after_module.code: t for t in programme.tasks}
    assert len(programme.tasks) == len(modules) - 1
    for before, after in itertools.pairwise(modules):
        task = tasks.get(before.code)
        assert task is not None, f"no practical task after {before.code}"
        assert task.before_module.code == after.code
        assert task.instructions.strip(), task.code
        assert task.expected_evidence.strip(), task.code
        assert before.planned_end <= task.opens < task.due <= after.planned_start


def test_every_competency_is_addressed_by_at_least_one_module(framework, programme):
    covered = {c.code for m in programme.modules for c in m.competencies}
    uncovered = sorted({c.code for c in framework.competencies} - covered)
    assert uncovered == []


def test_programme_uses_the_shipped_framework_in_london_time(programme):
    assert programme.framework.code == FRAMEWORK_CODE
    assert programme.time_zone == "Europe/London"


def test_loading_the_shipped_content_again_changes_no_counts(db, content):
    models = (
        Framework,
        Domain,
        Competency,
        Level,
        LevelDescriptor,
        Programme,
        Module,
        ModuleActivity,
        PracticalTask,
    )

    def counts() -> dict[str, int]:
        return {m.__name__: db.scalar(sa.select(sa.func.count()).select_from(m)) for m in models}

    before = counts()
    report = load_content_dirs(db, resources.competencies_dir(), resources.modules_dir())
    db.commit()

    assert counts() == before
    assert report.created == 0
    assert report.removed == 0
