"""What statements depend on from the configuration: the base IRI, how actors are identified,
and where an evidence file can be downloaded.

The library reads no configuration itself. A receiver asks :func:`options_for` with the
session of its event; the options are the ones given to that session (``session.info``, for a
script or a test that builds its own), else the ones of the registered source. The web wiring
(``insights_lms.extension``) registers the source when it is mounted: the current app's
settings inside an app context, the environment's outside one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from sqlalchemy.orm import Session
from werkzeug.routing import BuildError, Map

from insights_lms.config import Settings

ActorIdentifier = Literal["account", "mbox", "mbox_sha1sum"]
#: The values of ``INSIGHTS_XAPI_ACTOR_IDENTIFIER``; ``account`` keeps every email in the app.
ACTOR_IDENTIFIERS: tuple[ActorIdentifier, ...] = ("account", "mbox", "mbox_sha1sum")
DEFAULT_ACTOR_IDENTIFIER: ActorIdentifier = "account"
CONFIG_KEY = "INSIGHTS_XAPI_ACTOR_IDENTIFIER"
#: The key of :class:`XapiOptions` given to one session in ``session.info``.
SESSION_KEY = "insights_lms.xapi_options"


@dataclass(frozen=True)
class XapiOptions:
    """The configuration a statement is built with."""

    base_iri: str
    file_url: Callable[[str], str]
    actor_identifier: ActorIdentifier = DEFAULT_ACTOR_IDENTIFIER

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        file_url: Callable[[str], str] | None = None,
        identifier: Any = None,
    ) -> XapiOptions:
        """The options of ``settings``; files under the site's root unless ``file_url`` is
        given; ``identifier`` (a Flask config value) wins over the settings' own."""
        root = settings.base_url or settings.xapi_base_iri
        chosen = identifier if identifier is not None else settings.xapi_actor_identifier
        return cls(
            settings.xapi_base_iri, file_url or plain_file_url(root), actor_identifier(chosen)
        )


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


def routed_file_url(url_map: Map, root: str, endpoint: str) -> Callable[[str], str]:
    """Download URLs built by an app's own routes (``endpoint`` with ``public_id``), so that a
    URL prefix is respected; :func:`plain_file_url` when the endpoint is not mounted."""
    parts = urlsplit(root)
    adapter = url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    fallback = plain_file_url(root)

    def build(public_id: str) -> str:
        try:
            return str(adapter.build(endpoint, {"public_id": public_id}, force_external=True))
        except BuildError:  # the evidence feature is not mounted on this app
            return fallback(public_id)

    return build


#: Where the options of a session come from when it was given none: ``source(session)``.
OptionsSource = Callable[[Session], XapiOptions]
_source: list[OptionsSource] = []  # at most one: the web wiring's


def provide_options(source: OptionsSource) -> None:
    """Register where sessions get their options (the web wiring does when it is mounted, for
    every app: registering again replaces the source)."""
    _source[:] = [source]


def give_options(session: Session, options: XapiOptions) -> None:
    """Build the statements of ``session`` with ``options`` (scripts, tests)."""
    session.info[SESSION_KEY] = options


def options_for(session: Session) -> XapiOptions:
    """The options for a statement about an event in ``session``."""
    given = session.info.get(SESSION_KEY)
    if isinstance(given, XapiOptions):
        return given
    if not _source:
        raise RuntimeError(
            "No xAPI options: mount InsightsLMS on an app, or give the session its options "
            "with insights_lms.xapi.options.give_options()"
        )
    return _source[0](session)
