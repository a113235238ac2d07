"""Loading framework and programme YAML: every mistake is named, nothing is half-loaded.

A programme designer edits the files in ``competencies/`` and ``modules/`` and runs
``flask --app insights_lms lms load-content``. These tests write small content files into a
temporary folder, load them, and check what the designer would see: an error naming the file,
the entry and the field for each kind of mistake, an untouched database when anything is
wrong, and a reload that updates entries by code without ever duplicating them.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from insights_lms.cohorts.models import Cohort, CohortModule, CohortTask
from insights_lms.cohorts.services import create_cohort
from insights_lms.competencies.models import (
    Competency,
    Domain,
    Framework,
    Level,
    LevelDescriptor,
)
from insights_lms.content.loader import (
    ContentError,
    LoadReport,
    Problem,
    load_content,
    load_content_dirs,
)
from insights_lms.programmes.models import Module, ModuleActivity, PracticalTask, Programme

FRAMEWORK_FILE = "test-framework.yaml"
PROGRAMME_FILE = "test-programme.yaml"
UTC = dt.UTC

# --- building content -------------------------------------------------------------------


def competency(code: str, title: str, levels: tuple[int, ...] = (1, 2, 3, 4)) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "description": f"What {title.lower()} involves.",
        "indicators": [f"Shows {title.lower()} in daily practice"],
        "levels": {value: f"{title}: what level {value} looks like." for value in levels},
    }


def make_framework(code: str = "test-fw") -> dict[str, Any]:
    """A minimal valid framework: 2 domains, 3 competencies, a 4-level scale, descriptors."""
    return {
        "code": code,
        "title": "Test leadership framework",
        "version": "1.0",
        "description": "A framework for tests.",
        "scale": {
            "title": "Practice",
            "levels": [
                {"value": 1, "code": "emerging", "title": "Emerging"},
                {"value": 2, "code": "developing", "title": "Developing"},
                {"value": 3, "code": "established", "title": "Established"},
                {"value": 4, "code": "leading", "title": "Leading"},
            ],
        },
        "domains": [
            {
                "code": "L1",
                "title": "Purpose and culture",
                "competencies": [
                    competency("L1.1", "Vision and values"),
                    competency("L1.2", "Culture and trust"),
                ],
            },
            {
                "code": "L2",
                "title": "Curriculum",
                "competencies": [competency("L2.1", "Curriculum design")],
            },
        ],
    }


def module(
    code: str, sequence: int, kind: str, start: str, end: str, competencies: list[str]
) -> dict[str, Any]:
    return {
        "code": code,
        "sequence": sequence,
        "kind": kind,
        "title": f"Module {code}",
        "theme": f"Theme of {code}",
        "summary": f"What happens in {code}.",
        "objectives": [f"Learn from {code}"],
        "start": start,
        "end": end,
        "location": "Tower Hamlets",
        "competencies": competencies,
        "activities": [
            {"kind": "expert_input", "title": f"Input in {code}"},
            {"kind": "goldfish_bowl", "title": f"Goldfish bowl in {code}"},
        ],
    }


def task(code: str, after: str, competencies: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "after": after,
        "title": f"Task {code}",
        "instructions": f"Trial {code} in school.",
        "expected_evidence": f"A note about {code}.",
        "competencies": competencies,
        **extra,
    }


def make_programme(framework: str = "test-fw") -> dict[str, Any]:
    """A minimal valid programme: 4 spaced modules (one in summer time, one in winter time)
    with a practical task between each pair."""
    return {
        "code": "test-prog",
        "title": "Test programme",
        "framework": framework,
        "time_zone": "Europe/London",
        "modules": [
            module("M1", 1, "launch", "2026-07-01T09:00", "2026-07-01T16:00", ["L1.1"]),
            module("M2", 2, "workshop", "2026-09-10T09:00", "2026-09-10T15:30", ["L1.2"]),
            module("M3", 3, "study_visit", "2026-12-01T09:00", "2026-12-01T15:00", ["L2.1"]),
            module("M4", 4, "celebration", "2027-02-04T16:00", "2027-02-04T19:00", ["L1.1"]),
        ],
        "tasks": [
            task("T1", "M1", ["L1.1"]),
            task("T2", "M2", ["L1.2"]),
            task("T3", "M3", ["L2.1"]),
        ],
    }


def write_content(
    root: Path,
    frameworks: dict[str, Any] | None = None,
    programmes: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write ``{file name: data}`` into ``root/competencies`` and ``root/modules``.

    Existing files are replaced, so a test can edit and reload; a string is written as is.
    """
    comp_dir, mod_dir = root / "competencies", root / "modules"
    for folder, files in ((comp_dir, frameworks), (mod_dir, programmes)):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, data in (files or {}).items():
            text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
            (folder / name).write_text(text, encoding="utf-8")
    return comp_dir, mod_dir


