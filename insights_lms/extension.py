"""``InsightsLMS``: the Flask extension that mounts Insights LMS on an app (standalone or host)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, current_app, g, has_app_context, render_template, request
from flask_login import LoginManager, current_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFError, ValidationError, generate_csrf, validate_csrf
from markupsafe import Markup
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import insights_lms.models  # noqa: F401  (every model: Base.metadata is complete)
from insights_lms import resources, security, web
from insights_lms.auth.models import User
from insights_lms.auth.views import load_user
from insights_lms.cli import lms_cli
from insights_lms.cohorts.access import facilitates_any_cohort
from insights_lms.cohorts.models import CoachAssignment, Enrolment
from insights_lms.config import PREFIX, ConfigError, Settings, load_settings
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.features import feature_modules
from insights_lms.markup import render_markdown
from insights_lms.state import EXTENSION_KEY, LMSState, get_state, settings
from insights_lms.timeutil import format_local
from insights_lms.xapi import views as xapi_views
from insights_lms.xapi.options import (
    CONFIG_KEY,
    XapiOptions,
    provide_options,
    routed_file_url,
)

_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _normalise_prefix(prefix: str | None) -> str | None:
    if not prefix or prefix == "/":
        return None
    return "/" + prefix.strip("/")


class InsightsLMS:
    """Insights LMS as a Flask extension.

    ``InsightsLMS(app, url_prefix="/learning")`` mounts every page under ``/learning``. With a
    host that already has a Flask-SQLAlchemy instance (pass it as ``db`` or let it be found in
    ``app.extensions``), the LMS uses the host's session and engine; otherwise it creates its
    own from ``INSIGHTS_DATABASE_URL``. The extension never holds on to ``app``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        url_prefix: str | None = None,
        db: SQLAlchemy | None = None,
        app_factory: Callable[[dict[str, Any]], Flask] | None = None,
    ) -> None:
        self.url_prefix = url_prefix
        self.db = db
        self.app_factory = app_factory
        if app is not None:
            self.init_app(app)

    def init_app(
        self, app: Flask, *, url_prefix: str | None = None, db: SQLAlchemy | None = None
    ) -> None:
        settings = load_settings(app.config)
        prefix = _normalise_prefix(url_prefix if url_prefix is not None else self.url_prefix)
        database = db or self.db or app.extensions.get("sqlalchemy")
        if database is None:
            if not app.config.get("SQLALCHEMY_DATABASE_URI"):
                raise ConfigError(
                    "No database: set INSIGHTS_DATABASE_URL or SQLALCHEMY_DATABASE_URI, "
                    "or pass the host's Flask-SQLAlchemy instance as db=."
                )
            database = SQLAlchemy(session_options={"expire_on_commit": False})
            database.init_app(app)
            with app.app_context():
                _enforce_sqlite_foreign_keys(database.engine)
        if not app.config.get("SECRET_KEY"):
            raise ConfigError("Insights LMS needs the app's SECRET_KEY to be set.")
        app.extensions[EXTENSION_KEY] = LMSState(
            settings, database, prefix, app_factory=self.app_factory
        )
        self._init_login(app)
        app.register_blueprint(_make_blueprint(prefix))
        _register_template_helpers(app)
        app.cli.add_command(lms_cli)
        _connect_statements()

    @staticmethod
    def _init_login(app: Flask) -> None:
        existing = getattr(app, "login_manager", None)
        if existing is not None and not getattr(existing, "_insights_lms", False):
            raise ConfigError(
                "The host app already has a Flask-Login LoginManager; Insights LMS manages its "
                "own users and sign-in, so mount it on an app without one."
            )
        manager = LoginManager()
        manager._insights_lms = True
        manager.login_view = "lms.auth.login"
        manager.login_message = "Please sign in to see that page."
        manager.login_message_category = "info"
        manager.session_protection = "basic"

        manager.user_loader(load_user)
        manager.init_app(app)


def _connect_statements() -> None:
    """Every feature's statement receivers on the domain signals (domain signal -> xAPI
    outbox, in the event's transaction), and where their options come from. Blinker signals
    are global: connecting again for another app in the process changes nothing."""
    provide_options(_xapi_options)
    xapi_views.allow_status_page(_may_see_xapi_status)
    for _feature, module in feature_modules("xapi"):
        module.connect()


#: The Flask endpoint of an evidence file's download (the statements' attachment URLs).
_DOWNLOAD_ENDPOINT = "lms.evidence.download"


def _xapi_options(_session: Session) -> XapiOptions:
    """The options of the current app (its settings; ``INSIGHTS_XAPI_ACTOR_IDENTIFIER`` in its
    config wins), with download URLs from its routes so that a URL prefix is respected.

    Outside an app context (a script or a test on a plain session) the environment's settings,
    as ``load_settings()`` reads them now: a statement is never skipped for want of an app.
    """
    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        conf = settings()
        root = conf.base_url or conf.xapi_base_iri
        return XapiOptions.from_settings(
            conf,
            file_url=routed_file_url(current_app.url_map, root, _DOWNLOAD_ENDPOINT),
            identifier=current_app.config.get(CONFIG_KEY),
        )
    return XapiOptions.from_settings(_environment_settings())


