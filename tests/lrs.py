"""A real, spec-strict LRS for the tests: Learning Locker's statement service (npm
``xapi-statements@5.0.1``, installed in ``tests/node`` by ``make node-tools``), and a small fault
proxy to put in front of it.

:class:`TestLRS` starts it on 127.0.0.1 (``tests/node/bind-localhost.js`` keeps it off other
interfaces) and a free port, from a temporary directory (it writes ``./storage`` and reads
``.env`` there), with its in-memory store. It checks real HTTP Basic credentials: the service's
``AUTH_REPO=fetch`` asks a client-info endpoint about every request's ``Authorization`` header,
and :class:`ClientInfo` (a tiny server in this process) answers for one writer and one
read-only client, and 404 (so the LRS answers 401) for anything else. The read-only client gets
403 when it tries to write.

:class:`FaultProxy` forwards to the LRS or, on demand, answers 500, hangs, or passes a request on
and then hangs (the LRS has stored the batch, the sender never hears so).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import urllib3

NODE_DIR = Path(__file__).parent / "node"
SERVICE = NODE_DIR / "node_modules" / "xapi-statements" / "dist" / "index.js"
BIND_LOCALHOST = NODE_DIR / "bind-localhost.js"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}

WRITER = ("insights-lms", "lrs-test-secret")
READER = ("read-only", "reader-secret")


class LrsUnavailable(RuntimeError):
    """The test LRS cannot run here (no node, or ``make node-tools`` not run)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# --- the client-info endpoint the LRS asks about credentials ---------------------------------


def _client(title: str, scopes: list[str]) -> dict[str, Any]:
    return {
        "_id": "5f0000000000000000000001",
        "title": title,
        "authority": {"objectType": "Agent", "mbox": "mailto:lrs-client@example.org"},
        "isTrusted": True,
        "lrs_id": "5f0000000000000000000002",
        "organisation": "5f0000000000000000000003",
        "scopes": scopes,
    }


class ClientInfo:
    """Answers ``GET /client`` with the client for known credentials, 404 otherwise."""

    def __init__(self) -> None:
        #: ``Authorization`` header -> client; a test may change it (the LRS asks every time).
        self.clients: dict[str, dict[str, Any]] = {}
        self.reset()
        info = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                client = info.clients.get(self.headers.get("Authorization", ""))
                body = json.dumps(client).encode() if client else b"{}"
                self.send_response(200 if client else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        """Back to the one writer and one read-only client."""
        self.clients.clear()
        self.clients.update(
            {
                basic(*WRITER): _client("Insights LMS", ["all"]),
                basic(*READER): _client("Read-only", ["statements/read"]),
            }
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/client"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# --- the LRS ---------------------------------------------------------------------------------


class TestLRS:
    """Start with :meth:`start`; :meth:`stop` takes it down (its store is lost), :meth:`start`
    again brings a fresh one back on the same port."""

    __test__ = False  # not a test class, despite the name

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise LrsUnavailable("node is not installed (the test LRS runs on Node 20)")
        if not SERVICE.exists():
            raise LrsUnavailable(f"{SERVICE} is missing: run `make node-tools`")
        self.node = node
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="insights-lrs-"))
        self.client_info = ClientInfo()
        self.process: subprocess.Popen[bytes] | None = None
        self.http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(5, 30))
        #: Statements stored at or before this instant belong to earlier tests (see fresh()).
        self.since: str | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def log_path(self) -> Path:
        return self.root / "lrs.log"

    def start(self, timeout: float = 30.0) -> TestLRS:
        self.since = None  # a new process has an empty store
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root),
            "MODELS_REPO": "memory",
            "STORAGE_REPO": "local",
            "AUTH_REPO": "fetch",
            "LL_CLIENT_INFO_ENDPOINT": self.client_info.url,
            "EVENTS_REPO": "test",
            "EXPRESS_PORT": str(self.port),
            "WINSTON_CONSOLE_LEVEL": "error",
            "NODE_NO_WARNINGS": "1",
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.node, "--require", str(BIND_LOCALHOST), str(SERVICE)],
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LrsUnavailable(f"the test LRS exited: {self._log_tail()}")
            try:
                if self.get("about").status == 200:
                    return self
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise LrsUnavailable(f"the test LRS did not answer within {timeout} s: {self._log_tail()}")

    def fresh(self) -> TestLRS:
        """Make the running LRS look fresh to the next test: the default clients again and
        :meth:`all_statements` limited to what is stored from now on (the store is in
        memory; statement ids are random UUIDs, so earlier tests' statements never clash).
        Starts the LRS again if a test stopped it."""
        self.client_info.reset()
        if self.process is None or self.process.poll() is not None:
            self.process = None
            self.start()
            self.since = None
            return self
        time.sleep(0.002)  # stored timestamps have millisecond precision
        self.since = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        time.sleep(0.002)
        return self

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the LRS (now refusing connections); its statements are gone."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        self.client_info.stop()
        self.http.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- reading it back ------------------------------------------------------------------

    def get(self, resource: str, credentials: tuple[str, str] = WRITER) -> Any:
        url = resource if resource.startswith("http") else self.endpoint + resource
        headers = {**XAPI_HEADERS, "Authorization": basic(*credentials)}
        return self.http.request("GET", url, headers=headers)

    def post(self, statements: list[dict[str, Any]], credentials: tuple[str, str] = WRITER) -> Any:
        headers = {
            **XAPI_HEADERS,
            "Authorization": basic(*credentials),
            "Content-Type": "application/json",
        }
        return self.http.request(
            "POST", self.endpoint + "statements", body=json.dumps(statements), headers=headers
        )

    def statement(self, statement_id: str, *, voided: bool = False) -> dict[str, Any] | None:
        """One statement by id (``voided``: one that a later statement voided), or None."""
        key = "voidedStatementId" if voided else "statementId"
        response = self.get(f"statements?{key}={quote(statement_id)}")
        if response.status == 404:
            return None
        assert response.status == 200, (response.status, response.data[:500])
        data: dict[str, Any] = response.json()
        return data

    def all_statements(self) -> list[dict[str, Any]]:
        """Every statement a query returns (voided ones excluded, as xAPI says), all pages."""
        found: list[dict[str, Any]] = []
        resource = "statements?limit=500&ascending=true"
        if self.since:
            resource += f"&since={quote(self.since)}"
        while resource:
            response = self.get(resource)
            assert response.status == 200, (response.status, response.data[:500])
            page = response.json()
            found += page["statements"]
            more = page.get("more") or ""
            resource = f"http://127.0.0.1:{self.port}{more}" if more else ""
        return found