def write_valid(root: Path, framework: Any = None, programme: Any = None) -> tuple[Path, Path]:
    """The minimal framework and programme, or the given replacements (dicts or raw text)."""
    return write_content(
        root,
        {FRAMEWORK_FILE: framework or make_framework()},
        {PROGRAMME_FILE: programme or make_programme()},
    )


def content_error(db, root: Path, framework: Any = None, programme: Any = None) -> ContentError:
    """Load one framework and one programme file that must be rejected; return the error."""
    comp_dir, mod_dir = write_valid(root, framework, programme)
    with pytest.raises(ContentError) as info:
        load_content_dirs(db, comp_dir, mod_dir)
    return info.value


def problems_at(
    exc: ContentError, file: str, entry: str, field: str | None = None
) -> list[Problem]:
    """The problems reported for one place; fails listing every problem when there is none."""
    found = [
        p
        for p in exc.problems
        if p.file == file and p.entry == entry and (field is None or p.field == field)
    ]
    assert found, f"no problem at {file} / {entry} / {field}; got:\n{exc}"
    return found


def count(db, model: type) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


ALL_CONTENT_MODELS = (
    Framework,
    Domain,
    Competency,
    LevelDescriptor,
    Level,
    Module,
    ModuleActivity,
    PracticalTask,
)


def row_counts(db) -> dict[str, int]:
    return {model.__name__: count(db, model) for model in (*ALL_CONTENT_MODELS, Programme)}


def load_valid(db, root: Path, **kwargs: Any) -> LoadReport:
    report = load_content_dirs(db, *write_valid(root, **kwargs))
    db.commit()
    return report


def get_module(db, code: str) -> Module:
    return db.scalar(sa.select(Module).where(Module.code == code))


def get_task(db, code: str) -> PracticalTask:
    return db.scalar(sa.select(PracticalTask).where(PracticalTask.code == code))


def get_competency(db, code: str) -> Competency:
    return db.scalar(sa.select(Competency).where(Competency.code == code))


# --- a valid load -----------------------------------------------------------------------


def test_valid_content_loads_framework_and_programme(db, tmp_path):
    report = load_valid(db, tmp_path)

    assert report.frameworks == ["test-fw"]
    assert report.programmes == ["test-prog"]
    assert row_counts(db) == {
        "Framework": 1,
        "Domain": 2,
        "Competency": 3,
        "LevelDescriptor": 12,
        "Level": 4,
        "Module": 4,
        "ModuleActivity": 8,
        "PracticalTask": 3,
        "Programme": 1,
    }
    m2 = get_module(db, "M2")
    assert [c.code for c in m2.competencies] == ["L1.2"]
    t1 = get_task(db, "T1")
    assert (t1.after_module.code, t1.before_module.code) == ("M1", "M2")
    assert t1.instructions == "Trial T1 in school."
    assert get_competency(db, "L2.1").domain.code == "L2"


def test_load_content_accepts_explicit_file_lists(db, tmp_path):
    comp_dir, mod_dir = write_valid(tmp_path)
    load_content(db, [comp_dir / FRAMEWORK_FILE], [mod_dir / PROGRAMME_FILE])
    assert db.scalar(sa.select(Programme.title)) == "Test programme"


# --- each kind of mistake ---------------------------------------------------------------


def test_missing_required_field_names_file_entry_and_field(db, tmp_path):
    framework = make_framework()
    del framework["domains"][0]["competencies"][1]["title"]

    exc = content_error(db, tmp_path, framework=framework)

    [problem] = problems_at(exc, FRAMEWORK_FILE, "competency L1.2", "title")
    assert "missing" in problem.message
    assert f"{FRAMEWORK_FILE}: competency L1.2, field 'title'" in str(exc)


