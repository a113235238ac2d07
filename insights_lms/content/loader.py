"""Validate and load framework and programme YAML, all or nothing, updating by code.

Every file is parsed and checked before the database is touched; every problem is reported
with the file, the entry (by its code where it has one) and the field. Loading is idempotent:
entries are matched by code, so loading the same content twice changes nothing, and an edited
file updates what it describes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from insights_lms.cohorts.services import sync_all_schedules
from insights_lms.competencies.models import (
    Competency,
    Domain,
    Framework,
    Level,
    LevelDescriptor,
    Scale,
)
from insights_lms.content.schemas import (
    ChallengeIn,
    CompetencyIn,
    FrameworkIn,
    ModuleIn,
    ProgrammeIn,
    TaskIn,
)
from insights_lms.context.models import SchoolChallenge, SchoolChallengeRating
from insights_lms.db import Base
from insights_lms.programmes.models import Module, ModuleActivity, PracticalTask, Programme

YAML_SUFFIXES = (".yaml", ".yml")
_SINGULAR = {
    "domains": "domain",
    "competencies": "competency",
    "modules": "module",
    "tasks": "task",
    "levels": "level",
    "activities": "activity",
    "challenges": "challenge",
}


@dataclass(frozen=True)
class Problem:
    """One mistake in the content: where it is and what is wrong."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry}" if self.entry else self.file
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """The content has mistakes; nothing was loaded."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class LoadReport:
    """What a load did, for the command line."""

    frameworks: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def summary(self) -> str:
        return (
            f"Loaded {len(self.frameworks)} framework(s) ({', '.join(self.frameworks) or '-'}) "
            f"and {len(self.programmes)} programme(s) ({', '.join(self.programmes) or '-'}): "
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed."
        )


@dataclass
class _Parsed:
    frameworks: list[tuple[str, FrameworkIn]] = field(default_factory=list)
    programmes: list[tuple[str, ProgrammeIn]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --- reading and validating -------------------------------------------------------------


def yaml_files(directory: Path) -> list[Path]:
    """The YAML files of a content folder, in a stable order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """Turn a pydantic error location into (entry, field) a content author recognises."""
    entry = ""
    entry_depth = 0
    node = data
    path_names: list[str] = []
    for depth, part in enumerate(loc):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            parent_key = loc[depth - 1] if depth else ""
            node = node[part]
            kind = _SINGULAR.get(str(parent_key), str(parent_key))
            code = node.get("code") if isinstance(node, dict) else None
            if isinstance(code, str | int) and parent_key != "levels":
                entry = f"{kind} {code}"
            else:
                entry = f"{kind} #{part + 1}"
            entry_depth = depth + 1
        else:
            node = None
        path_names.append(str(part))
    field_path = ".".join(path_names[entry_depth:])
    return entry, field_path


