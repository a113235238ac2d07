"""The public building blocks of statements, on the ``tincan`` models; features build theirs.

Each feature keeps the statements of its own events in ``insights_lms/<feature>/xapi.py``,
built from these: :func:`agent`, :func:`activity` and the programme's activities (programme,
module, task, cohort, competency), :func:`context`, :func:`result_extensions`,
:func:`statement`, :func:`voiding`. This module imports no feature (the model names below are
for type checking only).

Every statement gets a fresh UUID4 ``id`` when its event happens (so a resend is idempotent), a
timezone-aware UTC ``timestamp`` to the millisecond, and no ``version`` (the LRS sets it).
Activities have stable IRIs under the base IRI and names and descriptions in ``en-GB``; the
actor is identified by an ``account`` on the base IRI unless configured otherwise. The profile
(which event becomes which statement, and why) is ``docs/xapi.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import tincan

from insights_lms.xapi.options import XapiOptions
from insights_lms.xapi.vocabulary import (
    LANGUAGE,
    ActivityStreamsActivityTypes,
    ActivityTypeTerm,
    ADLActivityTypes,
    ADLVerbs,
    Extensions,
    TLAActivityTypes,
    VerbTerm,
)

if TYPE_CHECKING:
    from insights_lms.auth.models import User
    from insights_lms.cohorts.models import Cohort
    from insights_lms.competencies.models import Competency
    from insights_lms.programmes.models import Module, PracticalTask, Programme

PLATFORM = "Insights LMS"
_KEY_ORDER = ("id", "actor", "verb", "object", "result", "context", "timestamp", "attachments")


# --- identifiers -------------------------------------------------------------------------


def segment(code: str) -> str:
    """A content code as one IRI path segment (codes are short slugs; quote anything else)."""
    return quote(code, safe="-._~")


def programme_iri(base_iri: str, programme: Programme) -> str:
    return f"{base_iri}programmes/{segment(programme.code)}"


def module_iri(base_iri: str, module: Module) -> str:
    return f"{programme_iri(base_iri, module.programme)}/modules/{segment(module.code)}"


def task_iri(base_iri: str, task: PracticalTask) -> str:
    return f"{programme_iri(base_iri, task.programme)}/tasks/{segment(task.code)}"


def cohort_iri(base_iri: str, cohort: Cohort) -> str:
    return f"{base_iri}cohorts/{segment(cohort.code)}"


def competency_iri(base_iri: str, competency: Competency) -> str:
    framework = segment(competency.framework.code)
    return f"{base_iri}competencies/{framework}/{segment(competency.code)}"


def agent(user: User, options: XapiOptions) -> tincan.Agent:
    """The person as an xAPI Agent: an account on the base IRI unless configured otherwise."""
    if options.actor_identifier == "mbox":
        return tincan.Agent(name=user.name, mbox=f"mailto:{user.email}")
    if options.actor_identifier == "mbox_sha1sum":
        digest = hashlib.sha1(f"mailto:{user.email}".encode(), usedforsecurity=False)
        return tincan.Agent(name=user.name, mbox_sha1sum=digest.hexdigest())
    account = tincan.AgentAccount(home_page=options.base_iri, name=user.public_id)
    return tincan.Agent(name=user.name, account=account)


# --- activities --------------------------------------------------------------------------


def language_map(text: str) -> tincan.LanguageMap:
    """``text`` in the profile's language (``en-GB``)."""
    return tincan.LanguageMap({LANGUAGE: text})


def activity(
    iri: str, kind: ActivityTypeTerm, name: str, description: str | None = None
) -> tincan.Activity:
    """An activity of type ``kind`` at ``iri``; a blank description is left out."""
    definition = tincan.ActivityDefinition(type=kind.iri, name=language_map(name))
    if description and description.strip():
        definition.description = language_map(description.strip())
    return tincan.Activity(id=iri, definition=definition)


def programme_activity(programme: Programme, options: XapiOptions) -> tincan.Activity:
    return activity(
        programme_iri(options.base_iri, programme), ADLActivityTypes.COURSE, programme.title
    )


def cohort_activity(cohort: Cohort, options: XapiOptions) -> tincan.Activity:
    return activity(
        cohort_iri(options.base_iri, cohort), ActivityStreamsActivityTypes.GROUP, cohort.title
    )


def module_activity(module: Module, options: XapiOptions, *, full: bool = False) -> tincan.Activity:
    description = (module.summary or module.theme) if full else None
    return activity(
        module_iri(options.base_iri, module), ADLActivityTypes.MODULE, module.title, description
    )


