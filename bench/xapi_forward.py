"""xAPI forwarding benchmark: the forwarder against the limit and against a naive emitter, and
what recording a statement costs a user action.

Run from the repository root (needs ``make node-tools`` for the LRS)::

    .venv/bin/python bench/xapi_forward.py              # 10,000 statements, 3 rounds
    .venv/bin/python bench/xapi_forward.py --quick      # 2,000 statements, 1 round
    .venv/bin/python bench/xapi_forward.py --db postgresql+psycopg://user:pw@host/empty_db

The LRS is Learning Locker's statement service (npm ``xapi-statements``, the test suite's LRS,
started by ``tests/lrs.py`` on 127.0.0.1), restarted empty before every timed run so that each
one stores every statement afresh. The statements are the demo cohort's (with evidence files),
cloned with new ids up to the count asked for.

- **bare batches**: the statements' stored JSON, joined into arrays of 100 beforehand, POSTed
  one batch after another by a plain urllib3 client on a kept-alive connection. No database:
  this is the limit for this LRS.
- **forwarder**: ``Forwarder.run_pass()`` on the outbox holding them all (batches of 100):
  claim in the database, POST, record the outcome, batch after batch.
- **one per request**: each statement POSTed on its own, as a naive emitter does (kept-alive
  connection; tincan's ``RemoteLRS`` would also open a new connection every time).
- **recording**: a participant adding evidence (``create_evidence`` + commit) with the xAPI
  receiver connected and with it disconnected, and building + queueing the statement alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.lrs, the LRS launcher

import sqlalchemy as sa  # noqa: E402
import urllib3  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from insights_lms import create_app, resources, signals  # noqa: E402
from insights_lms.content.loader import load_content_dirs  # noqa: E402
from insights_lms.db import Base, utcnow  # noqa: E402
from insights_lms.demo import build_demo  # noqa: E402
from insights_lms.evidence import xapi as evidence_xapi  # noqa: E402
from insights_lms.state import get_state  # noqa: E402
from insights_lms.xapi import outbox  # noqa: E402
from insights_lms.xapi.forwarder import Forwarder, ForwarderConfig  # noqa: E402
from insights_lms.xapi.models import XapiStatement, XapiStatementStatus  # noqa: E402
from insights_lms.xapi.options import options_for  # noqa: E402
from insights_lms.xapi.vocabulary import ActivityStreamsVerbs  # noqa: E402
from tests.lrs import WRITER, FaultProxy, TestLRS, basic, start_lrs  # noqa: E402

BATCH = 100
#: Added to every request in the "remote" runs, as if the LRS were on another network.
REMOTE_LATENCY = 0.05
SECRET = "bench-secret-key-not-for-production"
PARTICIPANT = "participant1@example.org"


@dataclass(frozen=True)
class Plan:
    statements: int
    rounds: int
    naive: int
    recordings: int


FULL = Plan(statements=10_000, rounds=3, naive=10_000, recordings=300)
QUICK = Plan(statements=2_000, rounds=1, naive=500, recordings=50)


def progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


# --- the outbox ------------------------------------------------------------------------------


def make_app(database_url: str, instance: Path) -> Flask:
    return create_app(
        {
            "INSIGHTS_ENV": "testing",
            "INSIGHTS_DATABASE_URL": database_url,
            "INSIGHTS_SECRET_KEY": SECRET,
            "INSIGHTS_UPLOAD_DIR": str(instance / "uploads"),
            "INSTANCE_PATH": str(instance),
        }
    )


def fill_outbox(app: Flask, count: int) -> None:
    """The demo cohort's statements, cloned with fresh ids until there are ``count``."""
    from insights_lms.storage import get_storage, upload_transaction

    with app.app_context():
        engine = get_state().db.engine
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            load_content_dirs(session, resources.competencies_dir(), resources.modules_dir())
            with upload_transaction(get_storage()) as uploads:
                build_demo(session, activity=True, uploads=uploads)
                session.commit()
            templates = [
                (
                    row.statement,
                    row.verb_id,
                    row.object_id,
                    row.actor_name,
                    row.registration,
                    row.event,
                )
                for row in session.scalars(sa.select(XapiStatement).order_by(XapiStatement.id))
            ]
            session.execute(sa.delete(XapiStatement))
            now = utcnow()
            rows = []
            for i in range(count):
                data, verb, object_id, actor, registration, event = templates[i % len(templates)]
                statement_id = str(uuid.uuid4())
                rows.append(
                    {
                        "statement_id": statement_id,
                        "statement": {**data, "id": statement_id},
                        "verb_id": verb,
                        "object_id": object_id,
                        "actor_name": actor,
                        "registration": registration,
                        "event": event,
                        "next_attempt_dt": now,
                        "created_dt": now,
                    }
                )
            session.execute(sa.insert(XapiStatement), rows)
            session.commit()