def test_missing_module_date_is_reported(db, tmp_path):
    programme = make_programme()
    del programme["modules"][2]["start"]

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "module M3", "start")
    assert "missing" in problem.message


def test_misspelt_key_is_reported_as_unknown_field(db, tmp_path):
    programme = make_programme()
    programme["modules"][1]["theem"] = programme["modules"][1].pop("theme")

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "module M2", "theem")
    assert "unknown field" in problem.message
    assert "module M2, field 'theem'" in str(exc)


def test_misspelt_required_key_reports_unknown_and_missing(db, tmp_path):
    framework = make_framework()
    comp = framework["domains"][1]["competencies"][0]
    comp["titel"] = comp.pop("title")

    exc = content_error(db, tmp_path, framework=framework)

    assert (
        "unknown field" in problems_at(exc, FRAMEWORK_FILE, "competency L2.1", "titel")[0].message
    )
    assert "missing" in problems_at(exc, FRAMEWORK_FILE, "competency L2.1", "title")[0].message


def test_unknown_competency_code_in_a_module(db, tmp_path):
    programme = make_programme()
    programme["modules"][0]["competencies"] = ["L1.1", "L9.9"]

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "module M1", "competencies")
    assert "L9.9" in problem.message
    assert "unknown competency" in problem.message


def test_unknown_competency_code_in_a_task(db, tmp_path):
    programme = make_programme()
    programme["tasks"][1]["competencies"] = ["L1.2", "L1.20"]

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T2", "competencies")
    assert "L1.20" in problem.message


def test_task_due_before_it_opens(db, tmp_path):
    programme = make_programme()
    programme["tasks"][0].update(opens="2026-08-01T09:00", due="2026-07-20T09:00")

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T1", "due")
    assert "after the opening date" in problem.message


def test_task_due_at_the_moment_it_opens(db, tmp_path):
    programme = make_programme()
    programme["tasks"][0].update(opens="2026-08-01T09:00", due="2026-08-01T09:00")

    exc = content_error(db, tmp_path, programme=programme)

    assert problems_at(exc, PROGRAMME_FILE, "task T1", "due")


def test_task_opening_before_its_module_ends(db, tmp_path):
    programme = make_programme()
    programme["tasks"][0]["opens"] = "2026-07-01T12:00"  # M1 runs until 16:00

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T1", "opens")
    assert "M1" in problem.message


def test_task_due_after_the_next_module_starts(db, tmp_path):
    programme = make_programme()
    programme["tasks"][1]["due"] = "2026-12-01T10:00"  # M3 starts at 09:00

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T2", "due")
    assert "M3" in problem.message


def test_task_dates_inside_the_gap_are_accepted(db, tmp_path):
    programme = make_programme()
    programme["tasks"][1].update(opens="2026-09-11T09:00", due="2026-11-24T17:00")

    load_valid(db, tmp_path, programme=programme)

    t2 = get_task(db, "T2")
    assert t2.opens == dt.datetime(2026, 9, 11, 8, 0, tzinfo=UTC)
    assert t2.due == dt.datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def test_module_ending_before_it_starts(db, tmp_path):
    programme = make_programme()
    programme["modules"][1].update(start="2026-09-10T15:30", end="2026-09-10T09:00")

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "module M2")
    assert "end must be after start" in problem.message


def test_module_starting_before_the_previous_one_ends(db, tmp_path):
    programme = make_programme()
    programme["modules"][2].update(start="2026-09-10T12:00", end="2026-09-10T17:00")
    programme["tasks"].remove(programme["tasks"][1])  # no room for T2 either way

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "module M3", "start")
    assert "M2" in problem.message


def test_modules_are_ordered_by_sequence_not_by_position_in_the_file(db, tmp_path):
    programme = make_programme()
    # Listing the modules backwards changes nothing, but renumbering M2 (in September) to
    # come after M4 (in February) makes it start before its predecessor ends.
    programme["modules"].reverse()
    programme["modules"][2]["sequence"] = 5  # M2

    exc = content_error(db, tmp_path, programme=programme)

    assert problems_at(exc, PROGRAMME_FILE, "module M2", "start")


