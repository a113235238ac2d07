"""Insights LMS benchmarks: time the main operations and pages, then print a table of figures.

Run from the repository root::

    .venv/bin/python bench/run.py            # full run (what bench/README.md reports)
    .venv/bin/python bench/run.py --quick    # fewer iterations, for a smoke check
    .venv/bin/python bench/run.py --db postgresql+psycopg://user:pw@host/empty_db

By default everything runs against a fresh SQLite file in a temporary directory that is
deleted afterwards. With ``--db`` the database must be empty (no ``lms_`` tables); the
script leaves its data behind there.

What is measured, in order: the ``lms init`` migrations on an empty database, the first load
and repeated reloads of the shipped content, the demo cohort, signed-in pages through the
Flask test client, a sign-in POST (scrypt), the facilitator's home page with 30 extra cohorts
of 25 participants, and the process's peak RSS. Then, unless ``--no-xapi``, the xAPI forwarding
benchmark (``bench/xapi_forward.py``: forwarder vs bare batches vs one statement per request to
the test LRS, and what recording a statement costs an action). These are figures to read and
compare, not pass/fail targets (the project keeps speed out of its tests).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from insights_lms import create_app, resources
from insights_lms.auth.models import PASSWORD_METHOD, User
from insights_lms.auth.services import create_user
from insights_lms.cohorts.models import Cohort
from insights_lms.cohorts.services import create_cohort, enrol
from insights_lms.content.loader import load_content_dirs
from insights_lms.db import session  # the app context's get_state().db.session
from insights_lms.demo import DEMO_COHORT, DEMO_PASSWORD, build_demo
from insights_lms.enums import CohortRole
from insights_lms.migrations_util import upgrade_to_head
from insights_lms.state import get_state

BENCH_SECRET = "bench-secret-key-not-for-production"
PARTICIPANT = "participant1@example.org"
FACILITATOR = "facilitator@example.org"
SCALE_COHORTS = 30
SCALE_PARTICIPANTS = 25
CSRF_INPUT_RE = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*>")
VALUE_RE = re.compile(r"\bvalue=\"([^\"]+)\"")


@dataclass(frozen=True)
class Plan:
    """How many times to repeat each measurement."""

    requests: int
    warmup: int
    reloads: int
    sign_ins: int


FULL = Plan(requests=200, warmup=5, reloads=20, sign_ins=10)
QUICK = Plan(requests=20, warmup=2, reloads=3, sign_ins=3)


@dataclass(frozen=True)
class Row:
    """One line of the results table: a one-off time, or repeated samples."""

    name: str
    samples: list[float]  # seconds per operation
    total: float  # seconds for the whole timed loop

    @property
    def n(self) -> int:
        return len(self.samples)

    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000

    def per_second(self) -> float:
        return self.n / self.total if self.total > 0 else float("nan")


def one_off(name: str, seconds: float) -> Row:
    return Row(name, [seconds], seconds)


def repeat(name: str, times: int, operation: Callable[[], object]) -> Row:
    """Time ``operation`` ``times`` times, one sample each, plus the whole loop."""
    samples: list[float] = []
    start = time.perf_counter()
    for _ in range(times):
        t0 = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - t0)
    return Row(name, samples, time.perf_counter() - start)


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as took: ...`` then ``took[0]`` is the elapsed seconds."""
    took: list[float] = []
    start = time.perf_counter()
    try:
        yield took
    finally:
        took.append(time.perf_counter() - start)


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


# --- the app and its database ---------------------------------------------------------------


def make_app(database_url: str, instance: Path) -> Flask:
    return create_app(
        {
            "INSIGHTS_ENV": "testing",
            "INSIGHTS_DATABASE_URL": database_url,
            "INSIGHTS_SECRET_KEY": BENCH_SECRET,
            "INSIGHTS_UPLOAD_DIR": str(instance / "uploads"),
            "INSTANCE_PATH": str(instance),
        }
    )


def require_empty(app: Flask) -> None:
    with app.app_context():
        names = sa.inspect(get_state().db.engine).get_table_names()
    existing = sorted(n for n in names if n.startswith("lms_"))
    if existing:
        sys.exit(
            f"bench: the database already has Insights LMS tables ({', '.join(existing[:3])}"
            f"{', ...' if len(existing) > 3 else ''}); give --db an empty database."
        )