def task_activity(
    task: PracticalTask, options: XapiOptions, *, full: bool = False
) -> tincan.Activity:
    return activity(
        task_iri(options.base_iri, task),
        ADLActivityTypes.PERFORMANCE,
        task.title,
        task.instructions if full else None,
    )


def competency_activity(
    competency: Competency, options: XapiOptions, *, full: bool = False
) -> tincan.Activity:
    return activity(
        competency_iri(options.base_iri, competency),
        TLAActivityTypes.COMPETENCY,
        f"{competency.code} {competency.title}",
        competency.description if full else None,
    )


# --- statement parts ---------------------------------------------------------------------


def utc_millis(value: dt.datetime | None) -> dt.datetime:
    """``value`` (now if None) in UTC, cut to the millisecond; naive values are taken as UTC."""
    if value is None:
        value = dt.datetime.now(dt.UTC)
    elif value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def context(
    options: XapiOptions,
    cohort: Cohort,
    *,
    registration: str | None,
    parent: Sequence[tincan.Activity] = (),
    other: Iterable[tincan.Activity] = (),
    instructor: tincan.Agent | None = None,
    extensions: dict[str, Any] | None = None,
) -> tincan.Context:
    """Registration, parent, grouping (cohort and programme), other (competencies), platform;
    ``extensions`` by short name (under the base IRI, see ``Extensions``)."""
    activities = tincan.ContextActivities(
        grouping=[cohort_activity(cohort, options), programme_activity(cohort.programme, options)]
    )
    if parent:
        activities.parent = list(parent)
    others = list(other)
    if others:
        activities.other = others
    built = tincan.Context(
        registration=uuid.UUID(registration) if registration else None,
        context_activities=activities,
        platform=PLATFORM,
        language=LANGUAGE,
        instructor=instructor,
    )
    if extensions:
        built.extensions = tincan.Extensions(
            {Extensions.iri(options.base_iri, key): value for key, value in extensions.items()}
        )
    return built


def result_extensions(options: XapiOptions, values: dict[str, Any]) -> tincan.Extensions:
    """Result extensions by short name, under the base IRI (as :func:`context`'s)."""
    return tincan.Extensions(
        {Extensions.iri(options.base_iri, key): value for key, value in values.items()}
    )


def statement(
    actor: tincan.Agent,
    verb: VerbTerm,
    obj: tincan.Activity | tincan.StatementRef,
    timestamp: dt.datetime | None,
    *,
    context: tincan.Context | None = None,
    result: tincan.Result | None = None,
    attachments: list[tincan.Attachment] | None = None,
) -> tincan.Statement:
    """A new statement: a fresh UUID4 id, the timestamp in UTC to the millisecond, no version."""
    built = tincan.Statement(
        id=uuid.uuid4(),
        actor=actor,
        verb=verb.as_tincan(),
        object=obj,
        timestamp=utc_millis(timestamp),
        context=context,
        result=result,
        attachments=attachments or None,
    )
    # tincan writes "version": "1.0.3" otherwise; a statement's producer should not set it.
    built.version = None
    return built


def to_json(statement: tincan.Statement) -> dict[str, Any]:
    """The statement as JSON data, as stored in the outbox and sent to the LRS."""
    data: dict[str, Any] = statement.as_version()
    data.pop("version", None)
    # tincan uses isoformat(), which drops the fraction when it is zero: keep milliseconds.
    data["timestamp"] = utc_millis(statement.timestamp).isoformat(timespec="milliseconds")
    # The order people expect to read (JSON objects are unordered: this is only for them).
    ordered = {key: data.pop(key) for key in _KEY_ORDER if key in data}
    return ordered | data


def object_id(statement: tincan.Statement) -> str:
    """The object's IRI, or the referenced statement's id for a StatementRef."""
    return str(statement.object.id)


# --- voiding ------------------------------------------------------------------------------


def voiding(
    statement_id: str,
    actor: User,
    options: XapiOptions,
    *,
    registration: str | None,
    timestamp: dt.datetime | None,
) -> tincan.Statement:
    """Void an earlier statement (no platform: the object is not an Activity)."""
    registered = tincan.Context(registration=uuid.UUID(registration)) if registration else None
    return statement(
        agent(actor, options),
        ADLVerbs.VOIDED,
        tincan.StatementRef(id=uuid.UUID(statement_id)),
        timestamp,
        context=registered,
    )
