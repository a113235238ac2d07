"""Creating, checking and deactivating the clients of the Statement API.

A client's name is its key (the Basic-auth username); its secret is shown once, when it is
made, and only a scrypt hash is kept. Checking a secret costs one scrypt (~0.1 s on purpose),
so a secret already verified against the client's current hash is remembered in this process
(by a keyed digest, never the secret itself): paging through statements then costs one scrypt,
not one per page. Changing a secret changes the hash, which forgets what was remembered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from insights_lms.auth.models import PASSWORD_METHOD
from insights_lms.db import utcnow
from insights_lms.errors import DomainError
from insights_lms.lrs_api.models import XapiClient, XapiClientScope

MIN_SECRET_LENGTH = 12
MAX_NAME_LENGTH = 100
# Letters, digits, dot, dash and underscore: no colon (it ends a Basic-auth username) and
# nothing a shell or URL would mangle.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: ``last_used_dt`` is written at most this often per client, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Compared against when the client is unknown or inactive, so that a wrong name takes as long
# as a wrong secret and does not reveal which clients exist.
_DUMMY_HASH = generate_password_hash("not-a-real-client-secret", method=PASSWORD_METHOD)
_VERIFIED_MAX = 256
# Keys digests of verified secrets in this process only; a restart forgets them.
_VERIFIED_KEY = secrets.token_bytes(32)
_verified: OrderedDict[tuple[str, bytes], None] = OrderedDict()
_verified_lock = threading.Lock()


class XapiClientError(DomainError):
    """A client cannot be created or changed as asked; the message says why."""


def generate_secret() -> str:
    """A random secret: 32 URL-safe characters (192 bits)."""
    return secrets.token_urlsafe(24)


def find_client(session: Session, name: str) -> XapiClient | None:
    return session.scalar(sa.select(XapiClient).where(XapiClient.name == name))


def create_client(
    session: Session,
    name: str,
    *,
    scope: XapiClientScope = XapiClientScope.READ,
    secret: str | None = None,
) -> tuple[XapiClient, str]:
    """Create a client; returns it and its secret (generated unless given), the only time the
    secret is available."""
    name = name.strip()
    if not name:
        raise XapiClientError("A client name is required.")
    if len(name) > MAX_NAME_LENGTH or not NAME_RE.match(name):
        raise XapiClientError(
            f"{name!r} is not a valid client name: use up to {MAX_NAME_LENGTH} letters, digits, "
            "dots, dashes or underscores, starting with a letter or digit."
        )
    if secret is None:
        secret = generate_secret()
    elif len(secret) < MIN_SECRET_LENGTH:
        raise XapiClientError(f"The secret must be at least {MIN_SECRET_LENGTH} characters long.")
    if find_client(session, name) is not None:
        raise XapiClientError(f"A client named {name} already exists.")
    client = XapiClient(
        name=name,
        scope=scope,
        secret_hash=generate_password_hash(secret, method=PASSWORD_METHOD),
    )
    session.add(client)
    session.flush()
    return client, secret


def _digest(secret: str) -> bytes:
    return hmac.new(_VERIFIED_KEY, secret.encode(), hashlib.sha256).digest()


def _secret_matches(secret_hash: str, secret: str) -> bool:
    key = (secret_hash, _digest(secret))
    with _verified_lock:
        if key in _verified:
            _verified.move_to_end(key)
            return True
    if not check_password_hash(secret_hash, secret):
        return False
    with _verified_lock:
        _verified[key] = None
        if len(_verified) > _VERIFIED_MAX:
            _verified.popitem(last=False)
    return True


def authenticate(
    session: Session, name: str, secret: str, now: dt.datetime | None = None
) -> XapiClient | None:
    """The active client with this name and secret, or ``None``. An unknown name, a
    deactivated client and a wrong secret are indistinguishable, in answer and in time."""
    client = find_client(session, name) if name else None
    if client is None or not client.is_active:
        check_password_hash(_DUMMY_HASH, secret)
        return None
    if not _secret_matches(client.secret_hash, secret):
        return None
    now = now or utcnow()
    if client.last_used_dt is None or now - client.last_used_dt >= LAST_USED_RESOLUTION:
        client.last_used_dt = now
        session.flush()
    return client


def deactivate_client(session: Session, client: XapiClient) -> XapiClient:
    """Refuse the client's credentials from now on (the record is kept)."""
    client.is_active = False
    session.flush()
    return client
