"""Reading the competency framework."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.competencies.models import Competency, Framework
from insights_lms.programmes.models import Module, PracticalTask, Programme


def list_frameworks(session: Session) -> list[Framework]:
    return list(session.scalars(sa.select(Framework).order_by(Framework.title)))


def get_framework(session: Session, code: str) -> Framework | None:
    return session.scalar(sa.select(Framework).where(Framework.code == code))


def get_competency(session: Session, framework: Framework, code: str) -> Competency | None:
    return session.scalar(
        sa.select(Competency).where(
            Competency.framework_id == framework.id, Competency.code == code
        )
    )


def modules_for(session: Session, competency: Competency) -> list[Module]:
    """Modules (of any programme) that develop this competency, in programme order."""
    return list(
        session.scalars(
            sa.select(Module)
            .join(Module.programme)
            .where(Module.competencies.contains(competency))
            .order_by(Programme.code, Module.sequence)
        )
    )


def tasks_for(session: Session, competency: Competency) -> list[PracticalTask]:
    return list(
        session.scalars(
            sa.select(PracticalTask)
            .join(PracticalTask.after_module)
            .where(PracticalTask.competencies.contains(competency))
            .order_by(Module.sequence)
        )
    )
