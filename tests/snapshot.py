"""Template databases for the suite: the schema, the content, the demo and the rich demo are
each built once per test session (per backend, per xdist worker) and every test gets its own
copy of the one it needs.

* SQLite: the template is a database file; a test's copy is that file (plus ``-wal``/``-shm``
  if any) copied into the test's ``tmp_path``.
* PostgreSQL: the template is a database ``snapshot_<level>``; a test's copy is
  ``CREATE DATABASE test_<n> TEMPLATE snapshot_<level> STRATEGY FILE_COPY``, dropped after the test.

The levels build on each other: ``schema`` (``Base.metadata.create_all``), ``content``
(``load_content_dirs`` of the shipped framework and programme, as the ``content`` fixture did),
``demo`` (``build_demo(db)`` on top of content) and ``rich_demo`` (``build_demo(db,
activity=True)`` on top of content). What a fixture used to return is kept as plain data (the
load report) or as a key (the cohort's id) and re-read from the test's own copy.
"""

from __future__ import annotations

import copy
import itertools
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from insights_lms import create_app
from insights_lms.db import Base
from insights_lms.state import get_state

LEVELS = ("schema", "content", "demo", "rich_demo")
#: The level each level is built on.
PARENT = {"content": "schema", "demo": "content", "rich_demo": "content"}


@dataclass
class Snapshots:
    """Builds the template databases on first use and hands out per-test copies."""

    backend: str
    root: Path
    make_config: Any  # tests.conftest.make_config
    pg_server: Any = None
    report: Any = None  # what load_content_dirs returned
    cohort_ids: dict[str, int] = field(default_factory=dict)
    _built: set[str] = field(default_factory=set)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    # --- where the templates live ------------------------------------------------------------

    def _template_url(self, level: str) -> str:
        if self.backend == "postgresql":
            return str(self.pg_server.url(f"snapshot_{level}"))
        return f"sqlite:///{self.root / f'{level}.db'}"

    def _copy(self, level: str, target: str | Path) -> str:
        """Copy the template of ``level`` to a new database; return its URL. ``target`` is a
        directory (SQLite) or a database name (PostgreSQL)."""
        if self.backend == "postgresql":
            name = str(target)
            # FILE_COPY: half the time of PostgreSQL 15's default WAL_LOG for a small template.
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "snapshot_{level}" STRATEGY FILE_COPY')
            return str(self.pg_server.url(name))
        source = self.root / f"{level}.db"
        path = Path(target) / "insights-test.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            extra = Path(f"{source}{suffix}")
            if extra.exists():
                shutil.copyfile(extra, f"{path}{suffix}")
        return f"sqlite:///{path}"

    def _admin(self, sql: str) -> None:
        # psycopg is only installed (and needed) for the PostgreSQL pass.
        import psycopg

        with psycopg.connect(self.pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute(sql)

    # --- building ----------------------------------------------------------------------------

    def ensure(self, level: str) -> None:
        if level in self._built:
            return
        parent = PARENT.get(level)
        if parent:
            self.ensure(parent)
            if self.backend == "postgresql":
                url = self._copy(parent, f"snapshot_{level}")
            else:
                shutil.copyfile(self.root / f"{parent}.db", self.root / f"{level}.db")
                url = self._template_url(level)
        else:
            if self.backend == "postgresql":
                self._admin(f'CREATE DATABASE "snapshot_{level}"')
            url = self._template_url(level)
        app = create_app(self.make_config(url, self.root / f"instance-{level}"))
        with app.app_context():
            engine = get_state().db.engine
        try:
            if level == "schema":
                Base.metadata.create_all(engine)
            else:
                with Session(engine, expire_on_commit=False) as session:
                    self._fill(level, session)
        finally:
            engine.dispose()
        self._built.add(level)

    def _fill(self, level: str, session: Session) -> None:
        """Exactly what the fixtures did before the snapshots (tests/conftest.py)."""
        # The loaders are imported here so that tests not needing them do not pay for them.
        from insights_lms import resources
        from insights_lms.content.loader import load_content_dirs
        from insights_lms.demo import build_demo

        if level == "content":
            self.report = load_content_dirs(
                session, resources.competencies_dir(), resources.modules_dir()
            )
            session.commit()
        elif level == "demo":
            cohort, _ = build_demo(session)
            session.commit()
            self.cohort_ids[level] = cohort.id
        elif level == "rich_demo":
            cohort, _ = build_demo(session, activity=True)
            session.commit()
            self.cohort_ids[level] = cohort.id

    # --- per test ----------------------------------------------------------------------------

    def database_for(self, level: str, tmp_path: Path) -> str:
        """A new database holding ``level``, for one test."""
        self.ensure(level)
        if self.backend == "postgresql":
            return self._copy(level, f"test_{next(self._counter)}")
        return self._copy(level, tmp_path / "db")

    def release(self, url: str) -> None:
        """Drop a test's database (PostgreSQL; SQLite's file goes with ``tmp_path``)."""
        if self.backend == "postgresql":
            name = url.rsplit("/", 1)[1]
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def content_report(self) -> Any:
        return copy.deepcopy(self.report)


def level_for(fixturenames: list[str]) -> str:
    """The snapshot a test needs, from the fixtures it uses."""
    if "rich_demo" in fixturenames and "demo" in fixturenames:
        raise RuntimeError("a test cannot use both the demo and rich_demo fixtures")
    for level in ("rich_demo", "demo", "content"):
        if level in fixturenames:
            return level
    return "schema"
