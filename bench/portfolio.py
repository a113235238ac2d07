"""Portfolio benchmarks: render time against raw WeasyPrint, worker memory, parallel export.

Run from the repository root::

    .venv/bin/python bench/portfolio.py            # full run (what bench/README.md reports)
    .venv/bin/python bench/portfolio.py --quick    # fewer repetitions and a smaller cohort

Everything runs against a fresh SQLite file in a temporary directory (deleted afterwards):
the shipped content, the demo cohort with its activity, and then

1. a **30-page portfolio**: the demo participant with extra evidence (narratives in Markdown,
   image files with previews, text files) until her portfolio has at least 30 pages. Timed
   end to end with ``render_portfolio`` (data, template, the restricted URL fetcher, PDF
   metadata), alternating with raw WeasyPrint on *the same HTML* (``HTML(string=…)`` with its
   default fetcher and nothing else), so that both see the same machine load. Goal: at most
   1.15 times raw WeasyPrint's time.
2. **peak memory per worker** and 3. the **parallel export speed-up**: a bench cohort of
   participants with ~20-page portfolios exported by the real command, in a subprocess,
   ``flask lms portfolio export --jobs 1`` and then ``--jobs 2`` (``--verbose`` prints each
   worker's peak RSS). Goals: at most 150 MB per worker,
   a speed-up of at least 1.8 on 2 cores.

These are figures to read, not pass/fail checks. Wall times on a shared machine move with its
load; CPU times (``time.process_time``) of the single-process comparison are printed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.security import generate_password_hash

from insights_lms import create_app, resources
from insights_lms.assessment.models import AssessmentOccasion
from insights_lms.assessment.services import record_self_assessment
from insights_lms.auth.models import PASSWORD_METHOD, User
from insights_lms.auth.services import create_user
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.cohorts.services import create_cohort, enrol
from insights_lms.content.loader import load_content_dirs
from insights_lms.db import Base, session
from insights_lms.demo import DEMO_PASSWORD, build_demo, mid_programme_start
from insights_lms.enums import CohortRole
from insights_lms.evidence.services import EvidenceInput, Upload, create_evidence
from insights_lms.state import get_state
from insights_lms.storage import get_storage, upload_transaction

BENCH_SECRET = "bench-secret-key-not-for-production"
PARTICIPANT = "participant1@example.org"
BENCH_COHORT = "bench-cohort"
TARGET_PAGES = 30


@dataclass(frozen=True)
class Plan:
    repeats: int  # timed renders of each kind (after one untimed warm-up)
    cohort_size: int  # participants in the bench cohort for the export
    evidence_each: int  # evidence items per bench participant


FULL = Plan(repeats=7, cohort_size=8, evidence_each=10)
QUICK = Plan(repeats=2, cohort_size=4, evidence_each=6)

NARRATIVE = """\
We set out to **{goal}**. The senior team agreed three questions to ask, and we asked them
in every phase meeting over four weeks:

- What is working, and how do we know?
- What gets in the way for pupils who find it hardest?
- What one change would make the biggest difference next half term?

| Phase | Replies | Main theme |
| --- | --- | --- |
| Early years | 9 | Time to observe |
| Key stage 1 | 14 | Consistent routines |
| Key stage 2 | 17 | Fewer initiatives |

