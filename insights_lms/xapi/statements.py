"""Statements for the domain events, built with the ``tincan`` models.

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
    ActivityStreamsVerbs,
    ActivityTypeTerm,
    ADLActivityTypes,
    ADLVerbs,
    Extensions,
    TinCanAttachmentUsage,
    TinCanVerbs,
    TLAActivityTypes,
    VerbTerm,
)

if TYPE_CHECKING:
    from insights_lms.assessment.models import SelfRating
    from insights_lms.attendance.models import Attendance, ModuleCompletion
    from insights_lms.auth.models import User
    from insights_lms.coaching.models import EvidenceReview
    from insights_lms.cohorts.models import Cohort
    from insights_lms.competencies.models import Competency
    from insights_lms.evidence.models import Evidence, EvidenceFile
    from insights_lms.programmes.models import Module, PracticalTask, Programme
    from insights_lms.tasks.models import TaskResponse

PLATFORM = "Insights LMS"
REVIEWED = TinCanVerbs.REVIEWED
_KEY_ORDER = ("id", "actor", "verb", "object", "result", "context", "timestamp", "attachments")


# --- identifiers -------------------------------------------------------------------------


def _segment(code: str) -> str:
    """A content code as one IRI path segment (codes are short slugs; quote anything else)."""
    return quote(code, safe="-._~")


def programme_iri(base_iri: str, programme: Programme) -> str:
    return f"{base_iri}programmes/{_segment(programme.code)}"


def module_iri(base_iri: str, module: Module) -> str:
    return f"{programme_iri(base_iri, module.programme)}/modules/{_segment(module.code)}"


def task_iri(base_iri: str, task: PracticalTask) -> str:
    return f"{programme_iri(base_iri, task.programme)}/tasks/{_segment(task.code)}"


def cohort_iri(base_iri: str, cohort: Cohort) -> str:
    return f"{base_iri}cohorts/{_segment(cohort.code)}"


def competency_iri(base_iri: str, competency: Competency) -> str:
    framework = _segment(competency.framework.code)
    return f"{base_iri}competencies/{framework}/{_segment(competency.code)}"


def evidence_iri(base_iri: str, evidence: Evidence) -> str:
    return f"{base_iri}evidence/{_segment(evidence.public_id)}"


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
    return tincan.LanguageMap({LANGUAGE: text})


def _activity(
    iri: str, kind: ActivityTypeTerm, name: str, description: str | None = None
) -> tincan.Activity:
    definition = tincan.ActivityDefinition(type=kind.iri, name=language_map(name))
    if description and description.strip():
        definition.description = language_map(description.strip())
    return tincan.Activity(id=iri, definition=definition)


def programme_activity(programme: Programme, options: XapiOptions) -> tincan.Activity:
    return _activity(
        programme_iri(options.base_iri, programme), ADLActivityTypes.COURSE, programme.title
    )


def cohort_activity(cohort: Cohort, options: XapiOptions) -> tincan.Activity:
    return _activity(
        cohort_iri(options.base_iri, cohort), ActivityStreamsActivityTypes.GROUP, cohort.title
    )


def module_activity(module: Module, options: XapiOptions, *, full: bool = False) -> tincan.Activity:
    description = (module.summary or module.theme) if full else None
    return _activity(
        module_iri(options.base_iri, module), ADLActivityTypes.MODULE, module.title, description
    )


def task_activity(
    task: PracticalTask, options: XapiOptions, *, full: bool = False
) -> tincan.Activity:
    return _activity(
        task_iri(options.base_iri, task),
        ADLActivityTypes.PERFORMANCE,
        task.title,
        task.instructions if full else None,
    )


def competency_activity(
    competency: Competency, options: XapiOptions, *, full: bool = False
) -> tincan.Activity:
    return _activity(
        competency_iri(options.base_iri, competency),
        TLAActivityTypes.COMPETENCY,
        f"{competency.code} {competency.title}",
        competency.description if full else None,
    )


def evidence_activity(evidence: Evidence, options: XapiOptions) -> tincan.Activity:
    return _activity(
        evidence_iri(options.base_iri, evidence),
        ActivityStreamsActivityTypes.ARTICLE,
        evidence.title,
        evidence.narrative,
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


def _context(
    options: XapiOptions,
    cohort: Cohort,
    *,
    registration: str | None,
    parent: Sequence[tincan.Activity] = (),
    other: Iterable[tincan.Activity] = (),
    instructor: tincan.Agent | None = None,
    extensions: dict[str, Any] | None = None,
) -> tincan.Context:
    """Registration, parent, grouping (cohort and programme), other (competencies), platform."""
    activities = tincan.ContextActivities(
        grouping=[cohort_activity(cohort, options), programme_activity(cohort.programme, options)]
    )
    if parent:
        activities.parent = list(parent)
    others = list(other)
    if others:
        activities.other = others
    context = tincan.Context(
        registration=uuid.UUID(registration) if registration else None,
        context_activities=activities,
        platform=PLATFORM,
        language=LANGUAGE,
        instructor=instructor,
    )
    if extensions:
        context.extensions = tincan.Extensions(
            {Extensions.iri(options.base_iri, key): value for key, value in extensions.items()}
        )
    return context


def _result_extensions(options: XapiOptions, values: dict[str, Any]) -> tincan.Extensions:
    return tincan.Extensions(
        {Extensions.iri(options.base_iri, key): value for key, value in values.items()}
    )


def _statement(
    actor: tincan.Agent,
    verb: VerbTerm,
    obj: tincan.Activity | tincan.StatementRef,
    timestamp: dt.datetime | None,
    *,
    context: tincan.Context | None = None,
    result: tincan.Result | None = None,
    attachments: list[tincan.Attachment] | None = None,
) -> tincan.Statement:
    statement = tincan.Statement(
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
    statement.version = None
    return statement


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


# --- one builder per event ---------------------------------------------------------------


def module_completed(
    completion: ModuleCompletion, registration: str | None, options: XapiOptions
) -> tincan.Statement:
    """The participant completed a module; their reflection is the response."""
    cohort_module = completion.cohort_module
    module = cohort_module.module
    reflection = (
        f"What I learned:\n{completion.learned}\n\n"
        f"What I will trial back in school:\n{completion.will_trial}"
    )
    return _statement(
        agent(completion.participant, options),
        ADLVerbs.COMPLETED,
        module_activity(module, options, full=True),
        completion.completed_dt,
        result=tincan.Result(completion=True, response=reflection),
        context=_context(
            options,
            cohort_module.cohort,
            registration=registration,
            other=[competency_activity(c, options) for c in module.competencies],
        ),
    )


def attended(
    attendance: Attendance, registration: str | None, options: XapiOptions
) -> tincan.Statement:
    """The participant was at a module session (present or late); the recorder is instructor."""
    cohort_module = attendance.cohort_module
    module = cohort_module.module
    recorder = attendance.recorded_by
    return _statement(
        agent(attendance.participant, options),
        ADLVerbs.ATTENDED,
        module_activity(module, options, full=True),
        cohort_module.starts_at,
        context=_context(
            options,
            cohort_module.cohort,
            registration=registration,
            other=[competency_activity(c, options) for c in module.competencies],
            instructor=agent(recorder, options) if recorder is not None else None,
            extensions={Extensions.ATTENDANCE_STATUS: attendance.status.value},
        ),
    )


def task_submitted(response: TaskResponse, options: XapiOptions) -> tincan.Statement:
    """The participant submitted their response to a practical task."""
    window = response.cohort_task
    task = window.task
    extensions: dict[str, Any] = {}
    if response.evidence:
        extensions[Extensions.EVIDENCE] = [
            evidence_iri(options.base_iri, e) for e in response.evidence
        ]
    result = tincan.Result(completion=True, response=response.response)
    if extensions:
        result.extensions = _result_extensions(options, extensions)
    return _statement(
        agent(response.enrolment.user, options),
        ActivityStreamsVerbs.SUBMIT,
        task_activity(task, options, full=True),
        response.submitted_dt,
        result=result,
        context=_context(
            options,
            window.cohort,
            registration=response.enrolment.registration,
            parent=[module_activity(task.after_module, options)],
            other=[competency_activity(c, options) for c in task.competencies],
        ),
    )


def file_attachment(stored: EvidenceFile, options: XapiOptions) -> tincan.Attachment:
    """A file's metadata; the bytes stay in the app behind an authenticated download."""
    return tincan.Attachment(
        usage_type=TinCanAttachmentUsage.SUPPORTING_MEDIA,
        display=language_map(stored.original_name),
        content_type=stored.mimetype,
        length=stored.size,
        sha2=stored.sha256,
        fileurl=options.file_url(stored.public_id),
    )


