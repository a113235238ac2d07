"""Looking up the programme's own content: modules by code, and where a competency is
developed (the modules and practical tasks mapped to it)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.competencies.models import Competency
from insights_lms.programmes.models import Module, PracticalTask, Programme


def get_module(session: Session, programme_code: str, module_code: str) -> Module | None:
    return session.scalar(
        sa.select(Module)
        .join(Module.programme)
        .where(Programme.code == programme_code, Module.code == module_code)
    )


def module_outline(session: Session, programme_code: str, module_code: str) -> Module | None:
    """The module as its page shows it: its programme (and framework), activities,
    competencies, and the practical task after it with that task's competencies."""
    return session.scalar(
        sa.select(Module)
        .join(Module.programme)
        .where(Programme.code == programme_code, Module.code == module_code)
        .options(
            selectinload(Module.programme).selectinload(Programme.framework),
            selectinload(Module.activities),
            selectinload(Module.competencies),
            selectinload(Module.task_after).selectinload(PracticalTask.competencies),
        )
    )


def modules_for(session: Session, competency: Competency) -> list[Module]:
    """Modules (of any programme) that develop this competency, in programme order, with
    their programme."""
    return list(
        session.scalars(
            sa.select(Module)
            .join(Module.programme)
            .where(Module.competencies.contains(competency))
            .order_by(Programme.code, Module.sequence)
            .options(selectinload(Module.programme))
        )
    )


def tasks_for(session: Session, competency: Competency) -> list[PracticalTask]:
    """Practical tasks mapped to this competency, in module order, with the module each
    follows."""
    return list(
        session.scalars(
            sa.select(PracticalTask)
            .join(PracticalTask.after_module)
            .where(PracticalTask.competencies.contains(competency))
            .order_by(Module.sequence)
            .options(selectinload(PracticalTask.after_module))
        )
    )
