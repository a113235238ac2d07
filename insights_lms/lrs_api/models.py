"""API clients: the credentials an LRS integration pulls statements with (HTTP Basic)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column


class XapiClientScope(StrEnum):
    """What a client may do with the Statement API."""

    #: Pull statements (``GET /xapi/statements``).
    READ = "read"
    #: Reserved for writing statements; the API is read-only today, so it reads only.
    READ_WRITE = "read_write"


class XapiClient(Base):
    """One set of credentials. The ``name`` is the key (the Basic-auth username); only a scrypt
    hash of the secret is kept, so a lost secret is replaced, never recovered."""

    __tablename__ = "lms_xapi_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(255))
    scope: Mapped[XapiClientScope] = mapped_column(
        enum_column(XapiClientScope), default=XapiClientScope.READ
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_dt: Mapped[dt.datetime | None]

    def __repr__(self) -> str:
        return f"<XapiClient {self.name} {self.scope}>"