def safe_url(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


# --- signed-in requests ---------------------------------------------------------------------


def csrf_token(html: str) -> str:
    tag = CSRF_INPUT_RE.search(html)
    value = VALUE_RE.search(tag.group(0)) if tag else None
    if value is None:
        raise RuntimeError("bench: /login has no csrf_token hidden input")
    return value.group(1)


def post_login(client: FlaskClient, email: str) -> Any:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = post_login(client, email)
    if response.status_code != 302:
        raise RuntimeError(f"bench: signing in as {email} answered {response.status_code}")
    return client


def get_ok(client: FlaskClient, path: str) -> bytes:
    response = client.get(path)
    body = response.get_data()
    if response.status_code != 200:
        raise RuntimeError(f"bench: GET {path} answered {response.status_code}")
    return body


def time_get(name: str, client: FlaskClient, path: str, plan: Plan) -> Row:
    """Warm up (first-request template compilation is not steady state), then time N GETs."""
    for _ in range(plan.warmup):
        get_ok(client, path)
    return repeat(name, plan.requests, lambda: get_ok(client, path))


def time_sign_in(app: Flask, plan: Plan) -> Row:
    """The sign-in POST only (a fresh client each time; its GET /login is not timed)."""
    samples: list[float] = []
    total = 0.0
    for _ in range(plan.sign_ins):
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        data = {"email": PARTICIPANT, "password": DEMO_PASSWORD, "csrf_token": token}
        t0 = time.perf_counter()
        response = client.post("/login", data=data)
        took = time.perf_counter() - t0
        if response.status_code != 302:
            raise RuntimeError(f"bench: sign-in POST answered {response.status_code}")
        samples.append(took)
        total += took
    return Row("sign-in POST /login (scrypt check)", samples, total)


# --- the benchmarks -------------------------------------------------------------------------


def setup_rows(app: Flask, plan: Plan) -> list[Row]:
    """``lms init``, content load and reloads, the demo cohort."""
    rows: list[Row] = []
    competencies, modules = resources.competencies_dir(), resources.modules_dir()
    with app.app_context():
        progress("lms init (upgrade_to_head)")
        with stopwatch() as took:
            upgrade_to_head()
        rows.append(one_off("lms init: upgrade_to_head, empty database", took[0]))

        def load() -> None:
            load_content_dirs(session, competencies, modules)
            session.commit()

        progress("content load and reloads")
        with stopwatch() as took:
            load()
        rows.append(one_off("load shipped content, first time", took[0]))
        rows.append(repeat("reload shipped content (unchanged)", plan.reloads, load))

        progress("demo cohort")
        with stopwatch() as took:
            build_demo(session)
            session.commit()
        rows.append(one_off("build_demo (9 users, demo cohort)", took[0]))
    return rows


def page_rows(app: Flask, plan: Plan) -> tuple[list[Row], FlaskClient]:
    """Signed-in pages; returns the facilitator's client for the scale check."""
    progress(f"pages, {plan.requests} requests each")
    participant = signed_in(app, PARTICIPANT)
    facilitator = signed_in(app, FACILITATOR)
    anonymous = app.test_client()
    rows = [
        time_get("GET / participant (home, timeline)", participant, "/", plan),
        time_get("GET / facilitator (1 cohort)", facilitator, "/", plan),
        time_get(
            "GET /framework/insights-school-leadership/",
            participant,
            "/framework/insights-school-leadership/",
            plan,
        ),
        time_get(
            "GET /programmes/insights-2026/modules/M3",
            participant,
            "/programmes/insights-2026/modules/M3",
            plan,
        ),
        time_get("GET /healthz", anonymous, "/healthz", plan),
    ]
    return rows, facilitator


def add_scale_cohorts(app: Flask) -> float:
    """30 more cohorts of 25 participants, all facilitated by the demo facilitator."""
    password_hash = generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)
    with app.app_context():
        facilitator = session.scalars(sa.select(User).where(User.email == FACILITATOR)).one()
        demo = session.scalars(sa.select(Cohort).where(Cohort.code == DEMO_COHORT)).one()
        with stopwatch() as took:
            for c in range(1, SCALE_COHORTS + 1):
                cohort = create_cohort(
                    session, demo.programme, f"bench-{c:02d}", f"Bench cohort {c:02d}"
                )
                enrol(session, cohort, facilitator, CohortRole.FACILITATOR)
                for p in range(1, SCALE_PARTICIPANTS + 1):
                    user = create_user(
                        session,
                        email=f"bench-c{c:02d}-p{p:02d}@example.org",
                        name=f"Bench Participant {c:02d}-{p:02d}",
                        password=DEMO_PASSWORD,
                        password_hash=password_hash,
                    )
                    enrol(session, cohort, user, CohortRole.PARTICIPANT)
            session.commit()
    return took[0]


