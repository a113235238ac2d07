"""Insights LMS: competency-based leadership development for school leaders.

``create_app()`` builds the standalone application; ``InsightsLMS`` mounts the same thing on a
host Flask app under a URL prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask_migrate import Migrate

from insights_lms import security
from insights_lms.config import (
    ConfigError,
    default_database_url,
    load_settings,
    require_base_url,
    resolve_secret_key,
)
from insights_lms.demo import cli as _demo_cli  # noqa: F401  (adds `lms demo-data`)
from insights_lms.extension import InsightsLMS
from insights_lms.migrations_util import MIGRATIONS_DIR
from insights_lms.state import EXTENSION_KEY, package_version

__all__ = ["ConfigError", "InsightsLMS", "create_app"]
__version__ = package_version()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The standalone Insights LMS application.

    ``config`` overrides the environment: ``INSIGHTS_*`` keys as in the environment, and any
    plain Flask setting (``TESTING``, ``SERVER_NAME``…).
    """
    config = dict(config or {})
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    instance = Path(config.pop("INSTANCE_PATH", app.instance_path))
    app.instance_path = str(instance)
    settings = load_settings(config)

    app.config.update(
        SECRET_KEY=resolve_secret_key(settings, instance),
        SQLALCHEMY_DATABASE_URI=settings.database_url or default_database_url(instance),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="insights_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.is_production,
        MAX_CONTENT_LENGTH=settings.max_request_mb * 1024 * 1024,
        TESTING=settings.env == "testing",
    )
    require_base_url(settings)  # production: e-mailed links never take the request's host
    for key, value in config.items():
        app.config[key] = value

    InsightsLMS(app, app_factory=create_app)
    _init_migrate(app)
    # The whole standalone app is the LMS: its own 404 page (no LMS endpoint) gets the headers.
    app.after_request(security.add_headers)

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return render_template("lms/errors/404.html"), 404

    return app


def _init_migrate(app: Flask) -> None:
    """`flask --app insights_lms db …` for developers writing migrations."""
    Migrate(app, app.extensions[EXTENSION_KEY].db, directory=str(MIGRATIONS_DIR))
