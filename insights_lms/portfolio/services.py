"""What goes into a participant's progress portfolio, who may download it, and its options.

:func:`build_portfolio` gathers everything the PDF shows (a fixed number of queries, none per
item) into plain dataclasses that the template ``lms/portfolio/portfolio.html`` reads; nothing
in the template queries the database. Sections fed by other features (the developmental
conversation log, goldfish-bowl challenges, case studies) come from the providers listed in
:mod:`insights_lms.portfolio.sections`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager, selectinload

from insights_lms.attendance.services import ModuleRecord, participant_module_records
from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortTask, Enrolment
from insights_lms.cohorts.services import coach_of, cohorts_facilitated_by, participant_enrolments
from insights_lms.cohorts.timeline import Timeline, cohort_timeline
from insights_lms.competencies.models import Competency, Domain, Level
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.evidence.models import Evidence, EvidenceFile, EvidenceReview
from insights_lms.evidence.reviews import review_status
from insights_lms.evidence.services import evidence_of
from insights_lms.portfolio.sections import extra_sections
from insights_lms.progress.services import participant_enrolment_for_viewer
from insights_lms.ratings.services import (
    RATERS,
    ChartRow,
    CompetencyRatings,
    Rater,
    RatingEntry,
    ratings_overview,
)
from insights_lms.tasks.models import TaskResponse
from insights_lms.tasks.services import TaskState, task_state

#: How each rater is named in the portfolio (in the ratings chart's order).
RATER_LABELS = {
    Rater.SELF: "Self-assessment",
    Rater.COACH: "Coach",
    Rater.FACILITATOR: "Facilitator",
    Rater.AGREED: "Agreed in conversation",
}
SHORT_LABELS = {
    Rater.SELF: "Self",
    Rater.COACH: "Coach",
    Rater.FACILITATOR: "Facilitator",
    Rater.AGREED: "Agreed",
}


class PortfolioError(DomainError):
    """The download options cannot be used; ``field`` names the form field at fault."""


@dataclass(frozen=True)
class PortfolioOptions:
    """What to include: a date range (inclusive, local dates), some competencies, files."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: Competency ids to include; ``None`` means every competency of the framework.
    competency_ids: frozenset[int] | None = None
    embed_attachments: bool = False

    def covers(self, day: dt.date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (
            self.date_to is None or day <= self.date_to
        )

    @property
    def is_filtered(self) -> bool:
        return (
            self.date_from is not None
            or self.date_to is not None
            or self.competency_ids is not None
        )


def check_options(
    enrolment: Enrolment,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    competency_ids: Iterable[int] | None = None,
    embed_attachments: bool = False,
) -> PortfolioOptions:
    """Validated options for this participant's portfolio (``competency_ids=None``: all)."""
    if date_from and date_to and date_from > date_to:
        raise PortfolioError(
            "The start of the date range must be on or before its end.", "date_from"
        )
    chosen: frozenset[int] | None = None
    if competency_ids is not None:
        chosen = frozenset(competency_ids)
        known = {c.id for c in enrolment.cohort.programme.framework.competencies}
        if not chosen:
            raise PortfolioError("Choose at least one competency to include.", "competencies")
        if not chosen <= known:
            raise PortfolioError(
                "Choose competencies from the programme's framework.", "competencies"
            )
        if chosen == known:
            chosen = None
    return PortfolioOptions(date_from, date_to, chosen, embed_attachments)


# --- who may download what ---------------------------------------------------------------

#: The participant, their coach in that cohort and the cohort's facilitators (and site
#: administrators) may download a portfolio: the same people who may see the progress map.
enrolment_for_viewer = participant_enrolment_for_viewer


@dataclass(frozen=True)
class Downloadable:
    """What the portfolio page offers one user: portfolios by cohort, and cohort reports."""

    own: list[Enrolment]
    coached: list[Enrolment]
    facilitated: list[tuple[Cohort, list[Enrolment]]]

    @property
    def is_empty(self) -> bool:
        return not (self.own or self.coached or self.facilitated)


def _participants(cohort: Cohort) -> list[Enrolment]:
    enrolments = [e for e in cohort.enrolments if e.role == CohortRole.PARTICIPANT]
    return sorted(enrolments, key=lambda e: (e.user.name.casefold(), e.user.id))


def downloadable(session: Session, user: User) -> Downloadable:
    """Every portfolio and cohort report ``user`` may download."""
    coached_ids = {
        (a.cohort_id, a.participant_id)
        for a in session.scalars(
            sa.select(CoachAssignment).where(CoachAssignment.coach_id == user.id)
        )
    }
    coached: list[Enrolment] = []
    if coached_ids:
        coached = list(
            session.scalars(
                sa.select(Enrolment)
                .join(Enrolment.user)
                .where(
                    Enrolment.role == CohortRole.PARTICIPANT,
                    sa.tuple_(Enrolment.cohort_id, Enrolment.user_id).in_(coached_ids),
                )
                .order_by(User.name, User.id)
                .options(contains_eager(Enrolment.user), *_cohort_and_programme())
            )
        )
    facilitated = [(c, _participants(c)) for c in cohorts_facilitated_by(session, user)]
    own = participant_enrolments(session, user)
    if own:
        # What the page shows of each: the cohort and its programme.
        session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.id.in_([e.id for e in own]))
            .options(*_cohort_and_programme())
        ).all()
    return Downloadable(own, coached, facilitated)


