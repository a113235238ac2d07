"""The per-app state of Insights LMS and the settings lookup every layer may use.

The extension (``insights_lms.extension``) creates an :class:`LMSState` when it is mounted
on an app and keeps it in ``app.extensions["insights_lms"]``. Everything below the web
wiring asks this module, never the extension, so that nothing imports upwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Flask, current_app
from flask_sqlalchemy import SQLAlchemy

from insights_lms.config import Settings

EXTENSION_KEY = "insights_lms"


def package_version() -> str:
    """The installed distribution's version (``pyproject.toml`` is the one source)."""
    try:
        return version("insights-lms")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


@dataclass
class LMSState:
    """What the extension keeps per app (in ``app.extensions["insights_lms"]``)."""

    settings: Settings
    db: SQLAlchemy
    url_prefix: str | None
    csrf_exempt: set[str] = field(default_factory=set)
    #: Builds the same app again from a configuration mapping, for worker processes (the
    #: portfolio export). ``create_app`` sets itself; a host passes its own or none.
    app_factory: Callable[[dict[str, Any]], Flask] | None = None


def get_state() -> LMSState:
    """The state of the app in the current app context."""
    state: LMSState = current_app.extensions[EXTENSION_KEY]
    return state


def settings() -> Settings:
    """The settings of the app in the current app context."""
    return get_state().settings


def csrf_exempt(endpoint: str) -> None:
    """Exempt an endpoint (e.g. a Basic-auth JSON API) from the blueprint's CSRF check."""
    get_state().csrf_exempt.add(endpoint)