def _validation_problems(file: str, data: Any, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        entry, field_path = _describe_location(data, loc)
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        elif err["type"] == "missing":
            message = "required field is missing"
        problems.append(Problem(file, entry, field_path, message))
    return problems


def _read(path: Path, schema: type[BaseModel]) -> tuple[Any, list[Problem]]:
    model, _raw, problems = _read_raw(path, schema)
    return model, problems


def _read_raw(path: Path, schema: type[BaseModel]) -> tuple[Any, Any, list[Problem]]:
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        return (
            None,
            None,
            [Problem(name, where, "", f"not valid YAML: {getattr(exc, 'problem', exc)}")],
        )
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [Problem(name, "", "", f"cannot be read: {exc}")]
    if not isinstance(data, dict):
        return None, data, [Problem(name, "", "", "must be a YAML mapping (key: value) at the top")]
    try:
        return schema.model_validate(data), data, []
    except ValidationError as exc:
        return None, data, _validation_problems(name, data, exc)


def _raw_competency_codes(raw: dict[str, Any]) -> set[str]:
    """Best-effort competency codes from a framework file that did not validate."""
    codes: set[str] = set()
    stack: list[Any] = [
        d.get("competencies") for d in raw.get("domains") or [] if isinstance(d, dict)
    ]
    while stack:
        items = stack.pop()
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                if isinstance(item.get("code"), str):
                    codes.add(item["code"])
                stack.append(item.get("competencies"))
    return codes


def _walk(competencies: Iterable[CompetencyIn]) -> Iterable[CompetencyIn]:
    for comp in competencies:
        yield comp
        yield from _walk(comp.competencies)


def _check_framework(name: str, fw: FrameworkIn) -> list[Problem]:
    problems: list[Problem] = []
    level_values = {level.value for level in fw.scale.levels}
    seen: set[str] = set()
    for domain in fw.domains:
        if domain.code in seen:
            problems.append(Problem(name, f"domain {domain.code}", "code", "duplicate code"))
        seen.add(domain.code)
    for comp in _walk(c for d in fw.domains for c in d.competencies):
        entry = f"competency {comp.code}"
        if comp.code in seen:
            problems.append(Problem(name, entry, "code", "duplicate code"))
        seen.add(comp.code)
        missing = sorted(level_values - comp.levels.keys())
        extra = sorted(comp.levels.keys() - level_values)
        if missing:
            problems.append(Problem(name, entry, "levels", f"no descriptor for level(s) {missing}"))
        if extra:
            problems.append(
                Problem(name, entry, "levels", f"level(s) {extra} are not on the scale")
            )
        for value, text in comp.levels.items():
            if not text:
                problems.append(Problem(name, entry, f"levels.{value}", "descriptor is empty"))
    return problems


def _localise(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Content times without an offset are local to the programme's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC)


def _check_programme(
    name: str, prog: ProgrammeIn, competency_codes: dict[str, set[str]] | None
) -> list[Problem]:
    problems: list[Problem] = []
    top = f"programme {prog.code}"
    try:
        zone = ZoneInfo(prog.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem(name, top, "time_zone", f"unknown time zone {prog.time_zone!r}"))
        zone = ZoneInfo("UTC")
    known = None if competency_codes is None else competency_codes.get(prog.framework)
    if competency_codes is not None and known is None:
        problems.append(Problem(name, top, "framework", f"unknown framework {prog.framework!r}"))

    def check_codes(entry: str, codes: list[str]) -> None:
        for code in codes:
            if known is not None and code not in known:
                problems.append(
                    Problem(name, entry, "competencies", f"unknown competency code {code!r}")
                )

    modules: list[ModuleIn] = sorted(prog.modules, key=lambda m: m.sequence)
    codes: set[str] = set()
    sequences: set[int] = set()
    for module in prog.modules:
        entry = f"module {module.code}"
        if module.code in codes:
            problems.append(Problem(name, entry, "code", "duplicate code"))
        if module.sequence in sequences:
            problems.append(Problem(name, entry, "sequence", "duplicate sequence number"))
        codes.add(module.code)
        sequences.add(module.sequence)
        check_codes(entry, module.competencies)
    for before, after in pairwise(modules):
        if _localise(after.start, zone) < _localise(before.end, zone):
            problems.append(
                Problem(
                    name,
                    f"module {after.code}",
                    "start",
                    f"starts before module {before.code} (sequence {before.sequence}) ends",
                )
            )

    by_code = {m.code: m for m in modules}
    next_of = {a.code: b for a, b in pairwise(modules)}
    task_codes: set[str] = set()
    followed: set[str] = set()
    for task in prog.tasks:
        problems.extend(_check_task(name, task, by_code, next_of, zone, task_codes, followed))
        check_codes(f"task {task.code}", task.competencies)
    problems.extend(_check_challenges(name, prog.challenges))
    return problems


def _check_challenges(name: str, challenges: list[ChallengeIn]) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for challenge in challenges:
        if challenge.code in seen:
            problems.append(Problem(name, f"challenge {challenge.code}", "code", "duplicate code"))
        seen.add(challenge.code)
    return problems


def _check_task(
    name: str,
    task: TaskIn,
    by_code: dict[str, ModuleIn],
    next_of: dict[str, ModuleIn],
    zone: ZoneInfo,
    task_codes: set[str],
    followed: set[str],
) -> list[Problem]:
    entry = f"task {task.code}"
    problems = []
    if task.code in task_codes:
        problems.append(Problem(name, entry, "code", "duplicate code"))
    task_codes.add(task.code)
    if task.after not in by_code:
        return [*problems, Problem(name, entry, "after", f"unknown module {task.after!r}")]
    if task.after not in next_of:
        return [
            *problems,
            Problem(
                name,
                entry,
                "after",
                f"module {task.after} is the last module: "
                "a practical task must lie between two modules",
            ),
        ]
    if task.after in followed:
        problems.append(
            Problem(name, entry, "after", f"module {task.after} already has a practical task")
        )
    followed.add(task.after)
    after, before = by_code[task.after], next_of[task.after]
    opens = _localise(task.opens or after.end, zone)
    due = _localise(task.due or before.start, zone)
    if opens < _localise(after.end, zone):
        problems.append(Problem(name, entry, "opens", f"opens before module {after.code} ends"))
    if due > _localise(before.start, zone):
        problems.append(Problem(name, entry, "due", f"due after module {before.code} starts"))
    if due <= opens:
        problems.append(Problem(name, entry, "due", "due date must be after the opening date"))
    return problems


def parse_content(
    framework_files: Iterable[Path], programme_files: Iterable[Path], session: Session | None = None
) -> _Parsed:
    """Read and check every file; nothing touches the database."""
    parsed = _Parsed()
    # Competency codes of framework files that failed validation, read as far as possible, so
    # that a typo in the framework does not also make its programme look wrong.
    broken: dict[str, set[str]] = {}
    for path in framework_files:
        fw, raw, problems = _read_raw(path, FrameworkIn)
        parsed.problems.extend(problems)
        if fw is None and isinstance(raw, dict) and isinstance(raw.get("code"), str):
            broken[raw["code"]] = _raw_competency_codes(raw)
        if fw is not None:
            parsed.problems.extend(_check_framework(path.name, fw))
            parsed.frameworks.append((path.name, fw))
    seen_fw: dict[str, str] = {}
    for name, fw in parsed.frameworks:
        if fw.code in seen_fw:
            parsed.problems.append(
                Problem(
                    name,
                    f"framework {fw.code}",
                    "code",
                    f"duplicate code (also in {seen_fw[fw.code]})",
                )
            )
        seen_fw[fw.code] = name

    competency_codes: dict[str, set[str]] = {
        fw.code: {c.code for c in _walk(x for d in fw.domains for x in d.competencies)}
        for _, fw in parsed.frameworks
    }
    for code, codes in broken.items():
        competency_codes.setdefault(code, codes)
    if session is not None:
        for framework in session.scalars(sa.select(Framework)):
            competency_codes.setdefault(framework.code, {c.code for c in framework.competencies})
    seen_prog: dict[str, str] = {}
    for path in programme_files:
        prog, problems = _read(path, ProgrammeIn)
        parsed.problems.extend(problems)
        if prog is None:
            continue
        if prog.code in seen_prog:
            parsed.problems.append(
                Problem(
                    path.name,
                    f"programme {prog.code}",
                    "code",
                    f"duplicate code (also in {seen_prog[prog.code]})",
                )
            )
        seen_prog[prog.code] = path.name
        parsed.problems.extend(_check_programme(path.name, prog, competency_codes))
        parsed.programmes.append((path.name, prog))
    return parsed


# --- writing ----------------------------------------------------------------------------

#: Tables that hold content (rewritten by every load); any other table that refers to a
#: content entry holds people's records, which a content change must never delete.
CONTENT_TABLES = frozenset({
    "lms_framework", "lms_scale", "lms_level", "lms_level_descriptor", "lms_domain",
    "lms_competency", "lms_programme", "lms_module", "lms_module_activity",
    "lms_module_competency", "lms_practical_task", "lms_task_competency", "lms_school_challenge",
})  # fmt: skip
_RECORD_NAMES = {
    "lms_cohort_module": "cohort session(s)",
    "lms_cohort_task": "cohort task window(s)",
    "lms_evidence": "evidence item(s)",
    "lms_evidence_competency": "evidence item(s)",
    "lms_self_rating": "self-rating(s)",
}


def records_referring_to(session: Session, obj: Any) -> dict[str, int]:
    """How many people's records (by table) refer to a content entry."""
    target = type(obj).__table__
    counts: dict[str, int] = {}
    for table in Base.metadata.tables.values():
        if table.name in CONTENT_TABLES:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is target:
                n = session.scalar(
                    sa.select(sa.func.count()).select_from(table).where(fk.parent == obj.id)
                )
                if n:
                    counts[table.name] = counts.get(table.name, 0) + n
    return counts


def _refuse_if_used(session: Session, file: str, entry: str, obj: Any) -> None:
    used = records_referring_to(session, obj)
    if used:
        uses = ", ".join(
            f"{n} {_RECORD_NAMES.get(t, t.removeprefix('lms_').replace('_', ' ') + ' record(s)')}"
            for t, n in sorted(used.items())
        )
        raise ContentError(
            [
                Problem(
                    file,
                    entry,
                    "",
                    f"was removed from the content but {uses} refer to it; keep it in the file",
                )
            ]
        )


class _Writer:
    def __init__(self, session: Session, report: LoadReport):
        self.session = session
        self.report = report

    def settle(self, obj: Base, created: bool, *parts: Base) -> None:
        """Count ``obj`` as created, updated (it or one of its ``parts`` changed) or unchanged."""
        if created:
            self.report.created += 1
        elif any(self.session.is_modified(o) for o in (obj, *parts)):
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def framework(self, file: str, data: FrameworkIn) -> Framework:
        s = self.session
        fw = s.scalar(sa.select(Framework).where(Framework.code == data.code))
        fw_created = fw is None
        if fw is None:
            fw = Framework(code=data.code)
            s.add(fw)
        fw.title, fw.version = data.title, data.version
        fw.description, fw.source = data.description, data.source
        if fw.scale is None:
            fw.scale = Scale(title=data.scale.title)
        fw.scale.title = data.scale.title
        self.settle(fw, fw_created, fw.scale)
        levels = self._levels(file, fw.scale, data)
        s.flush()

        domains_by_code = {d.code: d for d in fw.domains}
        comps_by_code = {c.code: c for c in fw.competencies}
        keep_domains: set[str] = set()
        keep_comps: set[str] = set()
        position = 0
        for d_pos, d_data in enumerate(data.domains):
            domain = domains_by_code.get(d_data.code)
            domain_created = domain is None
            if domain is None:
                domain = Domain(code=d_data.code, framework=fw)
                s.add(domain)
            domain.title, domain.description, domain.position = (
                d_data.title,
                d_data.description,
                d_pos,
            )
            self.settle(domain, domain_created)
            keep_domains.add(d_data.code)
            stack: list[tuple[CompetencyIn, Competency | None]] = [
                (c, None) for c in d_data.competencies
            ]
            while stack:
                c_data, parent = stack.pop(0)
                comp = comps_by_code.get(c_data.code)
                comp_created = comp is None
                if comp is None:
                    comp = Competency(code=c_data.code, framework=fw)
                    s.add(comp)
                    comps_by_code[c_data.code] = comp
                comp.domain, comp.parent = domain, parent
                comp.title, comp.description = c_data.title, c_data.description
                comp.indicators = list(c_data.indicators)
                comp.position = position
                position += 1
                keep_comps.add(c_data.code)
                self._descriptors(comp, c_data, levels)
                self.settle(comp, comp_created, *comp.descriptors)
                stack[0:0] = [(child, comp) for child in c_data.competencies]
        for code, comp in comps_by_code.items():
            if code not in keep_comps:
                _refuse_if_used(s, file, f"competency {code}", comp)
                s.delete(comp)
                self.report.removed += 1
        for code, domain in domains_by_code.items():
            if code not in keep_domains:
                s.delete(domain)
                self.report.removed += 1
        s.flush()
        self.report.frameworks.append(fw.code)
        return fw

    def _levels(self, file: str, scale: Scale, data: FrameworkIn) -> dict[int, Level]:
        by_value = {level.value: level for level in scale.levels}
        wanted = {level.value for level in data.scale.levels}
        for value, unwanted in list(by_value.items()):
            if value not in wanted:
                _refuse_if_used(self.session, file, f"level {value}", unwanted)
                scale.levels.remove(unwanted)
                del by_value[value]
                self.report.removed += 1
        # Codes are unique per scale: when codes move between levels, park them first so that
        # the renaming does not trip the constraint mid-way.
        new_codes = {level.value: level.code for level in data.scale.levels}
        if any(new_codes[v] != level.code for v, level in by_value.items()):
            for parked in by_value.values():
                parked.code = f"__{parked.value}"
            self.session.flush()
        for l_data in data.scale.levels:
            level = by_value.get(l_data.value)
            level_created = level is None
            if level is None:
                level = Level(value=l_data.value)
                scale.levels.append(level)
                by_value[l_data.value] = level
            level.code, level.title, level.description = (
                l_data.code,
                l_data.title,
                l_data.description,
            )
            self.settle(level, level_created)
        return by_value

    def _descriptors(self, comp: Competency, data: CompetencyIn, levels: dict[int, Level]) -> None:
        existing = {d.level.value: d for d in comp.descriptors if d.level is not None}
        for value, text in data.levels.items():
            descriptor = existing.get(value)
            if descriptor is None:
                comp.descriptors.append(LevelDescriptor(level=levels[value], text=text))
            else:
                descriptor.text = text

    def programme(self, file: str, data: ProgrammeIn) -> Programme:
        s = self.session
        fw = s.scalar(sa.select(Framework).where(Framework.code == data.framework))
        assert fw is not None  # checked by parse_content
        competencies = {c.code: c for c in fw.competencies}
        zone = ZoneInfo(data.time_zone)
        prog = s.scalar(sa.select(Programme).where(Programme.code == data.code))
        prog_created = prog is None
        if prog is None:
            prog = Programme(code=data.code)
            s.add(prog)
        prog.title, prog.description = data.title, data.description
        prog.framework, prog.time_zone = fw, data.time_zone
        prog.min_gap_days = data.min_gap_days
        self.settle(prog, prog_created)

        modules_by_code = {m.code: m for m in prog.modules}
        # Sequence numbers are unique per programme: when one moves to a module that another
        # holds now, park them all first so the renumbering does not trip the constraint.
        holders = {m.sequence: m.code for m in modules_by_code.values()}
        if any(holders.get(m.sequence) not in (None, m.code) for m in data.modules):
            for parked_module in modules_by_code.values():
                parked_module.sequence = -parked_module.id
            s.flush()
        for m_data in data.modules:
            module = modules_by_code.get(m_data.code)
            module_created = module is None
            if module is None:
                module = Module(code=m_data.code, programme=prog)
                s.add(module)
                modules_by_code[m_data.code] = module
            module.sequence, module.kind, module.title = m_data.sequence, m_data.kind, m_data.title
            module.theme, module.summary = m_data.theme, m_data.summary
            module.objectives = list(m_data.objectives)
            module.planned_start = _localise(m_data.start, zone)
            module.planned_end = _localise(m_data.end, zone)
            module.location = m_data.location
            module.competencies = [competencies[c] for c in dict.fromkeys(m_data.competencies)]
            self._activities(module, m_data)
            self.settle(module, module_created, *module.activities)

        tasks_by_code = {t.code: t for t in prog.tasks}
        by_seq = sorted(data.modules, key=lambda m: m.sequence)
        next_code = {a.code: b.code for a, b in pairwise(by_seq)}
        wanted_tasks = {t.code for t in data.tasks}
        for code, stale in tasks_by_code.items():
            if code not in wanted_tasks:
                self._remove_task(file, stale)
        for t_data in data.tasks:
            task = tasks_by_code.get(t_data.code)
            task_created = task is None
            if task is None:
                task = PracticalTask(code=t_data.code, programme=prog)
                s.add(task)
            task.after_module = modules_by_code[t_data.after]
            task.before_module = modules_by_code[next_code[t_data.after]]
            task.title, task.instructions = t_data.title, t_data.instructions
            task.expected_evidence = t_data.expected_evidence
            task.planned_opens = _localise(t_data.opens, zone) if t_data.opens else None
            task.planned_due = _localise(t_data.due, zone) if t_data.due else None
            task.competencies = [competencies[c] for c in dict.fromkeys(t_data.competencies)]
            self.settle(task, task_created)

        self._challenges(file, prog, data)

        wanted_modules = {m.code for m in data.modules}
        for code, module in modules_by_code.items():
            if code not in wanted_modules:
                self._remove_module(file, module)
        s.flush()
        self.report.programmes.append(prog.code)
        return prog

    @staticmethod
    def _activities(module: Module, data: ModuleIn) -> None:
        """Update activities in place by position (no churn of rows on an unchanged reload)."""
        current = list(module.activities)
        for position, a_data in enumerate(data.activities):
            if position < len(current):
                activity = current[position]
            else:
                activity = ModuleActivity(position=position)
                module.activities.append(activity)
            activity.kind, activity.title, activity.description = (
                a_data.kind,
                a_data.title,
                a_data.description,
            )
        for extra in current[len(data.activities) :]:
            module.activities.remove(extra)

    def _challenges(self, file: str, prog: Programme, data: ProgrammeIn) -> None:
        """Upsert the programme's challenges by code, in file order."""
        existing: dict[str, SchoolChallenge] = {}
        if prog.id is not None:
            existing = {
                c.code: c
                for c in self.session.scalars(
                    sa.select(SchoolChallenge).where(SchoolChallenge.programme_id == prog.id)
                )
            }
        wanted = {c.code for c in data.challenges}
        for code, stale in existing.items():
            if code not in wanted:
                self._remove_challenge(file, stale)
        for position, c_data in enumerate(data.challenges):
            challenge = existing.get(c_data.code)
            created = challenge is None
            if challenge is None:
                challenge = SchoolChallenge(code=c_data.code, programme=prog)
                self.session.add(challenge)
            challenge.title, challenge.description = c_data.title, c_data.description
            challenge.position = position
            self.settle(challenge, created)

    def _remove_challenge(self, file: str, challenge: SchoolChallenge) -> None:
        """Delete a challenge dropped from the file, unless participants have used it."""
        s = self.session
        rated = s.scalar(
            sa.select(sa.func.count(sa.distinct(SchoolChallengeRating.school_context_id))).where(
                SchoolChallengeRating.challenge_id == challenge.id
            )
        )
        # Evidence and task responses link to challenges through tables of their own
        # features: find every table that refers to a challenge rather than naming them.
        linked = 0
        challenge_table = SchoolChallenge.__table__
        for table in Base.metadata.tables.values():
            if table is SchoolChallengeRating.__table__:
                continue
            for fk in table.foreign_keys:
                if fk.column.table is challenge_table:
                    linked += (
                        s.scalar(
                            sa.select(sa.func.count())
                            .select_from(table)
                            .where(fk.parent == challenge.id)
                        )
                        or 0
                    )
        if rated or linked:
            uses = []
            if rated:
                uses.append(f"{rated} participant(s) rated it in their school context")
            if linked:
                uses.append(f"{linked} piece(s) of evidence or task responses name it")
            raise ContentError(
                [
                    Problem(
                        file,
                        f"challenge {challenge.code}",
                        "",
                        f"was removed from the content but {' and '.join(uses)}; "
                        "keep it in the file",
                    )
                ]
            )
        s.delete(challenge)
        self.report.removed += 1

    def _remove_task(self, file: str, task: PracticalTask) -> None:
        _refuse_if_used(self.session, file, f"task {task.code}", task)
        self.session.delete(task)
        self.report.removed += 1

    def _remove_module(self, file: str, module: Module) -> None:
        _refuse_if_used(self.session, file, f"module {module.code}", module)
        self.session.delete(module)
        self.report.removed += 1


def load_content(
    session: Session,
    framework_files: Iterable[Path],
    programme_files: Iterable[Path],
) -> LoadReport:
    """Validate everything, then write it in one transaction; raise ``ContentError`` on a
    mistake, leaving the database as it was."""
    parsed = parse_content(list(framework_files), list(programme_files), session)
    if parsed.problems:
        raise ContentError(parsed.problems)
    report = LoadReport()
    writer = _Writer(session, report)
    try:
        with session.begin_nested(), session.no_autoflush:
            for file, fw in parsed.frameworks:
                writer.framework(file, fw)
            for file, prog in parsed.programmes:
                writer.programme(file, prog)
                sync_all_schedules(session, prog.code)
    except ContentError:
        raise
    return report


def load_content_dirs(session: Session, competencies: Path, modules: Path) -> LoadReport:
    """Load every YAML file in the two content folders."""
    framework_files = yaml_files(competencies)
    programme_files = yaml_files(modules)
    if not framework_files and not programme_files:
        raise ContentError([Problem(str(competencies), "", "", "no YAML content files found")])
    return load_content(session, framework_files, programme_files)
