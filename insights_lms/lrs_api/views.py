"""The Statement API (``/xapi/statements``, ``/xapi/about``): the app as a read-only LRS.

Clients authenticate with HTTP Basic credentials made by ``lms xapi create-client`` and nothing
else: a signed-in browser session does not count, so there is no CSRF to guard against and the
statements endpoint is exempt from the LMS's CSRF check. Every answer is JSON, errors included
(``{"error": "…"}``), with ``X-Experience-API-Version: 1.0.3``.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn, cast

from flask import Blueprint, Flask, Response, g, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from insights_lms.db import session
from insights_lms.lrs_api import query as queries
from insights_lms.lrs_api.models import XapiClient, XapiClientScope
from insights_lms.lrs_api.params import StatementQuery
from insights_lms.lrs_api.services import authenticate
from insights_lms.state import csrf_exempt, settings
from insights_lms.web import keep_despite_error_status
from insights_lms.xapi.models import XapiStatement

bp = Blueprint("lrs_api", __name__, url_prefix="/xapi")

VERSION = "1.0.3"
REALM = "Insights LMS xAPI"
# "1.0" and every 1.0.x are answered as 1.0.3; anything else is refused (part three,
# "Versioning").
_ACCEPTED_VERSION = re.compile(r"^1\.0(\.[0-9]+)?$")
_READ_METHODS = "GET, HEAD"
_UNAUTHENTICATED = ("about",)


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with ``status`` (and ``headers``)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _fail(status: int, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    raise ApiError(status, message, headers)


@bp.record
def _exempt_from_csrf(state: BlueprintSetupState) -> None:
    # The endpoint's full name depends on where the blueprint is mounted ("lms.lrs_api…").
    name = f"{state.name_prefix}.{state.name}".lstrip(".")
    with cast(Flask, state.app).app_context():
        csrf_exempt(f"{name}.write_statements")


def _json(body: Any, status: int = 200) -> Response:
    # json.dumps rather than jsonify: jsonify sorts keys, and a statement reads best as written.
    return Response(json.dumps(body), status=status, mimetype="application/json")


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    response = _json({"error": error.message}, error.status)
    response.headers.update(error.headers)
    return response


def _http_error(error: HTTPException) -> Response:
    response = _json({"error": error.description}, error.code or 500)
    if error.code == 405:
        response.headers["Allow"] = _READ_METHODS
    return response


# The LMS blueprint's HTML pages for these codes would win over a handler for HTTPException.
for _code in (400, 401, 403, 404, 405, 413, 500):
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(HTTPException, _http_error)


@bp.before_request
def _check_version_and_credentials() -> None:
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    if endpoint in _UNAUTHENTICATED or request.method == "OPTIONS":
        return
    version = request.headers.get("X-Experience-API-Version", "").strip()
    if not version:
        _fail(400, f"The X-Experience-API-Version header is required (send {VERSION}).")
    if not _ACCEPTED_VERSION.match(version):
        _fail(400, f"xAPI version {version} is not supported: send {VERSION}.")
    g.xapi_client = _client_from_basic_auth()


def _client_from_basic_auth() -> XapiClient:
    auth = request.authorization
    challenge = {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}
    if auth is None or auth.type != "basic" or not auth.username:
        _fail(401, "Authenticate with HTTP Basic: the client's name and secret.", challenge)
    client = authenticate(session, auth.username, auth.password or "")
    if client is None:
        _fail(401, "Unknown client or wrong secret.", challenge)
    # When it was last used is recorded even if the request is then refused (a bad query).
    keep_despite_error_status()
    return client


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["X-Experience-API-Version"] = VERSION
    # Statements are personal data: no shared cache may keep them.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/about")
def about() -> Response:
    """The versions served (part three, "About Resource"); no credentials needed."""
    base_iri = settings().xapi_base_iri
    return _json(
        {
            "version": [VERSION],
            "extensions": {
                f"{base_iri}xapi/extensions/statement-api": {
                    "product": "Insights LMS",
                    "readOnly": True,
                    "resources": ["statements"],
                }
            },
        }
    )


@bp.get("/statements", endpoint="statements")
def get_statements() -> Response:
    """One statement (``statementId``/``voidedStatementId``) or a StatementResult page
    (part three, 2.1.3)."""
    consistent_through = queries.consistent_through()
    try:
        query = queries.parse_query(request.args.items(multi=True))
    except queries.StatementQueryError as exc:
        _fail(400, str(exc))
    response = _one_statement(query) if query.is_single else _statement_page(query)
    response.headers["X-Experience-API-Consistent-Through"] = queries.iso(consistent_through)
    return response


def _serve(row: XapiStatement, query: StatementQuery) -> dict[str, Any]:
    return queries.present(
        row,
        base_iri=settings().xapi_base_iri,
        statement_format=query.format,
        pick_language=request.accept_languages.best_match,
    )


def _one_statement(query: StatementQuery) -> Response:
    wanted = query.voided_statement_id or query.statement_id or ""
    voided = query.voided_statement_id is not None
    row = queries.get_statement(session, wanted, voided=voided)
    if row is None:
        _fail(404, f"No {'voided statement' if voided else 'statement'} with id {wanted}.")
    response = _json(_serve(row, query))
    response.last_modified = row.created_dt
    return response


def _statement_page(query: StatementQuery) -> Response:
    page = queries.find_statements(session, query, base_iri=settings().xapi_base_iri)
    more = ""
    if page.more is not None:
        # The same query from the last statement on: filters and limit kept, cursor replaced.
        values: dict[str, Any] = {k: v for k, v in request.args.items() if k != "cursor"}
        values["cursor"] = page.more.encode()
        more = url_for(request.endpoint or "", **values)
    response = _json({"statements": [_serve(row, query) for row in page.rows], "more": more})
    if page.rows:
        response.last_modified = max(row.created_dt for row in page.rows)
    return response


@bp.route("/statements", methods=["PUT", "POST", "DELETE", "PATCH"])
def write_statements() -> NoReturn:
    """Statements are pulled from here, not sent: a read-only client may not send them (403),
    and for a client that may write, the method is not allowed here (405)."""
    client: XapiClient = g.xapi_client
    if request.method in ("PUT", "POST") and client.scope == XapiClientScope.READ:
        _fail(403, "This client may only read statements.")
    _fail(
        405,
        "This Statement API is for pulling statements: send them to the LRS instead.",
        {"Allow": _READ_METHODS},
    )