def scale_rows(app: Flask, facilitator: FlaskClient, plan: Plan) -> list[Row]:
    extra = SCALE_COHORTS * SCALE_PARTICIPANTS
    progress(f"scale: adding {SCALE_COHORTS} cohorts x {SCALE_PARTICIPANTS} participants")
    setup = add_scale_cohorts(app)
    last = f"Bench cohort {SCALE_COHORTS:02d}"
    if last not in get_ok(facilitator, "/").decode():
        raise RuntimeError(f"bench: the facilitator's home page does not list {last!r}")
    return [
        one_off(f"scale setup: {SCALE_COHORTS} cohorts, {extra} participants", setup),
        time_get(f"GET / facilitator ({SCALE_COHORTS + 1} cohorts)", facilitator, "/", plan),
    ]


# --- output ---------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def print_table(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    header = f"{'benchmark':<{width}}  {'n':>4}  {'median ms':>10}  {'p95 ms':>9}  {'per s':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        if r.n == 1:
            stats = f"{r.median_ms():>10.1f}  {'':>9}  {'':>8}"
        else:
            stats = f"{r.median_ms():>10.2f}  {r.p95_ms():>9.2f}  {r.per_second():>8.1f}"
        print(f"{r.name:<{width}}  {r.n:>4}  {stats}".rstrip())


def run(database_url: str, instance: Path, plan: Plan, mode: str) -> None:
    print("Insights LMS benchmarks")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    print(f"Database: {safe_url(database_url)}")
    print(f"Mode: {mode} ({plan.requests} requests per page, {plan.warmup} warm-up)")
    print()

    with stopwatch() as took:
        app = make_app(database_url, instance)
    require_empty(app)
    rows = [one_off("create_app()", took[0])]
    try:
        rows += setup_rows(app, plan)
        pages, facilitator = page_rows(app, plan)
        rows += pages
        progress(f"sign-in POST x{plan.sign_ins}")
        rows.append(time_sign_in(app, plan))
        rows += scale_rows(app, facilitator, plan)
    finally:
        with app.app_context():
            get_state().db.engine.dispose()

    print_table(rows)
    print()
    print(f"Peak RSS (ru_maxrss): {peak_rss_mb():.1f} MB")
    print("'per s' is n divided by the whole timed loop (requests/s for pages).")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke check)")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="an empty database to run against (default: a fresh temporary SQLite file)",
    )
    parser.add_argument(
        "--no-xapi",
        action="store_true",
        help="skip the xAPI forwarding benchmark (bench/xapi_forward.py, which needs Node and "
        "`make node-tools` for its LRS, and takes about 8 minutes in a full run)",
    )
    parser.add_argument(
        "--no-portfolio",
        action="store_true",
        help="skip the PDF portfolio benchmark (bench/portfolio.py: render time against raw "
        "WeasyPrint, peak memory per worker, parallel export speed-up)",
    )
    args = parser.parse_args(argv)
    plan, mode = (QUICK, "quick") if args.quick else (FULL, "full")
    with tempfile.TemporaryDirectory(prefix="insights-bench-") as tmp:
        instance = Path(tmp) / "instance"
        database_url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        run(database_url, instance, plan, mode)
    if not args.no_xapi:
        # Its own fresh temporary SQLite database: the one above is not empty any more.
        import xapi_forward

        print()
        xapi_forward.report(xapi_forward.QUICK if args.quick else xapi_forward.FULL)
    if not args.no_portfolio:
        import portfolio

        print()
        portfolio.main(["--quick"] if args.quick else [])


if __name__ == "__main__":
    main()