def _environment_settings() -> Settings:
    """``load_settings()``, read again only when an ``INSIGHTS_*`` variable changes (reading
    and validating them costs more than building a statement)."""
    return _settings_for(tuple(sorted(i for i in os.environ.items() if i[0].startswith(PREFIX))))


@lru_cache(maxsize=8)
def _settings_for(_environment: tuple[tuple[str, str], ...]) -> Settings:
    return load_settings()


def _may_see_xapi_status(user: User) -> bool:
    """Administrators and the facilitators of any cohort see the forwarding status page."""
    return facilitates_any_cohort(session, user)


def _enforce_sqlite_foreign_keys(engine: Engine) -> None:
    """SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked, per connection. A
    database file also goes into write-ahead-log mode, so that the web app and an
    ``lms xapi worker`` read while the other writes, instead of blocking each other."""
    if engine.dialect.name != "sqlite":
        return
    on_disk = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _make_blueprint(prefix: str | None) -> Blueprint:
    lms = Blueprint(
        "lms",
        __name__,
        url_prefix=prefix,
        template_folder=str(resources.templates_dir()),
        static_folder=str(resources.static_dir()),
        static_url_path="/assets",
    )
    for _feature, views in feature_modules("views"):
        lms.register_blueprint(views.bp)
    lms.before_request(_limit_request_size)
    lms.before_request(_check_csrf)
    # One unit of work per request: commit once after a successful view, else roll back.
    lms.after_request(web.commit_request)
    lms.teardown_request(web.end_request)
    security.install(lms)
    lms.register_error_handler(CSRFError, _csrf_error)
    for code in (403, 404, 413):
        lms.register_error_handler(code, _error_page)
    return lms


def _limit_request_size() -> None:
    """INSIGHTS_MAX_REQUEST_MB for every LMS request, also when mounted in a host app."""
    request.max_content_length = settings().max_request_mb * 1024 * 1024


def _check_csrf() -> None:
    """Every state-changing request to an LMS page must carry a valid CSRF token."""
    if request.method not in _UNSAFE_METHODS or request.endpoint in get_state().csrf_exempt:
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from None


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template("lms/errors/csrf.html", reason=error.description), 400


def _error_page(error: Any) -> tuple[str, int]:
    code = getattr(error, "code", 500) or 500
    return render_template(f"lms/errors/{code}.html", error=error), code


def _register_template_helpers(app: Flask) -> None:
    def local_dt(value: Any, zone: str | None = None, fmt: str | None = None) -> str:
        zone = zone or settings().time_zone
        return format_local(value, zone, fmt) if fmt else format_local(value, zone)

    def local_date(value: Any, zone: str | None = None) -> str:
        return format_local(value, zone or settings().time_zone, "%a %-d %b %Y")

    def iso(value: Any) -> Markup:
        return Markup.escape(value.isoformat() if value is not None else "")

    def filesize(value: int) -> str:
        size = float(value)
        for unit in ("bytes", "KB", "MB", "GB"):
            if size < 1024 or unit == "GB":
                return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
            size /= 1024
        return f"{value} bytes"

    app.jinja_env.globals.setdefault("csrf_token", generate_csrf)
    app.add_template_filter(render_markdown, "lms_markdown")
    app.add_template_filter(filesize, "lms_filesize")
    app.context_processor(_nav_context)
    app.add_template_filter(local_dt, "lms_local_dt")
    app.add_template_filter(local_date, "lms_local_date")
    app.add_template_filter(iso, "lms_iso")


def _nav_context() -> dict[str, Any]:
    """What the navigation needs to know about the signed-in user (one small query)."""
    if EXTENSION_KEY not in current_app.extensions:
        return {}
    if "lms_nav" not in g:
        is_participant = is_coach = is_enrolled = False
        if current_user and current_user.is_authenticated:
            is_participant = (
                session.scalar(
                    select(Enrolment.id)
                    .where(
                        Enrolment.user_id == current_user.id,
                        Enrolment.role == CohortRole.PARTICIPANT,
                    )
                    .limit(1)
                )
                is not None
            )
            is_coach = (
                session.scalar(
                    select(CoachAssignment.id)
                    .where(CoachAssignment.coach_id == current_user.id)
                    .limit(1)
                )
                is not None
            )
            is_enrolled = is_participant or (
                session.scalar(
                    select(Enrolment.id).where(Enrolment.user_id == current_user.id).limit(1)
                )
                is not None
            )
        g.lms_nav = {
            "is_participant": is_participant,
            "is_coach": is_coach,
            "is_enrolled": is_enrolled,
        }
    return {"lms_nav": g.lms_nav}