def test_two_competencies_with_the_same_code(db, tmp_path):
    framework = make_framework()
    framework["domains"][1]["competencies"].append(competency("L1.1", "Another vision"))

    exc = content_error(db, tmp_path, framework=framework)

    [problem] = problems_at(exc, FRAMEWORK_FILE, "competency L1.1", "code")
    assert "duplicate" in problem.message


def test_two_modules_with_the_same_code(db, tmp_path):
    programme = make_programme()
    programme["modules"][3]["code"] = "M3"
    programme["tasks"][2]["after"] = "M3"

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "module M3", "code")
    assert "duplicate" in problem.message


def test_two_modules_with_the_same_sequence_number(db, tmp_path):
    programme = make_programme()
    programme["modules"][2]["sequence"] = 2

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "module M3", "sequence")
    assert "duplicate" in problem.message


def test_two_tasks_with_the_same_code(db, tmp_path):
    programme = make_programme()
    programme["tasks"][2]["code"] = "T1"

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T1", "code")
    assert "duplicate" in problem.message


def test_two_tasks_after_the_same_module(db, tmp_path):
    programme = make_programme()
    programme["tasks"].append(task("T9", "M2", ["L1.2"]))

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T9", "after")
    assert "M2 already has a practical task" in problem.message


def test_two_framework_files_with_the_same_code(db, tmp_path):
    comp_dir, mod_dir = write_content(
        tmp_path,
        {"a-framework.yaml": make_framework(), "b-framework.yaml": make_framework()},
        {PROGRAMME_FILE: make_programme()},
    )

    with pytest.raises(ContentError) as info:
        load_content_dirs(db, comp_dir, mod_dir)

    [problem] = problems_at(info.value, "b-framework.yaml", "framework test-fw", "code")
    assert "a-framework.yaml" in problem.message
    assert count(db, Framework) == 0


def test_task_after_the_last_module(db, tmp_path):
    programme = make_programme()
    programme["tasks"].append(task("T4", "M4", ["L1.1"]))

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T4", "after")
    assert "last module" in problem.message


def test_task_after_an_unknown_module(db, tmp_path):
    programme = make_programme()
    programme["tasks"][0]["after"] = "M7"

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "task T1", "after")
    assert "unknown module" in problem.message
    assert "M7" in problem.message


def test_competency_missing_a_level_descriptor(db, tmp_path):
    framework = make_framework()
    framework["domains"][0]["competencies"][0] = competency("L1.1", "Vision", levels=(1, 2, 4))

    exc = content_error(db, tmp_path, framework=framework)

    [problem] = problems_at(exc, FRAMEWORK_FILE, "competency L1.1", "levels")
    assert "3" in problem.message
    assert "no descriptor" in problem.message


def test_empty_level_descriptor(db, tmp_path):
    framework = make_framework()
    framework["domains"][1]["competencies"][0]["levels"][2] = "   "

    exc = content_error(db, tmp_path, framework=framework)

    [problem] = problems_at(exc, FRAMEWORK_FILE, "competency L2.1", "levels.2")
    assert "empty" in problem.message


def test_descriptor_for_a_level_not_on_the_scale(db, tmp_path):
    framework = make_framework()
    framework["domains"][0]["competencies"][1] = competency(
        "L1.2", "Culture", levels=(1, 2, 3, 4, 5)
    )

    exc = content_error(db, tmp_path, framework=framework)

    [problem] = problems_at(exc, FRAMEWORK_FILE, "competency L1.2", "levels")
    assert "5" in problem.message
    assert "not on the scale" in problem.message


def test_programme_naming_an_unknown_framework(db, tmp_path):
    exc = content_error(db, tmp_path, programme=make_programme(framework="tset-fw"))

    [problem] = problems_at(exc, PROGRAMME_FILE, "programme test-prog", "framework")
    assert "tset-fw" in problem.message


def test_programme_with_an_unknown_time_zone(db, tmp_path):
    programme = make_programme()
    programme["time_zone"] = "Europe/Londres"

    exc = content_error(db, tmp_path, programme=programme)

    [problem] = problems_at(exc, PROGRAMME_FILE, "programme test-prog", "time_zone")
    assert "Europe/Londres" in problem.message