def requeue_all(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.execute(
            sa.update(XapiStatement).values(
                status=XapiStatementStatus.QUEUED,
                attempts=0,
                sent_dt=None,
                next_attempt_dt=utcnow() - dt.timedelta(seconds=1),
            )
        )
        session.commit()


def stored_texts(engine: sa.Engine) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                sa.select(sa.cast(XapiStatement.statement, sa.Text)).order_by(XapiStatement.id)
            )
        )


# --- throughput ------------------------------------------------------------------------------


def fresh(lrs: TestLRS, warm_up: list[str]) -> None:
    """An empty LRS, warmed up (Node compiles its hot paths during the first requests) with
    statements other than the ones timed."""
    lrs.stop()
    lrs.start()
    bare_batches(lrs.endpoint, warm_up)


def warm_up_texts(texts: list[str], count: int = 500) -> list[str]:
    clones = []
    for text in texts[:count]:
        data = json.loads(text)
        data["id"] = str(uuid.uuid4())
        clones.append(json.dumps(data))
    return clones


def client() -> tuple[urllib3.PoolManager, dict[str, str]]:
    headers = {
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json; charset=utf-8",
        "Authorization": basic(*WRITER),
    }
    return urllib3.PoolManager(maxsize=1, retries=False), headers


def bare_batches(endpoint: str, texts: list[str]) -> float:
    bodies = [
        ("[" + ",".join(texts[i : i + BATCH]) + "]").encode() for i in range(0, len(texts), BATCH)
    ]
    return _post_all(endpoint, bodies)


def one_per_request(endpoint: str, texts: list[str]) -> float:
    return _post_all(endpoint, [text.encode() for text in texts])


def _post_all(endpoint: str, bodies: list[bytes]) -> float:
    http, headers = client()
    url = endpoint + "statements"
    start = time.perf_counter()
    for body in bodies:
        response = http.request("POST", url, body=body, headers=headers)
        if response.status != 200:
            raise RuntimeError(
                f"bench: the LRS answered {response.status}: {response.data[:300]!r}"
            )
    took = time.perf_counter() - start
    http.clear()
    return took


def forwarder_pass(endpoint: str, engine: sa.Engine, count: int) -> float:
    config = ForwarderConfig(
        endpoint=endpoint, username=WRITER[0], password=WRITER[1], batch_size=BATCH
    )
    forwarder = Forwarder(engine, config)
    try:
        start = time.perf_counter()
        report = forwarder.run_pass()
        took = time.perf_counter() - start
    finally:
        forwarder.close()
    if report.sent != count or report.failure or report.paused:
        raise RuntimeError(f"bench: the forwarder did not send everything: {report.summary()}")
    return took


