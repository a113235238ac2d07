"""The competency checkboxes of a form, grouped by the framework's domains.

Forms that tag something to competencies (evidence, and the peer feature's challenges and case
studies) show every competency of the programme's framework under its domain. The outline is
read once in the view, as plain values, so that the template runs no SQL — even after a
refusal has rolled the request back and expired what the session had loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.competencies.models import Domain


@dataclass(frozen=True)
class CompetencyChoice:
    """One checkbox: the competency's id (its value), code and title."""

    id: int
    code: str
    title: str


@dataclass(frozen=True)
class DomainChoices:
    """A domain's heading and its competencies' checkboxes, in the framework's order."""

    code: str
    title: str
    competencies: tuple[CompetencyChoice, ...]


def competency_outline(session: Session, framework_id: int) -> list[DomainChoices]:
    """The framework's domains in order, each with its competencies in order."""
    domains = session.scalars(
        sa.select(Domain)
        .where(Domain.framework_id == framework_id)
        .options(selectinload(Domain.competencies))
        .order_by(Domain.position, Domain.id)
    )
    return [
        DomainChoices(
            d.code,
            d.title,
            tuple(CompetencyChoice(c.id, c.code, c.title) for c in d.competencies),
        )
        for d in domains
    ]