def test_invalid_yaml_names_the_file_and_line(db, tmp_path):
    broken = yaml.safe_dump(make_programme(), sort_keys=False).replace(
        "title: Test programme", "title: [Test programme", 1
    )

    exc = content_error(db, tmp_path, programme=broken)

    [problem] = exc.problems
    assert problem.file == PROGRAMME_FILE
    assert problem.entry.startswith("line ")
    assert "not valid YAML" in problem.message
    assert str(exc).startswith(f"{PROGRAMME_FILE}: line ")


def test_a_file_that_is_not_a_mapping_is_rejected(db, tmp_path):
    exc = content_error(db, tmp_path, framework="- just\n- a list\n")

    [problem] = problems_at(exc, FRAMEWORK_FILE, "")
    assert "mapping" in problem.message


def test_empty_content_folders_are_an_error(db, tmp_path):
    comp_dir, mod_dir = write_content(tmp_path)

    with pytest.raises(ContentError, match="no YAML content files"):
        load_content_dirs(db, comp_dir, mod_dir)


def test_mistakes_in_several_files_are_all_reported_at_once(db, tmp_path):
    framework = make_framework()
    framework["domains"][1]["competencies"][0]["levels"].pop(4)
    framework["domains"][1]["competencies"].append(competency("L1.1", "Vision again"))
    programme = make_programme()
    programme["modules"][0]["competencies"] = ["L7.7"]
    programme["tasks"][2]["after"] = "M4"
    comp_dir, mod_dir = write_content(
        tmp_path,
        {FRAMEWORK_FILE: framework, "other-framework.yaml": "code: other\ntitle: [oops\n"},
        {PROGRAMME_FILE: programme},
    )

    with pytest.raises(ContentError) as info:
        load_content_dirs(db, comp_dir, mod_dir)

    exc = info.value
    assert problems_at(exc, FRAMEWORK_FILE, "competency L2.1", "levels")
    assert problems_at(exc, FRAMEWORK_FILE, "competency L1.1", "code")
    assert problems_at(exc, "other-framework.yaml", "line 3")
    assert problems_at(exc, PROGRAMME_FILE, "module M1", "competencies")
    assert problems_at(exc, PROGRAMME_FILE, "task T3", "after")
    assert len(exc.problems) == 5
    assert len(str(exc).splitlines()) == 5


def test_a_mistake_in_the_framework_file_does_not_make_its_programme_fail_too(db, tmp_path):
    """The programme names a framework that is there, in a file with one typo: the designer
    must be told about the typo, not that the framework does not exist."""
    framework = make_framework()
    del framework["domains"][0]["competencies"][1]["title"]

    exc = content_error(db, tmp_path, framework=framework)

    assert problems_at(exc, FRAMEWORK_FILE, "competency L1.2", "title")
    assert [str(p) for p in exc.problems if p.file == PROGRAMME_FILE] == []


# --- all or nothing ---------------------------------------------------------------------


def test_a_broken_programme_loads_nothing_not_even_the_valid_framework(db, tmp_path):
    programme = make_programme()
    programme["modules"][1]["competencies"] = ["L5.1"]

    content_error(db, tmp_path, programme=programme)

    assert db.scalars(sa.select(Framework)).all() == []
    assert db.scalars(sa.select(Programme)).all() == []


def test_a_broken_reload_leaves_the_loaded_content_unchanged(db, tmp_path):
    load_valid(db, tmp_path)
    before = row_counts(db)
    framework = make_framework()
    framework["title"] = "Renamed framework"
    framework["domains"][0]["competencies"][0]["title"] = "Renamed competency"
    programme = make_programme()
    programme["modules"][0]["title"] = "Renamed module"
    programme["tasks"][0]["due"] = "2026-06-01T09:00"  # before T1 opens

    content_error(db, tmp_path, framework=framework, programme=programme)

    assert db.scalar(sa.select(Framework.title)) == "Test leadership framework"
    assert get_competency(db, "L1.1").title == "Vision and values"
    assert get_module(db, "M1").title == "Module M1"
    assert row_counts(db) == before


# --- idempotent, updating by code -------------------------------------------------------


def test_loading_the_same_content_twice_duplicates_nothing(db, tmp_path):
    load_valid(db, tmp_path)
    first = row_counts(db)

    load_valid(db, tmp_path)

    assert row_counts(db) == first
    assert first["Competency"] == 3


