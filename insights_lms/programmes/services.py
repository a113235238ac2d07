"""Looking up the programme's own content (modules by code)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.programmes.models import Module, Programme


def get_module(session: Session, programme_code: str, module_code: str) -> Module | None:
    return session.scalar(
        sa.select(Module)
        .join(Module.programme)
        .where(Programme.code == programme_code, Module.code == module_code)
    )
