"""Reading the competency framework, with what its pages show loaded up front."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from insights_lms.competencies.models import Competency, Domain, Framework, Scale


def list_frameworks(session: Session) -> list[Framework]:
    return list(session.scalars(sa.select(Framework).order_by(Framework.title)))


def _scale_levels() -> LoaderOption:
    return selectinload(Framework.scale).selectinload(Scale.levels)


def get_framework(session: Session, code: str) -> Framework | None:
    """The framework with its scale's levels."""
    return session.scalar(
        sa.select(Framework).where(Framework.code == code).options(_scale_levels())
    )


def _outline() -> list[LoaderOption]:
    return [
        _scale_levels(),
        selectinload(Framework.domains)
        .selectinload(Domain.competencies)
        .selectinload(Competency.descriptors),
    ]


def framework_outline(session: Session, code: str) -> Framework | None:
    """The framework as its pages show it: the scale's levels, the domains, and each domain's
    competencies with their level descriptors."""
    return session.scalar(sa.select(Framework).where(Framework.code == code).options(*_outline()))


def load_outline(session: Session, framework: Framework | int) -> Framework:
    """``framework`` (or the framework with that id) with its outline (as
    :func:`framework_outline`) and its flat list of competencies loaded."""
    framework_id = framework if isinstance(framework, int) else framework.id
    loaded = session.scalar(
        sa.select(Framework)
        .where(Framework.id == framework_id)
        .options(*_outline(), selectinload(Framework.competencies))
    )
    assert loaded is not None
    return loaded


def get_competency(session: Session, framework: Framework, code: str) -> Competency | None:
    """A competency of ``framework`` with its domain, parent, children and descriptors."""
    return session.scalar(
        sa.select(Competency)
        .where(Competency.framework_id == framework.id, Competency.code == code)
        .options(
            selectinload(Competency.domain),
            selectinload(Competency.parent),
            selectinload(Competency.children),
            selectinload(Competency.descriptors),
        )
    )
