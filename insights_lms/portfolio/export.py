"""Rendering many portfolios at once in worker processes (the ``lms portfolio export`` command).

Layout with WeasyPrint is CPU-bound Python, so threads would take turns on one core; each
worker is a process with its own application (created once, by the pool's initializer) and its
own database connections. Workers are forked where the platform allows it (the parent has
already imported WeasyPrint and the app, so a worker starts in a fraction of a second); a
forked worker lets go of the connections it inherited without closing them, and opens its
own. Every job comes back as an :class:`ExportResult`: a failure is reported with its reason,
never skipped.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context

from insights_lms.cohorts.models import Enrolment
from insights_lms.db import session
from insights_lms.portfolio.render import render_portfolio
from insights_lms.portfolio.services import PortfolioOptions
from insights_lms.state import EXTENSION_KEY, settings
from insights_lms.storage import get_storage

#: The application of this worker process (set by :func:`_init_worker`).
_worker_app: Flask | None = None


@dataclass(frozen=True)
class ExportJob:
    """One portfolio to render: the participant's enrolment and where the PDF goes."""

    enrolment_id: int
    name: str
    email: str
    path: str


@dataclass(frozen=True)
class ExportResult:
    job: ExportJob
    error: str | None = None
    seconds: float = 0.0
    size: int = 0
    #: The worker process's peak resident memory so far, in MB (pages shared with the
    #: parent after a fork included).
    peak_rss_mb: float = 0.0
    pid: int = 0
    #: The worker's own memory (not shared with any other process) after the job, in MB;
    #: 0 where the system does not say (Linux only).
    private_mb: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def worker_config(app: Flask) -> dict[str, Any]:
    """The configuration that recreates ``app``'s Insights LMS in a worker process: the same
    database, secret key, upload folder and settings."""
    config = {key: value for key, value in app.config.items() if key.startswith("INSIGHTS_")}
    config["INSIGHTS_ENV"] = settings().env
    config["INSIGHTS_DATABASE_URL"] = str(app.config["SQLALCHEMY_DATABASE_URI"])
    config["INSIGHTS_SECRET_KEY"] = app.config["SECRET_KEY"]
    root = getattr(get_storage(), "root", None)
    if root is not None:
        config["INSIGHTS_UPLOAD_DIR"] = str(root)
    config["INSTANCE_PATH"] = app.instance_path
    return config


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _private_mb() -> float:
    """Private_Clean + Private_Dirty of this process (what it costs beyond shared pages)."""
    try:
        lines = Path("/proc/self/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0.0
    kb = sum(int(line.split()[1]) for line in lines if line.startswith("Private_"))
    return kb / 1024


def _init_worker(app_factory: Callable[[dict[str, Any]], Flask], config: dict[str, Any]) -> None:
    global _worker_app
    if has_app_context():
        # Forked inside the command's app context: let go of the parent's pooled connections
        # without closing them (closing would end them for the parent too), as SQLAlchemy
        # recommends for os.fork(); this worker opens its own.
        current_app.extensions[EXTENSION_KEY].db.engine.dispose(close=False)
    _worker_app = app_factory(config)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".portfolio-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_job(job: ExportJob, embed_attachments: bool = False) -> ExportResult:
    """Render one portfolio in this worker (its app context, its own session)."""
    assert _worker_app is not None, "the worker was not initialised"
    started = time.perf_counter()
    with _worker_app.app_context():
        try:
            enrolment = session.get(Enrolment, job.enrolment_id)
            if enrolment is None:
                raise LookupError("the participant's enrolment no longer exists")
            rendered = render_portfolio(
                session, enrolment, PortfolioOptions(embed_attachments=embed_attachments)
            )
            _write_atomically(Path(job.path), rendered.data)
        except Exception as exc:  # reported to the parent, which lists every failure
            return ExportResult(
                job,
                f"{type(exc).__name__}: {exc}",
                time.perf_counter() - started,
                peak_rss_mb=_peak_rss_mb(),
                pid=os.getpid(),
            )
        finally:
            session.rollback()  # (the app context's teardown then removes the session)
    return ExportResult(
        job,
        None,
        time.perf_counter() - started,
        len(rendered.data),
        _peak_rss_mb(),
        os.getpid(),
        _private_mb(),
    )


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def export(
    jobs: Iterable[ExportJob],
    config: dict[str, Any],
    *,
    app_factory: Callable[[dict[str, Any]], Flask],
    workers: int,
    embed_attachments: bool = False,
    before_start: Callable[[], None] | None = None,
) -> Iterator[ExportResult]:
    """Render ``jobs`` in ``workers`` processes; yields each result as it completes.

    ``app_factory`` builds each worker's app from ``config`` (``create_app`` for the
    standalone app). ``before_start`` runs just before the pool is created (the command
    ends its database transaction there). A worker that dies takes its job with it: that
    job, and any job the broken pool can no longer run, comes back as a failure.
    """
    jobs = list(jobs)
    if not jobs:
        return
    if before_start is not None:
        before_start()
    # Objects that exist now are left alone by the workers' garbage collector, so that forked
    # workers do not copy the pages they share with this process just to scan them.
    gc.freeze()
    try:
        yield from _run(jobs, app_factory, config, workers, embed_attachments)
    finally:
        gc.unfreeze()


def _run(
    jobs: list[ExportJob],
    app_factory: Callable[[dict[str, Any]], Flask],
    config: dict[str, Any],
    workers: int,
    embed_attachments: bool,
) -> Iterator[ExportResult]:
    with ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(jobs))),
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(app_factory, config),
    ) as pool:
        futures: dict[Future[ExportResult], ExportJob] = {
            pool.submit(render_job, job, embed_attachments): job for job in jobs
        }
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker process died, or could not start
                yield ExportResult(futures[future], f"{type(exc).__name__}: {exc}")