def test_reload_updates_entries_in_place_by_code(db, tmp_path):
    load_valid(db, tmp_path)
    comp_id = get_competency(db, "L1.2").id
    module_id = get_module(db, "M3").id
    descriptor_ids = {d.level.value: d.id for d in get_competency(db, "L2.1").descriptors}
    framework = make_framework()
    framework["domains"][0]["competencies"][1]["title"] = "Culture, trust and belonging"
    framework["domains"][1]["competencies"][0]["levels"][3] = "Reviews the curriculum yearly."
    programme = make_programme()
    programme["modules"][2]["theme"] = "Partnership"

    load_valid(db, tmp_path, framework=framework, programme=programme)

    db.expire_all()
    comp = get_competency(db, "L1.2")
    assert (comp.id, comp.title) == (comp_id, "Culture, trust and belonging")
    m3 = get_module(db, "M3")
    assert (m3.id, m3.theme) == (module_id, "Partnership")
    l21 = get_competency(db, "L2.1")
    assert {d.level.value: d.id for d in l21.descriptors} == descriptor_ids
    level3 = next(d for d in l21.descriptors if d.level.value == 3)
    assert level3.text == "Reviews the curriculum yearly."
    assert count(db, Competency) == 3
    assert count(db, LevelDescriptor) == 12


def test_a_competency_removed_from_the_file_is_removed(db, tmp_path):
    load_valid(db, tmp_path)
    framework = make_framework()
    framework["domains"][0]["competencies"].pop(1)  # L1.2
    programme = make_programme()
    programme["modules"][1]["competencies"] = ["L1.1"]
    programme["tasks"][1]["competencies"] = ["L1.1"]

    load_valid(db, tmp_path, framework=framework, programme=programme)

    db.expire_all()
    assert get_competency(db, "L1.2") is None
    assert sorted(db.scalars(sa.select(Competency.code))) == ["L1.1", "L2.1"]
    assert count(db, LevelDescriptor) == 8
    assert [c.code for c in get_module(db, "M2").competencies] == ["L1.1"]


def test_swapping_module_sequence_numbers_reloads_cleanly(db, tmp_path):
    load_valid(db, tmp_path)
    ids = {code: get_module(db, code).id for code in ("M2", "M3")}
    programme = make_programme()
    m2, m3 = programme["modules"][1], programme["modules"][2]
    # M3 now comes second and M2 third: swap their numbers and their dates. Each task still
    # follows the same module, so it now leads to a different one.
    m2["sequence"], m3["sequence"] = 3, 2
    for key in ("start", "end"):
        m2[key], m3[key] = m3[key], m2[key]

    load_valid(db, tmp_path, programme=programme)

    db.expire_all()
    prog = db.scalar(sa.select(Programme))
    assert [m.code for m in prog.modules] == ["M1", "M3", "M2", "M4"]
    assert {code: get_module(db, code).id for code in ("M2", "M3")} == ids
    assert get_module(db, "M2").planned_start == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    gaps = {t.code: (t.after_module.code, t.before_module.code) for t in prog.tasks}
    assert gaps == {"T1": ("M1", "M3"), "T2": ("M2", "M4"), "T3": ("M3", "M2")}
    assert count(db, Module) == 4
    assert count(db, PracticalTask) == 3


def test_two_tasks_can_exchange_the_modules_they_follow(app, runner, tmp_path):
    """A designer moves task T2 to after M3 and T3 to after M2 and reloads."""
    comp_dir, mod_dir = write_valid(tmp_path)
    args = ["lms", "load-content", "--competencies", str(comp_dir), "--modules", str(mod_dir)]
    assert runner.invoke(args=args).exit_code == 0
    programme = make_programme()
    programme["tasks"][1]["after"] = "M3"
    programme["tasks"][2]["after"] = "M2"
    write_valid(tmp_path, programme=programme)

    result = runner.invoke(args=args)

    assert result.exit_code == 0, f"{result.output}{result.exception!r}"
    with app.app_context():
        from insights_lms.db import session

        gaps = {
            t.code: (t.after_module.code, t.before_module.code)
            for t in session.scalars(sa.select(PracticalTask))
        }
    assert gaps == {"T1": ("M1", "M2"), "T2": ("M3", "M4"), "T3": ("M2", "M3")}