def evidence_described(
    evidence: Evidence, verb: VerbTerm, options: XapiOptions, timestamp: dt.datetime | None
) -> tincan.Statement:
    """The evidence as it is now (``create`` for new or restored, ``update`` for edited)."""
    parent: list[tincan.Activity] = []
    if evidence.module is not None:
        parent.append(module_activity(evidence.module, options))
    if evidence.cohort_task is not None:
        parent.append(task_activity(evidence.cohort_task.task, options))
    enrolment = evidence.enrolment
    return _statement(
        agent(evidence.owner, options),
        verb,
        evidence_activity(evidence, options),
        timestamp,
        context=_context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            parent=parent,
            other=[competency_activity(c, options) for c in evidence.competencies],
            extensions={Extensions.OCCURRED_ON: evidence.occurred_on.isoformat()},
        ),
        attachments=[file_attachment(f, options) for f in evidence.files],
    )


def voiding(
    statement_id: str,
    actor: User,
    options: XapiOptions,
    *,
    registration: str | None,
    timestamp: dt.datetime | None,
) -> tincan.Statement:
    """Void an earlier statement (no platform: the object is not an Activity)."""
    context = None
    if registration:
        context = tincan.Context(registration=uuid.UUID(registration))
    return _statement(
        agent(actor, options),
        ADLVerbs.VOIDED,
        tincan.StatementRef(id=uuid.UUID(statement_id)),
        timestamp,
        context=context,
    )


