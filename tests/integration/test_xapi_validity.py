"""Validity oracles: every statement the demo produces, checked by two independent validators.

The demo data is built the way ``make demo`` builds it (``lms demo-data``); then every statement
in the outbox is validated, both as it is sent to the LRS and as the Statement API serves it
(with ``stored``, ``authority`` and ``version``), by

* Ralph's strict ``BaseXapiStatement`` (PyPI ``ralph-malph``), and
* Learning Locker's ``@learninglocker/xapi-validation`` (npm, in ``tests/node``), run once for
  all statements by ``tests/node/validate.js``,

and every timestamp must carry a time zone and milliseconds (Ralph accepts one without).

The statement types are the ``event`` names: every event a feature's xAPI module declares
(each ``insights_lms/<feature>/xapi.py``, as
``NAME = "thing.happened"``) must appear in the demo's statements, so that a new feature's
statements are validated here as soon as the demo makes them.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement

import insights_lms
from insights_lms.evidence.models import Evidence
from insights_lms.evidence.services import (
    EvidenceInput,
    delete_evidence,
    restore_evidence,
    update_evidence,
)
from insights_lms.lrs_api.formats import present
from insights_lms.storage import FilesystemStorage, Uploads
from insights_lms.xapi.models import XapiStatement
from tests.factories import find_user

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
VALIDATOR = NODE_DIR / "validate.js"
BASE = "https://insights.example.org/"
#: ISO 8601 with milliseconds and an offset (part two, 4.5: a timestamp should have a time
#: zone; the profile promises milliseconds).
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$")
EVENT_NAME = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")


def xapi_modules() -> list[ModuleType]:
    """Every feature's ``xapi`` module."""
    modules: list[ModuleType] = []
    for info in pkgutil.iter_modules(insights_lms.__path__):
        if info.ispkg and (Path(insights_lms.__path__[0]) / info.name / "xapi.py").exists():
            modules.append(importlib.import_module(f"insights_lms.{info.name}.xapi"))
    return modules


def declared_events() -> dict[str, str]:
    """Event name -> the module declaring it (module-level ``UPPER_CASE = "a.b"`` strings)."""
    events: dict[str, str] = {}
    for module in xapi_modules():
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and EVENT_NAME.match(value):
                events.setdefault(value, module.__name__)
    return events


def node_validator() -> Path:
    ready = shutil.which("node") and (NODE_DIR / "node_modules/@learninglocker").is_dir()
    if not ready:
        message = "Learning Locker's validator needs node and `make node-tools` (tests/node)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: missing in CI")
        pytest.skip(message)
    return VALIDATOR


def learning_locker_warnings(statements: list[dict[str, Any]]) -> list[list[str]]:
    """One node process for every statement: a list of warnings for each."""
    done = subprocess.run(
        ["node", str(node_validator())],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    warnings: list[list[str]] = json.loads(done.stdout)
    assert len(warnings) == len(statements)
    return warnings


def ralph_problems(statement: dict[str, Any]) -> list[str]:
    try:
        BaseXapiStatement.model_validate(statement)
    except ValidationError as exc:
        return [
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
    return []


def timestamp_problems(statement: dict[str, Any]) -> list[str]:
    problems = []
    for key in ("timestamp", "stored"):
        if key in statement and not TIMESTAMP.match(statement[key]):
            problems.append(f"{key} {statement[key]!r} lacks a time zone or milliseconds")
    target = statement.get("object") or {}
    if target.get("objectType") == "SubStatement":
        problems += [f"object.{p}" for p in timestamp_problems(target)]
    return problems


def _what_the_demo_does_not_do(db, uploads: Uploads) -> None:
    """Editing, deleting and restoring evidence: the demo shows none of them (its evidence is
    as its participants left it), but their statements must be valid too."""
    amina = find_user(db, "participant1@example.org")
    evidence = db.scalars(
        sa.select(Evidence).where(Evidence.owner_id == amina.id).order_by(Evidence.id)
    ).first()
    assert evidence is not None
    data = EvidenceInput(
        title=evidence.title + " (revised)",
        occurred_on=evidence.occurred_on,
        narrative=evidence.narrative,
        competency_ids=[c.id for c in evidence.competencies],
        module_id=evidence.module_id,
        cohort_task_id=evidence.cohort_task_id,
        challenge_ids=[c.id for c in evidence.challenges],
    )
    update_evidence(db, uploads, evidence, user=amina, data=data, max_file_size=1024 * 1024)
    delete_evidence(db, evidence, amina)
    restore_evidence(db, evidence, amina)
    db.commit()


@pytest.fixture
def demo_outbox(app, runner, db, tmp_path) -> list[XapiStatement]:
    for args in (["lms", "load-content"], ["lms", "demo-data"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    _what_the_demo_does_not_do(db, Uploads(FilesystemStorage(tmp_path / "uploads")))
    return list(db.scalars(sa.select(XapiStatement).order_by(XapiStatement.id)))


def test_the_demo_makes_every_kind_of_statement(demo_outbox):
    made = Counter(row.event for row in demo_outbox)
    missing = {event: module for event, module in declared_events().items() if event not in made}
    assert not missing, (
        "The demo data makes no statement for: "
        + "; ".join(f"{event} (declared in {module})" for event, module in sorted(missing.items()))
        + ". Add the activity to the demo so that its statements are validated."
    )


def test_every_statement_of_the_demo_is_valid_for_both_validators(demo_outbox):
    assert demo_outbox
    sent = [row.statement for row in demo_outbox]
    served = [present(row, base_iri=BASE) for row in demo_outbox]
    warnings = learning_locker_warnings(sent + served)
    failures = []
    for i, row in enumerate(demo_outbox):
        for form, statement, lrs_warnings in (
            ("as sent", sent[i], warnings[i]),
            ("as served", served[i], warnings[len(sent) + i]),
        ):
            problems = (
                [f"Ralph: {p}" for p in ralph_problems(statement)]
                + [f"Learning Locker: {w}" for w in lrs_warnings]
                + timestamp_problems(statement)
            )
            if problems:
                failures.append(
                    f"{row.event} statement {row.statement_id} ({form}):\n    "
                    + "\n    ".join(problems)
                )
    assert not failures, f"{len(failures)} invalid statement(s):\n" + "\n".join(failures)


def test_the_oracles_catch_what_they_are_here_to_catch(demo_outbox):
    """Each check fails on a statement with the fault it exists for (so a pass means
    something): no time zone, no milliseconds, an extra key, a bad verb IRI."""
    statement = dict(demo_outbox[0].statement)
    naive = {**statement, "timestamp": "2026-03-02T09:00:00.000"}
    whole_second = {**statement, "timestamp": "2026-03-02T09:00:00+00:00"}
    extra = {**statement, "colour": "blue"}
    bad_verb = {**statement, "verb": {"id": "completed"}}
    assert timestamp_problems(naive) and timestamp_problems(whole_second)
    assert ralph_problems(extra) and ralph_problems(bad_verb)
    lrs = learning_locker_warnings([naive, extra, bad_verb, statement])
    assert all(lrs[:3]) and lrs[3] == []
    single = json.loads(json.dumps(statement))
    single["context"]["contextActivities"]["grouping"] = statement["context"]["contextActivities"][
        "grouping"
    ][0]
    assert learning_locker_warnings([single]) == [[]]  # a single object is allowed, wrapped