What happened next: we shared the replies at the staff briefing, agreed two changes with the
staff council and set a review date. *Impact so far:* fewer late policy changes, and staff say
they were asked before decisions were made. Next, I will {next_step}.
"""


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


def make_app(database_url: str, instance: Path) -> Flask:
    return create_app(config(database_url, instance))


def config(database_url: str, instance: Path) -> dict[str, Any]:
    return {
        "INSIGHTS_ENV": "testing",
        "INSIGHTS_DATABASE_URL": database_url,
        "INSIGHTS_SECRET_KEY": BENCH_SECRET,
        "INSIGHTS_UPLOAD_DIR": str(instance / "uploads"),
        "INSTANCE_PATH": str(instance),
    }


def picture(seed: int) -> bytes:
    """A 1200 x 800 photo-like PNG (so that previews are made, as for real uploads)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1200, 800), (240 - seed % 40, 236, 226))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        x = (seed * 37 + i * 97) % 1100
        draw.rectangle([x, 80 + i * 50, x + 180, 120 + i * 50], fill=(59, 42 + i * 8, 120))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def add_evidence(enrolment: Enrolment, count: int, today: dt.date, uploads: Any) -> None:
    competencies = list(enrolment.cohort.programme.framework.competencies)
    for i in range(count):
        tagged = [
            competencies[i % len(competencies)].id,
            competencies[(i * 3 + 1) % len(competencies)].id,
        ]
        files = [Upload(f"notes-{i + 1}.txt", io.BytesIO(f"Meeting notes {i}\n".encode() * 40))]
        if i % 2 == 0:
            files.append(Upload(f"photo-{i + 1}.png", io.BytesIO(picture(i))))
        create_evidence(
            session,
            uploads,
            enrolment=enrolment,
            user=enrolment.user,
            data=EvidenceInput(
                f"Bench evidence {i + 1}: listening to staff about workload",
                today - dt.timedelta(days=count - i),
                NARRATIVE.format(goal="hear from every member of staff", next_step="repeat it"),
                sorted(set(tagged)),
            ),
            files=files,
            max_file_size=20 * 1024 * 1024,
        )


def participant_enrolment(email: str) -> Enrolment:
    found = session.scalar(
        sa.select(Enrolment)
        .join(Enrolment.user)
        .where(User.email == email, Enrolment.role == CohortRole.PARTICIPANT)
    )
    assert found is not None
    return found


def page_count(pdf: bytes) -> int:
    import pypdf  # a test dependency: the benchmarks run in the development environment

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def setup(app: Flask, plan: Plan) -> None:
    with app.app_context():
        Base.metadata.create_all(get_state().db.engine)
        load_content_dirs(session, resources.competencies_dir(), resources.modules_dir())
        with upload_transaction(get_storage()) as uploads:
            build_demo(session, activity=True, uploads=uploads)
            session.commit()
        progress("demo cohort ready")
        # The bench cohort for the export: same programme, its own participants.
        programme = session.scalar(sa.select(Cohort).where(Cohort.code == "demo-cohort")).programme
        now = dt.datetime.now(dt.UTC)
        cohort = create_cohort(
            session, programme, BENCH_COHORT, "Bench cohort", mid_programme_start(programme, now)
        )
        levels = [lv.id for lv in programme.framework.scale.levels]
        password_hash = generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)
        with upload_transaction(get_storage()) as uploads:
            for n in range(plan.cohort_size):
                user = create_user(
                    session,
                    email=f"bench{n + 1}@example.org",
                    name=f"Bench Participant {n + 1:02d}",
                    password=DEMO_PASSWORD,
                    school="Bench Primary School",
                    password_hash=password_hash,
                )
                enrolment = enrol(session, cohort, user, CohortRole.PARTICIPANT)
                record_self_assessment(
                    session,
                    enrolment,
                    AssessmentOccasion.START,
                    None,
                    {
                        c.id: (levels[(n + i) % 2], "")
                        for i, c in enumerate(programme.framework.competencies)
                    },
                )
                add_evidence(enrolment, plan.evidence_each, now.date(), uploads)
            session.commit()
        progress(f"bench cohort ready: {plan.cohort_size} participants")


def grow_to_target(app: Flask) -> int:
    """Add evidence to the demo participant until her portfolio has ``TARGET_PAGES`` pages."""
    from insights_lms.portfolio.render import render_portfolio

    with app.app_context():
        enrolment = participant_enrolment(PARTICIPANT)
        today = dt.datetime.now(dt.UTC).date()
        pages = page_count(render_portfolio(session, enrolment).data)
        for _ in range(40):
            if pages >= TARGET_PAGES:
                break
            with upload_transaction(get_storage()) as uploads:
                add_evidence(enrolment, 4, today, uploads)
                session.commit()
            pages = page_count(render_portfolio(session, enrolment).data)
        progress(f"the demo participant's portfolio has {pages} pages")
        return pages


