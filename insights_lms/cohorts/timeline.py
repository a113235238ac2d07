"""A cohort's timeline as a participant lives it: the module sessions and the tasks between
them, each past, current or upcoming."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from insights_lms.cohorts.models import Cohort, CohortModule, CohortTask
from insights_lms.db import utcnow
from insights_lms.programmes.models import Module

Status = Literal["past", "current", "upcoming"]


@dataclass(frozen=True)
class TimelineEntry:
    """A module session or a practical task window on a cohort's timeline."""

    kind: Literal["module", "task"]
    code: str
    title: str
    theme: str
    starts: dt.datetime
    ends: dt.datetime
    status: Status
    session: CohortModule | None = None
    window: CohortTask | None = None

    @property
    def is_module(self) -> bool:
        return self.kind == "module"


@dataclass(frozen=True)
class Timeline:
    cohort: Cohort
    entries: list[TimelineEntry]
    now: dt.datetime

    @property
    def next_due(self) -> TimelineEntry | None:
        """What the participant should act on next: an open task, else the next module."""
        for entry in self.entries:
            if entry.kind == "task" and entry.status == "current":
                return entry
        return self.next_module

    @property
    def next_module(self) -> TimelineEntry | None:
        for entry in self.entries:
            if entry.kind == "module" and entry.status != "past":
                return entry
        return None

    @property
    def open_tasks(self) -> list[TimelineEntry]:
        return [e for e in self.entries if e.kind == "task" and e.status == "current"]

    @property
    def modules_done(self) -> int:
        return sum(1 for e in self.entries if e.kind == "module" and e.status == "past")

    @property
    def modules_total(self) -> int:
        return sum(1 for e in self.entries if e.kind == "module")


def _status(starts: dt.datetime, ends: dt.datetime, now: dt.datetime) -> Status:
    if now >= ends:
        return "past"
    if now >= starts:
        return "current"
    return "upcoming"


def cohort_timeline(cohort: Cohort, now: dt.datetime | None = None) -> Timeline:
    """Sessions in module order, each followed by the practical task that comes after it."""
    now = now or utcnow()
    windows = {w.task.after_module_id: w for w in cohort.task_windows}
    entries: list[TimelineEntry] = []
    for cm in sorted(cohort.cohort_modules, key=lambda s: (s.module.sequence, s.starts_at)):
        module = cm.module
        entries.append(
            TimelineEntry(
                "module",
                module.code,
                module.title,
                module.theme,
                cm.starts_at,
                cm.ends_at,
                _status(cm.starts_at, cm.ends_at, now),
                session=cm,
            )
        )
        window = windows.get(module.id)
        if window is not None:
            entries.append(
                TimelineEntry(
                    "task",
                    window.task.code,
                    window.task.title,
                    "",
                    window.opens_at,
                    window.due_at,
                    _status(window.opens_at, window.due_at, now),
                    window=window,
                )
            )
    return Timeline(cohort, entries, now)


def cohort_module_of(cohort: Cohort, module: Module) -> CohortModule | None:
    for cm in cohort.cohort_modules:
        if cm.module_id == module.id:
            return cm
    return None