# --- recording a statement -------------------------------------------------------------------


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def time_evidence(app: Flask, times: int) -> tuple[list[float], list[float]]:
    """``create_evidence`` + commit, as the evidence form's POST does, alternately with the
    xAPI receiver connected and disconnected (alternating cancels the machine's drift)."""
    from insights_lms.competencies.models import Competency
    from insights_lms.evidence.services import EvidenceInput, create_evidence
    from tests.factories import participant_enrolment

    warm_up = 20
    samples: dict[bool, list[float]] = {True: [], False: []}
    with app.app_context(), Session(get_state().db.engine, expire_on_commit=False) as session:
        enrolment = participant_enrolment(session, PARTICIPANT)
        ids = list(
            session.scalars(sa.select(Competency.id).where(Competency.code.in_(["L1.2", "L2.3"])))
        )
        for i in range(2 * times + warm_up):
            receiver = i % 2 == 0
            if not receiver:
                signals.evidence_created.disconnect(evidence_xapi.on_evidence_created)
            try:
                data = EvidenceInput(
                    f"Bench evidence {i}", dt.date(2026, 11, 2), "What staff told us.", ids
                )
                t0 = time.perf_counter()
                create_evidence(
                    session,
                    None,
                    enrolment=enrolment,
                    user=enrolment.user,
                    data=data,
                    max_file_size=1024,
                )
                session.commit()
                took = time.perf_counter() - t0
            finally:
                if not receiver:
                    signals.evidence_created.connect(evidence_xapi.on_evidence_created, weak=False)
            if i >= warm_up:
                samples[receiver].append(took)
    return samples[True], samples[False]


def time_build_and_queue(app: Flask, times: int) -> list[float]:
    """Building the evidence statement with tincan and adding it to the session (no I/O)."""
    from insights_lms.evidence.models import Evidence

    samples = []
    with app.app_context(), Session(get_state().db.engine) as session:
        evidence = session.scalars(sa.select(Evidence).order_by(Evidence.id)).first()
        assert evidence is not None
        for _ in range(times):
            t0 = time.perf_counter()
            statement = evidence_xapi.evidence_described(
                evidence, ActivityStreamsVerbs.CREATE, options_for(session), evidence.created_dt
            )
            outbox.queue(session, statement, event="bench", actor_name=None)
            samples.append(time.perf_counter() - t0)
        session.rollback()
    return samples


# --- the report ------------------------------------------------------------------------------


@dataclass
class Figures:
    size: float = 0.0
    #: seconds per round, by (where, who): where is "local" or "remote", who "bare" or
    #: "forwarder".
    rounds: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    naive: float = 0.0
    naive_count: int = 0
    with_receiver: list[float] = field(default_factory=list)
    without: list[float] = field(default_factory=list)
    build: list[float] = field(default_factory=list)

    def median(self, where: str, who: str) -> float:
        return statistics.median(self.rounds[(where, who)])


def timed(label: str, operation: Callable[[], float]) -> float:
    progress(label)
    return operation()


def measure(plan: Plan, app: Flask) -> Figures:
    figures = Figures()
    with app.app_context():
        engine = get_state().db.engine
    texts = stored_texts(engine)
    figures.size = sum(len(t.encode()) for t in texts) / len(texts)
    warm = warm_up_texts(texts)
    progress("starting the LRS")
    lrs = start_lrs()
    try:

        def run(where: str, who: str, round_no: int) -> None:
            fresh(lrs, warm)
            requeue_all(engine)
            proxy = None
            endpoint = lrs.endpoint
            if where == "remote":
                proxy = FaultProxy(lrs.port)
                proxy.delay = REMOTE_LATENCY
                endpoint = proxy.endpoint
            try:
                if who == "bare":
                    took = timed(
                        f"round {round_no}: {where}, bare batches",
                        lambda: bare_batches(endpoint, texts),
                    )
                else:
                    took = timed(
                        f"round {round_no}: {where}, forwarder",
                        lambda: forwarder_pass(endpoint, engine, plan.statements),
                    )
            finally:
                if proxy is not None:
                    proxy.close()
            stored = len(lrs.all_statements())
            if stored != plan.statements + len(warm):
                raise RuntimeError(f"bench: the LRS holds {stored} statements")
            figures.rounds.setdefault((where, who), []).append(took)

        for round_no in range(1, plan.rounds + 1):
            # Alternate which goes first, so that drift on the machine favours neither.
            order = ("bare", "forwarder") if round_no % 2 else ("forwarder", "bare")
            for where in ("local", "remote"):
                for who in order:
                    run(where, who, round_no)
        fresh(lrs, warm)
        naive_texts = texts[: plan.naive]
        figures.naive_count = len(naive_texts)
        figures.naive = timed(
            f"one statement per request x{len(naive_texts)}",
            lambda: one_per_request(lrs.endpoint, naive_texts),
        )
    finally:
        lrs.close()
    progress(f"recording: create_evidence x{plan.recordings}, with and without the receiver")
    figures.with_receiver, figures.without = time_evidence(app, plan.recordings)
    figures.build = time_build_and_queue(app, plan.recordings)
    return figures