@dataclass
class Samples:
    wall: list[float]
    cpu: list[float]

    def median_wall(self) -> float:
        return statistics.median(self.wall)

    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def compare_with_raw(app: Flask, plan: Plan) -> dict[str, Samples]:
    """Our pipeline and raw WeasyPrint on the same HTML, alternating, one warm-up each."""
    from weasyprint import HTML

    from insights_lms.portfolio.fetcher import RestrictedURLFetcher
    from insights_lms.portfolio.render import (
        STATIC_BASE_URL,
        PortfolioAssets,
        allowed_roots,
        html_to_pdf,
        portfolio_html,
        render_portfolio,
    )
    from insights_lms.portfolio.services import build_portfolio

    results = {name: Samples([], []) for name in ("ours", "raw", "data", "template", "pdf")}
    with app.app_context():
        enrolment = participant_enrolment(PARTICIPANT)
        html = portfolio_html(
            build_portfolio(session, enrolment), PortfolioAssets(get_storage()), {}
        )

        def ours() -> bytes:
            return render_portfolio(session, enrolment).data

        def raw() -> bytes:
            data: bytes = HTML(string=html, base_url=STATIC_BASE_URL).write_pdf()
            return data

        ours(), raw()  # warm-up: template compilation, fonts, the image cache of the OS
        for i in range(plan.repeats):
            for name, operation in (("ours", ours), ("raw", raw))[:: 1 if i % 2 == 0 else -1]:
                wall, cpu = time.perf_counter(), time.process_time()
                operation()
                results[name].wall.append(time.perf_counter() - wall)
                results[name].cpu.append(time.process_time() - cpu)
            # Where our time goes, once per round.
            t0 = time.perf_counter()
            portfolio = build_portfolio(session, enrolment)
            t1 = time.perf_counter()
            page = portfolio_html(portfolio, PortfolioAssets(get_storage()), {})
            t2 = time.perf_counter()
            html_to_pdf(page, RestrictedURLFetcher(allowed_roots()))
            t3 = time.perf_counter()
            for name, seconds in (("data", t1 - t0), ("template", t2 - t1), ("pdf", t3 - t2)):
                results[name].wall.append(seconds)
                results[name].cpu.append(seconds)
            session.rollback()
            progress(f"render round {i + 1} of {plan.repeats}")
    return results


@dataclass(frozen=True)
class ExportRun:
    jobs: int
    wall: float  # the whole command, start-up included
    render_phase: float  # as the command reports it: from the pool's start to its end
    worker_peaks: dict[str, float]  # worker pid -> peak RSS in MB
    worker_private: dict[str, float]  # worker pid -> largest private memory seen, in MB
    output: str


def run_export(database_url: str, instance: Path, jobs: int, out: Path) -> ExportRun:
    env = {
        **os.environ,
        **{
            k: str(v)
            for k, v in config(database_url, instance).items()
            if k.startswith("INSIGHTS_")
        },
    }
    command = [
        sys.executable, "-m", "flask", "--app", "insights_lms", "lms", "portfolio", "export",
        "--cohort", BENCH_COHORT, "--out", str(out), "--jobs", str(jobs), "--verbose",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"bench: the export failed:\n{done.stdout}\n{done.stderr}")
    peaks: dict[str, float] = {}
    private: dict[str, float] = {}
    for pid, mb, own in re.findall(r"worker (\d+) peak (\d+) MB \(private (\d+) MB\)", done.stdout):
        peaks[pid] = max(peaks.get(pid, 0.0), float(mb))
        private[pid] = max(private.get(pid, 0.0), float(own))
    phase = re.search(r"in ([\d.]+) s \(", done.stdout)
    render_phase = float(phase.group(1)) if phase else wall
    return ExportRun(jobs, wall, render_phase, peaks, private, done.stdout)