def test_a_module_and_task_removed_from_the_file_are_removed(db, tmp_path):
    load_valid(db, tmp_path)
    programme = make_programme()
    programme["modules"].pop()  # M4
    programme["tasks"].pop()  # T3, which led to M4

    load_valid(db, tmp_path, programme=programme)

    db.expire_all()
    assert sorted(db.scalars(sa.select(Module.code))) == ["M1", "M2", "M3"]
    assert sorted(db.scalars(sa.select(PracticalTask.code))) == ["T1", "T2"]


# --- dates and time zones ---------------------------------------------------------------


def test_naive_times_are_local_to_the_programme_time_zone(db, tmp_path):
    load_valid(db, tmp_path)

    summer = get_module(db, "M1")  # 2026-07-01T09:00, British Summer Time
    winter = get_module(db, "M3")  # 2026-12-01T09:00, Greenwich Mean Time
    assert summer.planned_start == dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert winter.planned_start == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for value in (summer.planned_start, summer.planned_end, winter.planned_start):
        assert value.utcoffset() == dt.timedelta(0)


def test_times_with_an_explicit_offset_are_kept(db, tmp_path):
    programme = make_programme()
    programme["modules"][0].update(start="2026-07-01T09:00+02:00", end="2026-07-01T16:00+02:00")

    load_valid(db, tmp_path, programme=programme)

    assert get_module(db, "M1").planned_start == dt.datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def test_a_module_mixing_a_time_with_and_without_offset_is_handled(db, tmp_path):
    """Content times without an offset are London time; mixing styles must not crash."""
    programme = make_programme()
    programme["modules"][0].update(start="2026-07-01T09:00+01:00", end="2026-07-01T16:00")
    comp_dir, mod_dir = write_valid(tmp_path, programme=programme)

    try:
        load_content_dirs(db, comp_dir, mod_dir)
    except ContentError as exc:  # rejecting it with a clear message would also do
        assert problems_at(exc, PROGRAMME_FILE, "module M1")
    else:
        m1 = get_module(db, "M1")
        assert m1.planned_start == dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
        assert m1.planned_end == dt.datetime(2026, 7, 1, 15, 0, tzinfo=UTC)


def test_task_window_defaults_to_the_gap_between_its_modules(db, tmp_path):
    load_valid(db, tmp_path)

    for code in ("T1", "T2", "T3"):
        t = get_task(db, code)
        assert t.planned_opens is None
        assert t.planned_due is None
        assert t.opens == t.after_module.planned_end
        assert t.due == t.before_module.planned_start
    t2 = get_task(db, "T2")
    assert t2.opens == dt.datetime(2026, 9, 10, 14, 30, tzinfo=UTC)
    assert t2.due == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


# --- reloading with cohorts running -----------------------------------------------------


def make_cohort(db) -> Cohort:
    programme = db.scalar(sa.select(Programme).where(Programme.code == "test-prog"))
    cohort = create_cohort(db, programme, "c-2026", "Cohort 2026")
    db.commit()
    return cohort


def session_dates(db, cohort_id: int) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    rows = db.execute(
        sa.select(Module.code, CohortModule.starts_at, CohortModule.ends_at)
        .join(CohortModule.module)
        .where(CohortModule.cohort_id == cohort_id)
    )
    return {code: (start, end) for code, start, end in rows}


def test_reload_gives_an_existing_cohort_the_new_module_and_task(db, tmp_path):
    load_valid(db, tmp_path)
    cohort_id = make_cohort(db).id
    before = session_dates(db, cohort_id)
    assert sorted(before) == ["M1", "M2", "M3", "M4"]
    programme = make_programme()
    programme["modules"].append(
        module("M5", 5, "workshop", "2027-03-18T09:00", "2027-03-18T15:00", ["L2.1"])
    )
    programme["tasks"].append(task("T4", "M4", ["L2.1"]))

    load_valid(db, tmp_path, programme=programme)

    db.expire_all()
    after = session_dates(db, cohort_id)
    assert after["M5"] == (
        dt.datetime(2027, 3, 18, 9, 0, tzinfo=UTC),
        dt.datetime(2027, 3, 18, 15, 0, tzinfo=UTC),
    )
    assert {code: after[code] for code in before} == before
    windows = {
        w.task.code: (w.opens_at, w.due_at)
        for w in db.scalars(sa.select(CohortTask).where(CohortTask.cohort_id == cohort_id))
    }
    assert sorted(windows) == ["T1", "T2", "T3", "T4"]
    assert windows["T4"] == (after["M4"][1], after["M5"][0])


