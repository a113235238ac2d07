"""Every domain signal of Insights LMS, in one place.

Services send these *after* flushing the change, inside the request's transaction, so that a
listener (the xAPI outbox, notifications) that writes to the database commits or rolls back
together with the change itself. Views never call side effects directly: they subscribe here.

Conventions: ``sender`` is the domain object the event is about (reach its session with
``sqlalchemy.orm.object_session(sender)``); keyword arguments are listed per signal. Listeners
must not commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

module_completed = _signals.signal(
    "module-completed",
    doc="""A participant recorded a module as completed, with their reflection.

    sender: the ``ModuleCompletion``.
    user: the participant (``User``) who recorded it.
    """,
)

attendance_recorded = _signals.signal(
    "attendance-recorded",
    doc="""A facilitator recorded (or changed) a participant's attendance at a module session.

    sender: the ``Attendance`` row.
    recorded_by: the facilitator (``User``).
    """,
)

task_submitted = _signals.signal(
    "task-submitted",
    doc="""A participant submitted their response to a practical task.

    sender: the ``TaskResponse``.
    user: the participant (``User``).
    """,
)

evidence_created = _signals.signal(
    "evidence-created",
    doc="""A participant added a piece of evidence.

    sender: the ``Evidence``.
    user: who created it (``User``).
    """,
)

evidence_updated = _signals.signal(
    "evidence-updated",
    doc="""A participant edited a piece of evidence (text, tags, links or files).

    sender: the ``Evidence``.
    user: who edited it (``User``).
    """,
)

evidence_deleted = _signals.signal(
    "evidence-deleted",
    doc="""A piece of evidence was deleted (a soft delete: it can be restored).

    sender: the ``Evidence``.
    user: who deleted it (``User``).
    """,
)

evidence_restored = _signals.signal(
    "evidence-restored",
    doc="""A deleted piece of evidence was restored by its owner.

    sender: the ``Evidence``.
    user: who restored it (``User``).
    """,
)

self_assessment_recorded = _signals.signal(
    "self-assessment-recorded",
    doc="""A participant rated themselves on one competency (ratings are never overwritten).

    sender: the ``SelfRating``.
    user: the participant (``User``).
    """,
)

school_context_updated = _signals.signal(
    "school-context-updated",
    doc="""A participant updated their school context profile (phase, size, challenges).

    sender: the ``SchoolContext``.
    user: the participant (``User``).
    """,
)

evidence_reviewed = _signals.signal(
    "evidence-reviewed",
    doc="""A coach or facilitator reviewed a piece of evidence (accepted, or "needs more").

    sender: the ``EvidenceReview`` (a new row for every review: earlier reviews are kept).
    reviewer: who reviewed it (``User``).
    """,
)

# --- Coaching and peer learning -----------------------------------------------------------

conversation_recorded = _signals.signal(
    "conversation-recorded",
    doc="""A coach recorded a developmental conversation with a coachee.

    sender: the ``Conversation`` (with its competencies in focus and agreed actions flushed).
    user: the coach (``User``) who recorded it.
    corrected: ``True`` when the coach corrected an existing record (before the participant
    acknowledged it), absent or ``False`` for a new record.
    """,
)

conversation_acknowledged = _signals.signal(
    "conversation-acknowledged",
    doc="""A participant acknowledged the record of a conversation (optionally with a comment).

    sender: the ``Conversation``.
    user: the participant (``User``).
    """,
)

action_agreed = _signals.signal(
    "action-agreed",
    doc="""An action was agreed in a developmental conversation.

    sender: the ``AgreedAction``.
    user: who recorded it (``User``, the coach).
    """,
)

action_completed = _signals.signal(
    "action-completed",
    doc="""An agreed action was marked done.

    sender: the ``AgreedAction``.
    user: who marked it (``User``: the participant or their coach).
    """,
)

rating_recorded = _signals.signal(
    "rating-recorded",
    doc="""A coach or facilitator rated a participant on a competency, or a level was agreed in
    a conversation (self-ratings send ``self_assessment_recorded`` instead).

    sender: the ``CompetencyRating`` (a new row every time: no rating is ever overwritten).
    user: the rater (``User``).
    """,
)

coach_assigned = _signals.signal(
    "coach-assigned",
    doc="""A facilitator assigned (or changed) a participant's coach in a cohort.

    sender: the ``CoachAssignment``.
    assigned_by: the facilitator (``User``), or ``None`` from the command line or demo data.
    """,
)

challenge_posted = _signals.signal(
    "challenge-posted",
    doc="""A participant set out a leadership challenge for a goldfish-bowl session.

    sender: the ``GoldfishChallenge``.
    user: the problem owner (``User``).
    """,
)

challenge_answered = _signals.signal(
    "challenge-answered",
    doc="""A peer added a clarifying question or a suggestion to a goldfish-bowl challenge.

    sender: the ``ChallengeContribution``.
    user: the peer (``User``).
    """,
)

challenge_resolved = _signals.signal(
    "challenge-resolved",
    doc="""The problem owner recorded what they decided (and, later, what happened).

    sender: the ``GoldfishChallenge``.
    user: the problem owner (``User``).
    """,
)

case_study_published = _signals.signal(
    "case-study-published",
    doc="""A participant shared a case study of their practice with their cohort.

    sender: the ``CaseStudy``.
    user: the author (``User``).
    """,
)

case_study_featured = _signals.signal(
    "case-study-featured",
    doc="""A facilitator featured a case study for the whole programme (or stopped featuring it).

    sender: the ``CaseStudy``.
    user: the facilitator (``User``).
    featured: ``True`` or ``False``.
    """,
)

# --- Facilitation -----------------------------------------------------------------------

feedback_given = _signals.signal(
    "feedback-given",
    doc="""A participant gave (or changed) their feedback on a module session.

    sender: the ``ModuleFeedback``.
    user: the participant (``User``).
    created: ``True`` the first time, ``False`` when they changed their answers.
    """,
)

cohort_created = _signals.signal(
    "cohort-created",
    doc="""A facilitator (or an administrator) created a cohort of a programme.

    sender: the ``Cohort`` (with its dated sessions and task windows).
    created_by: the ``User``, or ``None`` from the command line or demo data.
    """,
)

cohort_rescheduled = _signals.signal(
    "cohort-rescheduled",
    doc="""A facilitator moved a module session (and, optionally, everything after it).

    sender: the ``Cohort``.
    moved_by: the ``User`` (or ``None``).
    cohort_module: the session that was moved.
    days: how many days it moved (negative: earlier).
    shift_later: whether later sessions and task windows moved with it.
    """,
)

user_enrolled = _signals.signal(
    "user-enrolled",
    doc="""Someone was given a role in a cohort (by a facilitator, a CSV import or the CLI).

    sender: the ``Enrolment``.
    enrolled_by: the ``User`` who did it, or ``None``.
    """,
)