def self_assessed(rating: SelfRating, options: XapiOptions) -> tincan.Statement:
    """The participant rated themselves on one competency: the level is the score."""
    enrolment = rating.enrolment
    level = rating.level
    values = [lv.value for lv in level.scale.levels]
    low, high = min(values), max(values)
    score = tincan.Score(raw=level.value, min=low, max=high)
    if high > 0 and 0 <= level.value <= high:
        score.scaled = level.value / high
    result = tincan.Result(
        score=score,
        extensions=_result_extensions(
            options,
            {Extensions.LEVEL: {"value": level.value, "code": level.code, "title": level.title}},
        ),
    )
    if rating.comment.strip():
        result.response = rating.comment.strip()
    parent = [module_activity(rating.module, options)] if rating.module is not None else []
    return _statement(
        agent(enrolment.user, options),
        ADLVerbs.SCORED,
        competency_activity(rating.competency, options, full=True),
        rating.rated_dt,
        result=result,
        context=_context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            parent=parent,
            extensions={Extensions.OCCASION: rating.occasion.value},
        ),
    )


def evidence_reviewed(review: EvidenceReview, options: XapiOptions) -> tincan.Statement:
    """A coach or facilitator reviewed a participant's evidence: ``success`` is whether it was
    accepted, the comment is the response; the registration is the participant's enrolment."""
    evidence = review.evidence
    enrolment = evidence.enrolment
    if review.reviewer is None:
        raise ValueError("a review whose reviewer is gone cannot be described")
    result = tincan.Result(success=review.is_accepted)
    if review.comment.strip():
        result.response = review.comment.strip()
    return _statement(
        agent(review.reviewer, options),
        REVIEWED,
        evidence_activity(evidence, options),
        review.reviewed_dt,
        result=result,
        context=_context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            other=[competency_activity(c, options) for c in evidence.competencies],
        ),
    )