def _cohort_and_programme() -> list[Any]:
    return [selectinload(Enrolment.cohort).selectinload(Cohort.programme)]


def _responses_with_challenges(session: Session, enrolment: Enrolment) -> dict[int, TaskResponse]:
    """The participant's task responses by cohort task id, with the school challenges they
    name (the portfolio prints them)."""
    rows = session.scalars(
        sa.select(TaskResponse)
        .where(TaskResponse.enrolment_id == enrolment.id)
        .options(selectinload(TaskResponse.challenges))
    )
    return {r.cohort_task_id: r for r in rows}


def option_domains(session: Session, enrolment: Enrolment) -> list[Domain]:
    """The domains of the enrolment's framework with their competencies (the options page's
    checkboxes), in order."""
    return list(
        session.scalars(
            sa.select(Domain)
            .where(Domain.framework_id == enrolment.cohort.programme.framework_id)
            .order_by(Domain.position)
            .options(selectinload(Domain.competencies))
        )
    )


def cohort_for_facilitator(session: Session, viewer: User, cohort_code: str) -> Cohort | None:
    """The cohort if ``viewer`` facilitates it (or is an administrator), else None."""
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == cohort_code))
    if cohort is None or not can_facilitate(session, viewer, cohort):
        return None
    return cohort


# --- the portfolio -----------------------------------------------------------------------


@dataclass(frozen=True)
class RaterHistory:
    """One rater's ratings of one competency in the portfolio's date range, oldest first.

    Notes are printed: a rating's note is shared with the participant (``ratings.services``).
    """

    rater: Rater
    label: str
    steps: list[RatingEntry]

    @property
    def latest(self) -> RatingEntry | None:
        return self.steps[-1] if self.steps else None


@dataclass(frozen=True)
class EvidenceEntry:
    """A piece of evidence in the portfolio; ``number`` is its reference, E1, E2…"""

    evidence: Evidence
    number: int
    status: str
    #: Every review, oldest first (the coach's comments are shared with the participant).
    reviews: list[EvidenceReview]

    @property
    def ref(self) -> str:
        return f"E{self.number}"

    @property
    def anchor(self) -> str:
        return f"evidence-{self.number}"

    @property
    def images(self) -> list[EvidenceFile]:
        return [f for f in self.evidence.files if f.is_image and f.thumbnail_key]

    @property
    def files(self) -> list[EvidenceFile]:
        return list(self.evidence.files)


@dataclass
class CompetencySection:
    competency: Competency
    #: (level, what that level looks like for this competency), lowest first.
    descriptors: list[tuple[Level, str]]
    raters: list[RaterHistory]
    #: Evidence described in full in this section.
    evidence: list[EvidenceEntry] = field(default_factory=list)
    #: Evidence tagged here too but described in full in an earlier section.
    see_also: list[tuple[EvidenceEntry, Competency]] = field(default_factory=list)
    tasks: list[tuple[CohortTask, TaskState]] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "competency-" + self.competency.code.replace(".", "-")

    @property
    def evidence_count(self) -> int:
        return len(self.evidence) + len(self.see_also)

    def latest(self, rater: Rater | str) -> RatingEntry | None:
        for history in self.raters:
            if history.rater == rater:
                return history.latest
        return None

    def marks(self, level: Level) -> list[str]:
        """The raters whose latest rating is ``level`` (to mark it in the descriptors)."""
        return [
            SHORT_LABELS[h.rater]
            for h in self.raters
            if h.latest is not None and h.latest.level.id == level.id
        ]

    @property
    def chart_row(self) -> ChartRow:
        """This competency's row of ``ratings_chart`` (latest level of each rater)."""
        latest = {rater: self.latest(rater) for rater in RATERS}
        return ChartRow(
            code=self.competency.code,
            title=self.competency.title,
            self=_value(latest[Rater.SELF]),
            coach=_value(latest[Rater.COACH]),
            facilitator=_value(latest[Rater.FACILITATOR]),
            agreed=_value(latest[Rater.AGREED]),
        )