def test_reload_with_new_dates_does_not_move_an_existing_cohort(db, tmp_path):
    load_valid(db, tmp_path)
    cohort_id = make_cohort(db).id
    before = session_dates(db, cohort_id)
    programme = make_programme()
    programme["modules"][1].update(start="2026-09-17T09:00", end="2026-09-17T15:30")

    load_valid(db, tmp_path, programme=programme)

    db.expire_all()
    assert get_module(db, "M2").planned_start == dt.datetime(2026, 9, 17, 8, 0, tzinfo=UTC)
    assert session_dates(db, cohort_id) == before


def test_removing_a_module_a_cohort_meets_for_is_refused(db, tmp_path):
    programme = make_programme()
    programme["tasks"].pop()  # no task leads to M4, so M4 alone can be dropped
    load_valid(db, tmp_path, programme=programme)
    cohort_id = make_cohort(db).id
    before = row_counts(db)
    framework = make_framework()
    framework["title"] = "Renamed framework"
    shorter = copy.deepcopy(programme)
    shorter["modules"].pop()  # M4
    shorter["modules"][0]["title"] = "Renamed module"

    exc = content_error(db, tmp_path, framework=framework, programme=shorter)

    [problem] = exc.problems
    assert problem.entry == "module M4"
    assert "cohort" in problem.message
    assert "M4" in str(exc)
    assert db.scalar(sa.select(Framework.title)) == "Test leadership framework"
    assert get_module(db, "M1").title == "Module M1"
    assert row_counts(db) == before
    assert sorted(session_dates(db, cohort_id)) == ["M1", "M2", "M3", "M4"]


def test_refusal_to_remove_a_used_module_names_the_file(db, tmp_path):
    """Like every other content error, the designer is told which file to fix."""
    programme = make_programme()
    programme["tasks"].pop()
    load_valid(db, tmp_path, programme=programme)
    make_cohort(db)
    shorter = copy.deepcopy(programme)
    shorter["modules"].pop()

    exc = content_error(db, tmp_path, programme=shorter)

    [problem] = exc.problems
    assert problem.file == PROGRAMME_FILE
    assert str(exc).startswith(f"{PROGRAMME_FILE}: module M4")


# --- the command line -------------------------------------------------------------------


def test_cli_reports_every_problem_and_loads_nothing(db, runner, tmp_path):
    framework = make_framework()
    del framework["domains"][0]["competencies"][1]["title"]
    programme = make_programme()
    programme["tasks"][0].update(opens="2026-08-01T09:00", due="2026-07-20T09:00")
    comp_dir, mod_dir = write_valid(tmp_path, framework, programme)

    result = runner.invoke(
        args=["lms", "load-content", "--competencies", str(comp_dir), "--modules", str(mod_dir)]
    )

    assert result.exit_code == 1
    assert "Nothing was loaded" in result.output
    assert f"{FRAMEWORK_FILE}: competency L1.2, field 'title'" in result.output
    assert f"{PROGRAMME_FILE}: task T1, field 'due'" in result.output
    assert count(db, Framework) == 0


def test_cli_loads_good_content_and_prints_a_summary(db, runner, tmp_path):
    comp_dir, mod_dir = write_valid(tmp_path)

    result = runner.invoke(
        args=["lms", "load-content", "--competencies", str(comp_dir), "--modules", str(mod_dir)]
    )

    assert result.exit_code == 0, result.output
    assert "Loaded 1 framework(s) (test-fw) and 1 programme(s) (test-prog)" in result.output
    assert count(db, Framework) == 1
    assert count(db, Module) == 4

    again = runner.invoke(
        args=["lms", "load-content", "--competencies", str(comp_dir), "--modules", str(mod_dir)]
    )

    assert again.exit_code == 0, again.output
    assert "0 created" in again.output
    assert count(db, Module) == 4
