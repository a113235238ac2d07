"""What `lms load-content` tells a programme designer about a (re)load."""

from __future__ import annotations

import shutil

from insights_lms import resources
from insights_lms.content.loader import load_content_dirs


def copy_content(tmp_path):
    comp = tmp_path / "competencies"
    mods = tmp_path / "modules"
    shutil.copytree(resources.competencies_dir(), comp)
    shutil.copytree(resources.modules_dir(), mods)
    return comp, mods


def test_first_load_creates_and_unchanged_reload_changes_nothing(db, tmp_path):
    comp, mods = copy_content(tmp_path)
    first = load_content_dirs(db, comp, mods)
    db.commit()
    assert first.created > 0 and first.updated == 0 and first.unchanged == 0
    again = load_content_dirs(db, comp, mods)
    db.commit()
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == first.created
    assert "0 created, 0 updated" in again.summary()


def test_edits_are_counted_as_updates(db, tmp_path):
    comp, mods = copy_content(tmp_path)
    load_content_dirs(db, comp, mods)
    db.commit()
    programme = next(mods.glob("*.yaml"))
    text = programme.read_text()
    programme.write_text(text.replace("title: Insights\n", "title: Insights Leadership\n", 1))
    framework = next(comp.glob("*.yaml"))
    text = framework.read_text()
    framework.write_text(text.replace('version: "2026.1"', 'version: "2026.2"', 1))
    report = load_content_dirs(db, comp, mods)
    db.commit()
    assert report.updated == 2
    assert report.created == 0 and report.removed == 0


def test_removing_a_competency_that_people_used_is_refused(db, tmp_path, demo):
    """Evidence and self-ratings are people's records: a content edit must not delete them."""
    import datetime as dt

    import pytest
    import sqlalchemy as sa

    from insights_lms.cohorts.models import Enrolment
    from insights_lms.competencies.models import Competency
    from insights_lms.content.loader import ContentError
    from insights_lms.evidence.models import Evidence

    comp, mods = copy_content(tmp_path)
    enrolment = db.scalars(sa.select(Enrolment)).first()
    l43 = db.scalar(sa.select(Competency).where(Competency.code == "L4.2"))
    db.add(
        Evidence(
            enrolment=enrolment,
            owner=enrolment.user,
            title="Partnership",
            occurred_on=dt.date(2026, 10, 1),
            competencies=[l43],
        )
    )
    db.commit()
    framework = next(comp.glob("*.yaml"))
    text = framework.read_text()
    start = text.index("      - code: L4.2")
    framework.write_text(text[:start])  # drop L4.2, the last competency
    mods_file = next(mods.glob("*.yaml"))
    mods_file.write_text(
        mods_file.read_text()
        .replace("L4.2, ", "")
        .replace(", L4.2", "")
        .replace("[L4.2]", "[L4.1]")
    )
    with pytest.raises(ContentError) as info:
        load_content_dirs(db, comp, mods)
    db.rollback()
    problem = info.value.problems[0]
    assert problem.file == framework.name and problem.entry == "competency L4.2"
    assert "1 evidence item(s) refer to it" in problem.message
    assert db.scalar(sa.select(Competency).where(Competency.code == "L4.2")) is not None
