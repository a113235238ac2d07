"""HTTP to the LRS: a POST of a batch of statements, with timeouts, over a kept-alive connection.

tincan's ``RemoteLRS`` is not used for sending: it has no timeout (a silent LRS blocks a worker
for ever), opens a connection per request and fails on the bodyless 204 an LRS may answer. This
transport sends bytes it is given (the statements exactly as stored), never retries by itself
(retries, backoff and dead letters are the forwarder's decisions) and reports either the LRS's
answer or :class:`LrsUnreachable`.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from dataclasses import dataclass
from typing import Protocol

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from insights_lms.state import package_version

XAPI_VERSION = "1.0.3"
#: How much of an LRS's error body is kept (the part a person reads).
ERROR_TEXT_MAX = 2000


class LrsUnreachable(Exception):
    """No answer from the LRS: refused or failed connection, TLS failure or a timeout."""


@dataclass(frozen=True)
class LrsAnswer:
    """What the LRS answered to one POST."""

    status: int
    body: bytes
    #: Seconds the LRS asked us to wait (``Retry-After`` on a 429 or 503), if it did.
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        """200 with the ids, or 204 with no body (a batch the LRS already stored)."""
        return self.status in (200, 204)

    def error_text(self) -> str:
        """The LRS's explanation, for a person: its ``message`` or ``warnings`` when it sent
        JSON (as Learning Locker does), else the start of the body."""
        text = self.body.decode("utf-8", errors="replace").strip()
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            parts = [str(data["message"])] if data.get("message") else []
            warnings = data.get("warnings")
            if isinstance(warnings, list):
                parts += [str(w) for w in warnings]
            if parts:
                text = "; ".join(parts)
        summary = f"HTTP {self.status}" + (f": {text}" if text else "")
        return summary[:ERROR_TEXT_MAX]


class Transport(Protocol):
    """Sends one batch; the forwarder depends on this, tests may give it another one."""

    def post_statements(self, body: bytes) -> LrsAnswer: ...

    def close(self) -> None: ...


def statements_url(endpoint: str) -> str:
    """The Statements resource under an LRS endpoint such as ``https://lrs.example.org/xapi/``."""
    return (endpoint if endpoint.endswith("/") else endpoint + "/") + "statements"


class HttpTransport:
    """POSTs to ``<endpoint>/statements`` with HTTP Basic credentials and connect and read
    timeouts (the read timeout bounds each wait for data, so a hanging LRS costs at most that
    long). One pooled connection, reused between batches."""

    def __init__(
        self,
        endpoint: str,
        username: str | None,
        password: str | None,
        *,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self.url = statements_url(endpoint)
        self.read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
            "User-Agent": f"insights-lms/{package_version()}",
        }
        if username is not None or password is not None:
            basic = f"{username or ''}:{password or ''}"
            headers.update(urllib3.make_headers(basic_auth=basic))
        self._headers = headers
        self._pool = urllib3.PoolManager(
            num_pools=1,
            maxsize=1,
            retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        )

    def post_statements(self, body: bytes) -> LrsAnswer:
        try:
            response = self._pool.request(
                "POST", self.url, body=body, headers=self._headers, redirect=False
            )
        except HTTPError as exc:
            raise LrsUnreachable(self._describe(exc)) from exc
        return LrsAnswer(
            response.status, response.data, _retry_after(response.headers.get("Retry-After"))
        )

    def close(self) -> None:
        self._pool.clear()

    def _describe(self, exc: HTTPError) -> str:
        """A sentence an administrator can act on, without urllib3's object reprs."""
        # NewConnectionError is a subclass of ConnectTimeoutError: test it first.
        if isinstance(exc, NewConnectionError):
            reason = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc).rsplit(":", 1)[-1].strip())
            return f"cannot connect to the LRS at {self.url} ({reason or 'connection failed'})"
        if isinstance(exc, ConnectTimeoutError):
            return f"no connection to the LRS within {self.connect_timeout:g} s ({self.url})"
        if isinstance(exc, ReadTimeoutError):
            return f"the LRS did not answer within {self.read_timeout:g} s ({self.url})"
        if isinstance(exc, SSLError):
            return f"TLS failed with the LRS at {self.url} ({exc})"
        if isinstance(exc, ProtocolError):
            return f"the connection to the LRS at {self.url} broke ({exc.args[0]})"
        return f"cannot reach the LRS at {self.url} ({exc.__class__.__name__}: {exc})"


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