def print_figures(plan: Plan, figures: Figures, url: str) -> None:
    print("xAPI forwarding to the LRS (Learning Locker's statement service on 127.0.0.1)")
    print(f"Database: {sa.make_url(url).render_as_string(hide_password=True)}")
    print(
        f"{plan.statements} statements of {figures.size / 1024:.1f} KiB on average, batches of "
        f"{BATCH}; median of {plan.rounds} round(s), each on an empty, warmed-up LRS. "
        f"'remote': through a proxy that adds {REMOTE_LATENCY * 1000:.0f} ms to every request."
    )
    print()
    header = f"{'sending':<44}  {'statements':>10}  {'seconds':>8}  {'per s':>7}  {'vs bare':>7}"
    print(header)
    print("-" * len(header))
    lines = []
    for where in ("local", "remote"):
        bare = figures.median(where, "bare")
        lines.append(
            (f"{where}: bare client, batches of {BATCH} (limit)", plan.statements, bare, bare)
        )
        lines.append(
            (f"{where}: forwarder", plan.statements, figures.median(where, "forwarder"), bare)
        )
    local_rate = plan.statements / figures.median("local", "bare")
    for name, count, seconds, bare in lines:
        rate = count / seconds
        print(
            f"{name:<44}  {count:>10}  {seconds:>8.2f}  {rate:>7.0f}  "
            f"{rate / (plan.statements / bare):>6.2f}x"
        )
    naive_rate = figures.naive_count / figures.naive
    print(
        f"{'local: one statement per request (naive)':<44}  {figures.naive_count:>10}  "
        f"{figures.naive:>8.2f}  {naive_rate:>7.0f}  {naive_rate / local_rate:>6.2f}x"
    )
    for (where, who), seconds in sorted(figures.rounds.items()):
        print(f"  rounds, {where} {who}: {', '.join(f'{s:.2f}' for s in seconds)} s")
    print()
    header = (
        f"{'recording the statement of an action':<52}  {'n':>4}  {'median ms':>9}  {'p95 ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, samples in (
        ("create_evidence + commit, xAPI receiver connected", figures.with_receiver),
        ("create_evidence + commit, receiver disconnected", figures.without),
        ("build the statement (tincan) + outbox.queue", figures.build),
    ):
        print(f"{name:<52}  {len(samples):>4}  {median_ms(samples):>9.2f}  {p95_ms(samples):>7.2f}")
    extra = median_ms(figures.with_receiver) - median_ms(figures.without)
    print(f"the action's time spent on its statement (difference of the medians): {extra:.2f} ms")


def report(plan: Plan, database_url: str | None = None) -> None:
    """Run the benchmark and print its section (a temporary SQLite file unless given a URL
    of an empty database)."""
    with tempfile.TemporaryDirectory(prefix="insights-bench-xapi-") as tmp:
        instance = Path(tmp) / "instance"
        url = database_url or f"sqlite:///{Path(tmp) / 'bench-xapi.db'}"
        app = make_app(url, instance)
        progress(f"outbox: {plan.statements} statements cloned from the demo cohort's")
        fill_outbox(app, plan.statements)
        try:
            figures = measure(plan, app)
        finally:
            with app.app_context():
                get_state().db.engine.dispose()
    print_figures(plan, figures, url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer statements, one round")
    parser.add_argument("--statements", type=int, help="how many statements to forward")
    parser.add_argument("--db", metavar="URL", help="an empty database (default: temporary SQLite)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.statements:
        plan = Plan(args.statements, plan.rounds, min(plan.naive, args.statements), plan.recordings)
    report(plan, args.db)


if __name__ == "__main__":
    main()
