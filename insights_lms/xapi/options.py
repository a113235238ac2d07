"""What statements depend on from the configuration: the base IRI, how actors are identified,
and where an evidence file can be downloaded.

Services run inside an app context (requests, CLI commands) and without one (unit tests that use
a plain session). Both must record statements, so outside an app context the settings come from
the environment (``load_settings()``) instead of being skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from flask import current_app, has_app_context
from werkzeug.routing import BuildError

from insights_lms.config import PREFIX, Settings, load_settings

ActorIdentifier = Literal["account", "mbox", "mbox_sha1sum"]
#: The values of ``INSIGHTS_XAPI_ACTOR_IDENTIFIER``; ``account`` keeps every email in the app.
ACTOR_IDENTIFIERS: tuple[ActorIdentifier, ...] = ("account", "mbox", "mbox_sha1sum")
DEFAULT_ACTOR_IDENTIFIER: ActorIdentifier = "account"
CONFIG_KEY = "INSIGHTS_XAPI_ACTOR_IDENTIFIER"
DOWNLOAD_ENDPOINT = "lms.evidence.download"


@dataclass(frozen=True)
class XapiOptions:
    """The configuration a statement is built with."""

    base_iri: str
    file_url: Callable[[str], str]
    actor_identifier: ActorIdentifier = DEFAULT_ACTOR_IDENTIFIER


def actor_identifier(value: Any) -> ActorIdentifier:
    """``value`` checked against :data:`ACTOR_IDENTIFIERS` (a typo must not leak emails)."""
    text = str(value or DEFAULT_ACTOR_IDENTIFIER).strip().lower()
    if text not in ACTOR_IDENTIFIERS:
        choices = ", ".join(ACTOR_IDENTIFIERS)
        raise ValueError(f"{CONFIG_KEY} must be one of {choices}, not {value!r}")
    return text


def plain_file_url(root: str) -> Callable[[str], str]:
    """Download URLs under ``root`` without the app's URL map (no app context)."""
    root = root if root.endswith("/") else root + "/"

    def build(public_id: str) -> str:
        return f"{root}evidence/files/{quote(public_id, safe='')}"

    return build


def _app_file_url(root: str) -> Callable[[str], str]:
    """Download URLs built by the app's own routes, so a URL prefix is respected."""
    parts = urlsplit(root)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    fallback = plain_file_url(root)

    def build(public_id: str) -> str:
        try:
            return str(
                adapter.build(DOWNLOAD_ENDPOINT, {"public_id": public_id}, force_external=True)
            )
        except BuildError:  # the evidence feature is not mounted on this app
            return fallback(public_id)

    return build


def current_options() -> XapiOptions:
    """The options of the current app, or from the environment outside an app context."""
    if has_app_context() and "insights_lms" in current_app.extensions:
        from insights_lms.state import settings

        conf = settings()
        identifier = current_app.config.get(CONFIG_KEY, _settings_identifier(conf))
        root = conf.base_url or conf.xapi_base_iri
        return XapiOptions(conf.xapi_base_iri, _app_file_url(root), actor_identifier(identifier))
    conf = _environment_settings()
    root = conf.base_url or conf.xapi_base_iri
    return XapiOptions(
        conf.xapi_base_iri, plain_file_url(root), actor_identifier(_settings_identifier(conf))
    )


def _environment_settings() -> Settings:
    """``load_settings()``, read again only when an ``INSIGHTS_*`` variable changes (reading
    and validating them costs more than building a statement)."""
    return _settings_for(tuple(sorted(i for i in os.environ.items() if i[0].startswith(PREFIX))))


@lru_cache(maxsize=8)
def _settings_for(_environment: tuple[tuple[str, str], ...]) -> Settings:
    return load_settings()


def _settings_identifier(conf: Settings) -> Any:
    # Read from the settings once ``xapi_actor_identifier`` is one of them (an environment
    # variable then works too); the Flask config key wins inside an app.
    return getattr(conf, "xapi_actor_identifier", DEFAULT_ACTOR_IDENTIFIER)