def start_lrs() -> TestLRS:
    lrs = TestLRS()
    try:
        return lrs.start()
    except BaseException:
        lrs.close()
        raise


# --- the fault proxy -------------------------------------------------------------------------


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 in front of the LRS whose behaviour a test sets:

    - ``"pass"``: forward every request and its answer unchanged;
    - ``"error"``: answer 500 without forwarding;
    - ``"hang"``: read the request, forward nothing, answer nothing until :meth:`release`;
    - ``"store-then-hang"``: forward the request (the LRS stores it), then hang the same way.

    ``delay`` (seconds) slows every request down, so that several workers overlap. ``posts``
    lists the statement ids of every POST it received, in order.
    """

    def __init__(self, target_port: int) -> None:
        self.mode = "pass"
        self.delay = 0.0
        self.posts: list[list[str]] = []
        self.request_seen = threading.Event()
        self._release = threading.Event()
        upstream = urllib3.HTTPConnectionPool("127.0.0.1", target_port, maxsize=8, retries=False)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.command == "POST":
                    proxy.posts.append([s.get("id") for s in json.loads(body or b"[]")])
                proxy.request_seen.set()
                if proxy.delay:
                    time.sleep(proxy.delay)
                mode = proxy.mode
                if mode == "error":
                    self._answer(500, b'{"message":"injected failure"}', "application/json")
                    return
                if mode == "store-then-hang":
                    self._forward(body)
                if mode in ("hang", "store-then-hang"):
                    proxy._release.wait(60)
                    self.close_connection = True
                    return
                status, data, content_type = self._forward(body)
                self._answer(status, data, content_type)

            def _forward(self, body: bytes) -> tuple[int, bytes, str]:
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                response = upstream.urlopen(
                    self.command, self.path, body=body or None, headers=headers, timeout=30
                )
                return response.status, response.data, response.headers.get("Content-Type", "")

            def _answer(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The sender may have given up waiting (its read timeout): nothing to tell.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/xAPI/"

    def set(self, mode: str) -> None:
        """Switch behaviour; leaving a hanging mode ends the requests still hanging."""
        assert mode in ("pass", "error", "hang", "store-then-hang"), mode
        if mode in ("hang", "store-then-hang"):
            self._release.clear()
        else:
            self._release.set()
        self.request_seen.clear()
        self.mode = mode

    def sent_ids(self) -> Iterator[str]:
        for batch in self.posts:
            yield from batch

    def release(self) -> None:
        """End every hanging request (their connections close with no answer)."""
        self._release.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