def _spin(_: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - started


def machine_parallelism() -> float:
    """How much faster two processes of pure Python arithmetic finish than one after the other,
    right now: the most any two-worker job can gain on this machine under its current load."""
    import multiprocessing

    serial = _spin(0) + _spin(0)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        started = time.perf_counter()
        pool.map(_spin, [0, 1])
        parallel = time.perf_counter() - started
    return serial / parallel


def report(
    pages: int,
    renders: dict[str, Samples],
    exports: list[ExportRun],
    plan: Plan,
    parallelism: float,
) -> None:
    ours, raw = renders["ours"], renders["raw"]
    print()
    print(
        f"Portfolio benchmark: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.2f} at the end"
    )
    print()
    print(f"1. A {pages}-page portfolio, {plan.repeats} renders each (medians)")
    print(f"   {'':38} {'wall s':>8} {'CPU s':>8}")
    name = "render_portfolio (ours, end to end)"
    print(f"   {name:38} {ours.median_wall():8.2f} {ours.median_cpu():8.2f}")
    print(f"   {'raw WeasyPrint, same HTML':38} {raw.median_wall():8.2f} {raw.median_cpu():8.2f}")
    print(f"   {'ratio ours / raw (goal <= 1.15)':38} {ours.median_wall() / raw.median_wall():8.2f}"
          f" {ours.median_cpu() / raw.median_cpu():8.2f}")  # fmt: skip
    print("   of ours: data "
          f"{statistics.median(renders['data'].wall) * 1000:.0f} ms, template "
          f"{statistics.median(renders['template'].wall) * 1000:.0f} ms, WeasyPrint with the "
          f"restricted fetcher {statistics.median(renders['pdf'].wall):.2f} s")  # fmt: skip
    print()
    one, two = exports
    print(f"2. Export of {plan.cohort_size} portfolios ({plan.evidence_each} evidence items each), "
          "`flask lms portfolio export` in a subprocess")  # fmt: skip
    print(f"   {'':38} {'command s':>10} {'render s':>10}")
    for run in exports:
        print(f"   {f'--jobs {run.jobs}':38} {run.wall:10.2f} {run.render_phase:10.2f}")
    print(f"   {'speed-up, 2 workers (goal >= 1.8)':38} {one.wall / two.wall:10.2f} "
          f"{one.render_phase / two.render_phase:10.2f}")  # fmt: skip
    print(f"   (this machine, now: two processes of pure Python arithmetic run {parallelism:.2f}"
          " times as fast as one after the other)")  # fmt: skip
    peaks = [mb for run in exports for mb in run.worker_peaks.values()]
    private = [mb for run in exports for mb in run.worker_private.values()]
    print(f"   peak RSS per worker (goal <= 150 MB): max {max(peaks):.0f} MB, "
          f"min {min(peaks):.0f} MB over {len(peaks)} workers")  # fmt: skip
    print(f"   of which the worker's own (not shared with the parent): at most "
          f"{max(private):.0f} MB")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke check)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="insights-bench-portfolio-") as tmp:
        instance = Path(tmp) / "instance"
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = make_app(database_url, instance)
        setup(app, plan)
        pages = grow_to_target(app)
        renders = compare_with_raw(app, plan)
        with app.app_context():
            get_state().db.engine.dispose()
        parallelism = machine_parallelism()
        exports = []
        for jobs in (1, 2):
            exports.append(run_export(database_url, instance, jobs, Path(tmp) / f"out-{jobs}"))
            progress(f"export with {jobs} worker(s): {exports[-1].wall:.1f} s")
        report(pages, renders, exports, plan, parallelism)


if __name__ == "__main__":
    main()
