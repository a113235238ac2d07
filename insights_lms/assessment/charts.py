"""The geometry of the self-rating chart, for ``templates/lms/assessment/_chart.html``.

One small panel per rated competency (small multiples: ten lines on one four-level grid would
hide each other), all sharing the same x axis, the participant's self-assessments in time
order, so that the panels line up. The template turns this into plain inline SVG (no script,
no external resources), which browsers and WeasyPrint both draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from insights_lms.assessment.models import AssessmentOccasion, SelfRating
from insights_lms.assessment.services import framework_competencies, rating_history
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.programmes.models import Module

WIDTH = 320
HEIGHT = 184
LEFT, RIGHT, TOP, BOTTOM = 104, 12, 12, 46
#: Beyond this many occasions the axis labels are slanted so that they do not overlap.
SLANT_AFTER = 5


@dataclass(frozen=True)
class Column:
    """One self-assessment (a submission) on the x axis."""

    x: float
    rated_dt: dt.datetime
    occasion: AssessmentOccasion
    module: Module | None
    label: str
    short_label: str

    @property
    def phrase(self) -> str:
        """The occasion inside a sentence: "at the start", "after Launch", "at the end"."""
        if self.module is not None:
            return f"after {self.module.title}"
        return self.label[0].lower() + self.label[1:]


@dataclass(frozen=True)
class Row:
    """One level of the scale on the y axis."""

    y: float
    level: Level

    @property
    def label(self) -> str:
        return f"{self.level.value} {self.level.title}"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    column: Column
    rating: SelfRating


@dataclass(frozen=True)
class Series:
    """A competency's self-ratings as points, oldest first; ``cells`` align with the columns."""

    competency: Competency
    points: list[Point]
    cells: list[SelfRating | None]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)

    @property
    def summary(self) -> str:
        """The chart panel in words, for its SVG ``<title>``."""
        steps = "; ".join(f"{p.rating.level_label} {p.column.phrase}" for p in self.points)
        return f"{self.competency.code} {self.competency.title}: {steps}."


@dataclass(frozen=True)
class SelfRatingChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    columns: list[Column]
    rows: list[Row]
    series: list[Series]
    time_zone: str
    slant: bool

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def is_empty(self) -> bool:
        return not self.series


def _x_positions(count: int) -> list[float]:
    span = WIDTH - RIGHT - LEFT
    if count == 1:
        return [LEFT + span / 2]
    inset = 10.0
    step = (span - 2 * inset) / (count - 1)
    return [round(LEFT + inset + i * step, 1) for i in range(count)]


def _y_positions(levels: Sequence[Level]) -> dict[int, float]:
    span = HEIGHT - BOTTOM - TOP
    if len(levels) == 1:
        return {levels[0].id: TOP + span / 2}
    low, high = levels[0].value, levels[-1].value
    return {
        level.id: round(TOP + (high - level.value) * span / (high - low), 1) for level in levels
    }


def build_chart(
    history: Mapping[int, Sequence[SelfRating]],
    competencies: Sequence[Competency],
    levels: Sequence[Level],
    time_zone: str,
) -> SelfRatingChart:
    """The chart of ``history`` (competency id → ratings, as ``rating_history`` returns).

    Only rated competencies get a panel, in the order of ``competencies``.
    """
    levels = sorted(levels, key=lambda level: level.value)
    ratings = [r for cid in history for r in history[cid]]
    keys = sorted(
        {(r.rated_dt, r.occasion.value, r.module_id or 0) for r in ratings},
    )
    by_key = {(r.rated_dt, r.occasion.value, r.module_id or 0): r for r in ratings}
    columns = [
        Column(
            x,
            key[0],
            by_key[key].occasion,
            by_key[key].module,
            by_key[key].occasion_label,
            by_key[key].occasion_short_label,
        )
        for x, key in zip(_x_positions(len(keys)), keys, strict=True)
    ]
    index = {key: i for i, key in enumerate(keys)}
    ys = _y_positions(levels)
    series = []
    for competency in competencies:
        rated = history.get(competency.id)
        if not rated:
            continue
        cells: list[SelfRating | None] = [None] * len(columns)
        for rating in rated:  # oldest first: a later rating in the same column wins
            cells[index[(rating.rated_dt, rating.occasion.value, rating.module_id or 0)]] = rating
        points = [
            Point(columns[i].x, ys[r.level_id], columns[i], r)
            for i, r in enumerate(cells)
            if r is not None and r.level_id in ys
        ]
        series.append(Series(competency, points, cells))
    return SelfRatingChart(
        WIDTH,
        HEIGHT,
        LEFT,
        RIGHT,
        TOP,
        BOTTOM,
        columns,
        [Row(ys[level.id], level) for level in levels],
        series,
        time_zone,
        slant=len(columns) > SLANT_AFTER,
    )


def chart_for(session: Session, enrolment: Enrolment) -> SelfRatingChart:
    """The participant's self-rating chart in their cohort (for pages and the portfolio)."""
    programme = enrolment.cohort.programme
    return build_chart(
        rating_history(session, enrolment),
        framework_competencies(enrolment),
        programme.framework.scale.levels,
        programme.time_zone,
    )