def _value(entry: RatingEntry | None) -> int | None:
    return entry.level.value if entry is not None else None


@dataclass(frozen=True)
class TaskEntry:
    window: CohortTask
    state: TaskState
    response: TaskResponse | None
    evidence: list[EvidenceEntry]

    @property
    def anchor(self) -> str:
        return f"task-{self.window.id}"


@dataclass(frozen=True)
class KeyFigures:
    modules_completed: int
    modules_total: int
    tasks_submitted: int
    tasks_total: int
    evidence_items: int
    competencies_with_evidence: int
    competencies_total: int
    self_assessments: int


@dataclass
class Portfolio:
    """Everything the portfolio template prints, for one participant enrolment."""

    enrolment: Enrolment
    options: PortfolioOptions
    printed_dt: dt.datetime
    coach: User | None
    figures: KeyFigures
    levels: list[Level]
    timeline: Timeline
    module_records: dict[int, ModuleRecord]
    domains: list[tuple[Domain, list[CompetencySection]]]
    tasks: list[TaskEntry]
    evidence: list[EvidenceEntry]
    #: Sections provided by other features (see :mod:`insights_lms.portfolio.sections`):
    #: ``conversations``, ``challenges``, ``case_studies``; a missing key: no such section.
    extra: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def participant(self) -> User:
        return self.enrolment.user

    @property
    def cohort(self) -> Cohort:
        return self.enrolment.cohort

    @property
    def time_zone(self) -> str:
        return self.enrolment.cohort.programme.time_zone

    @property
    def max_level(self) -> int:
        return max((level.value for level in self.levels), default=0)

    @property
    def level_titles(self) -> dict[int, str]:
        return {level.value: level.title for level in self.levels}

    @property
    def chart_rows(self) -> list[ChartRow]:
        """The rows for ``ratings_chart(rows, max_level)``: one per included competency."""
        return [section.chart_row for section in self.sections]

    @property
    def sections(self) -> list[CompetencySection]:
        return [s for _, sections in self.domains for s in sections]

    @property
    def title(self) -> str:
        return f"Progress portfolio: {self.participant.name}"

    def in_range(self, value: dt.datetime) -> bool:
        """Whether a moment falls in the date range (on the programme's local calendar)."""
        return self.options.covers(_local_day(value, ZoneInfo(self.time_zone)))

    @property
    def period(self) -> str:
        """The date range in words, or "" for the whole programme."""
        fmt = "%-d %b %Y"
        start, end = self.options.date_from, self.options.date_to
        if start and end:
            return f"{start.strftime(fmt)} to {end.strftime(fmt)}"
        if start:
            return f"From {start.strftime(fmt)}"
        if end:
            return f"Up to {end.strftime(fmt)}"
        return ""


def _local_day(value: dt.datetime, zone: ZoneInfo) -> dt.date:
    return value.astimezone(zone).date()


def _rater_histories(ratings: CompetencyRatings | None, keep: Any) -> list[RaterHistory]:
    return [
        RaterHistory(
            rater,
            RATER_LABELS[rater],
            [e for e in (ratings.history[rater] if ratings else []) if keep(e.rated_dt)],
        )
        for rater in RATERS
    ]


def _reviews_by_evidence(
    session: Session, evidence_ids: Sequence[int]
) -> dict[int, list[EvidenceReview]]:
    found: dict[int, list[EvidenceReview]] = defaultdict(list)
    if not evidence_ids:
        return found
    for review in session.scalars(
        sa.select(EvidenceReview)
        .where(EvidenceReview.evidence_id.in_(list(evidence_ids)))
        .options(selectinload(EvidenceReview.reviewer))
        .order_by(EvidenceReview.reviewed_dt, EvidenceReview.id)
    ):
        found[review.evidence_id].append(review)
    return found


def build_portfolio(
    session: Session,
    enrolment: Enrolment,
    options: PortfolioOptions | None = None,
    now: dt.datetime | None = None,
) -> Portfolio:
    """The portfolio of one participant enrolment with these options."""
    options = options or PortfolioOptions()
    now = now or utcnow()
    cohort = enrolment.cohort
    programme = cohort.programme
    framework = programme.framework
    zone = ZoneInfo(programme.time_zone)
    levels = list(framework.scale.levels)

    def keep(value: dt.datetime) -> bool:
        return options.covers(_local_day(value, zone))

    included = [
        c
        for c in framework.competencies
        if options.competency_ids is None or c.id in options.competency_ids
    ]
    included_ids = {c.id for c in included}

    # Evidence, oldest first, numbered E1… in the order a reader meets it in time.
    items = [e for e in evidence_of(session, enrolment) if options.covers(e.occurred_on)]
    items = [e for e in items if any(c.id in included_ids for c in e.competencies)]
    items.sort(key=lambda e: (e.occurred_on, e.id))
    reviews = _reviews_by_evidence(session, [e.id for e in items])
    entries = [
        EvidenceEntry(
            e,
            n,
            review_status(e, reviews[e.id][-1] if reviews.get(e.id) else None),
            reviews.get(e.id, []),
        )
        for n, e in enumerate(items, start=1)
    ]
    by_evidence_id = {entry.evidence.id: entry for entry in entries}

    overview = ratings_overview(session, enrolment)
    responses = _responses_with_challenges(session, enrolment)
    windows = sorted(cohort.task_windows, key=lambda w: w.opens_at)
    states = {w.id: task_state(w, responses.get(w.id), now) for w in windows}

    sections: dict[int, CompetencySection] = {}
    for competency in included:
        sections[competency.id] = CompetencySection(
            competency,
            [(level, competency.descriptor_for(level)) for level in levels],
            _rater_histories(overview.for_competency(competency.id), keep),
            tasks=[(w, states[w.id]) for w in windows if competency in w.task.competencies],
            modules=[
                cm.module.title
                for cm in sorted(cohort.cohort_modules, key=lambda s: s.module.sequence)
                if competency in cm.module.competencies
            ],
        )
    order = {c.id: i for i, c in enumerate(included)}
    for entry in entries:
        tagged = sorted(
            (c for c in entry.evidence.competencies if c.id in sections), key=lambda c: order[c.id]
        )
        home = tagged[0]
        sections[home.id].evidence.append(entry)
        for other in tagged[1:]:
            sections[other.id].see_also.append((entry, home))

    domains = [
        (
            domain,
            [
                sections[c.id]
                for c in framework.competencies
                if c.domain_id == domain.id and c.id in sections
            ],
        )
        for domain in framework.domains
    ]
    domains = [(domain, rows) for domain, rows in domains if rows]

    task_entries = []
    for window in windows:
        response = responses.get(window.id)
        stamp = None
        if response is not None:
            stamp = response.submitted_dt or response.updated_dt
        if response is not None and stamp is not None and not keep(stamp):
            response = None
        linked = [
            by_evidence_id[e.id]
            for e in (response.evidence if response else [])
            if e.id in by_evidence_id
        ]
        task_entries.append(TaskEntry(window, states[window.id], response, linked))

    records = participant_module_records(session, enrolment.user, cohort, now)
    timeline = cohort_timeline(cohort, now)
    section_list = [s for _, rows in domains for s in rows]
    figures = KeyFigures(
        modules_completed=sum(1 for r in records.values() if r.completion is not None),
        modules_total=len(cohort.cohort_modules),
        tasks_submitted=sum(1 for r in responses.values() if r.is_submitted),
        tasks_total=len(windows),
        evidence_items=len(entries),
        competencies_with_evidence=sum(1 for s in section_list if s.evidence_count),
        competencies_total=len(section_list),
        # One self-assessment rates several competencies at one moment.
        self_assessments=len(
            {
                step.rated_dt
                for s in section_list
                for h in s.raters
                if h.rater == Rater.SELF
                for step in h.steps
            }
        ),
    )
    portfolio = Portfolio(
        enrolment=enrolment,
        options=options,
        printed_dt=now,
        coach=coach_of(session, cohort, enrolment.user),
        figures=figures,
        levels=levels,
        timeline=timeline,
        module_records=records,
        domains=domains,
        tasks=task_entries,
        evidence=entries,
    )
    portfolio.extra = extra_sections(session, portfolio)
    return portfolio
