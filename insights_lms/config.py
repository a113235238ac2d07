"""Settings from ``INSIGHTS_*`` environment variables (and the Flask config that overrides them).

Every setting can be given as an environment variable (``INSIGHTS_DATABASE_URL``) or, for tests
and host applications, as a key of the same name in the Flask config passed to ``create_app``
or set on the host app. Values are validated once at start-up: a bad time zone or URL stops the
app with a message instead of failing on the first request.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "INSIGHTS_"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
#: Password hashing: werkzeug's scrypt (n=2**15, r=8, p=1) everywhere but INSIGHTS_ENV=testing,
#: whose cheap parameters (n=2**10) keep the test suite's logins fast.
PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hashing method, not a password
TESTING_PASSWORD_METHOD = "scrypt:1024:8:1"  # noqa: S105 - a hashing method, not a password


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which setting and why."""


class Settings(BaseSettings):
    """Insights LMS settings; each field is read from ``INSIGHTS_<FIELD NAME>``."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True)

    env: Literal["production", "development", "testing"] = "production"
    database_url: str | None = None
    secret_key: SecretStr | None = None
    upload_dir: Path | None = None
    max_upload_mb: int = Field(default=20, ge=1, le=2048)
    time_zone: str = "Europe/London"
    xapi_base_iri: str = "https://insights.example.org/"
    xapi_actor_identifier: Literal["account", "mbox", "mbox_sha1sum"] = "account"
    lrs_endpoint: str | None = None
    lrs_username: str | None = None
    lrs_password: SecretStr | None = None
    # --- forwarding the xAPI outbox to the LRS (``lms xapi flush`` / ``lms xapi worker``) ---
    xapi_batch_size: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Statements sent to the LRS in one POST (a JSON array).",
    )
    xapi_max_attempts: int = Field(
        default=20,
        ge=1,
        le=1000,
        description=(
            "Failed sends (network error, timeout, 5xx) after which a statement becomes a dead "
            "letter, shown on the status page until an administrator re-queues it."
        ),
    )
    xapi_connect_timeout: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="Seconds to wait for a connection to the LRS.",
    )
    xapi_read_timeout: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds to wait for the LRS to answer once the batch is sent.",
    )
    xapi_backoff_base: float = Field(
        default=2.0,
        gt=0,
        le=3600,
        description=(
            "Seconds before the first retry of a failed send; each further failure doubles it "
            "(with random jitter of up to half), up to INSIGHTS_XAPI_BACKOFF_CAP."
        ),
    )
    xapi_backoff_cap: float = Field(
        default=1800.0,
        gt=0,
        le=86400,
        description="The longest wait, in seconds, between two attempts to send a statement.",
    )
    xapi_worker_poll: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description=(
            "Seconds `lms xapi worker` sleeps when nothing is due before it looks again for "
            "new statements (and for an administrator's resume after a pause)."
        ),
    )
    xapi_lease_seconds: float = Field(
        default=300.0,
        gt=0,
        le=86400,
        description=(
            "How long a worker holds the batch it claimed. A worker that dies mid-batch leaves "
            "its statements claimed until then; another worker then sends them again (resends "
            "are idempotent). Must exceed the connect and read timeouts together."
        ),
    )
    content_dir: Path | None = None
    login_max_attempts: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    max_request_mb: int = Field(default=100, ge=1, le=4096)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "Insights LMS <no-reply@localhost>"
    task_reminder_days: int = Field(default=3, ge=0, le=60)
    module_reminder_days: int = Field(default=7, ge=0, le=60)
    base_url: str | None = None
    #: Origins that may frame LMS pages (space-separated); none by default (insights_lms.security)
    frame_ancestors: str = ""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/London)"
            ) from exc
        return value

    @field_validator("xapi_base_iri")
    @classmethod
    def _absolute_iri(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) IRI, e.g. https://lms.example.org/")
        return value if value.endswith("/") else value + "/"

    @field_validator("lrs_endpoint")
    @classmethod
    def _lrs_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. https://lrs.example.org/xapi/")
        return value or None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. https://lms.example.org")
        return value.rstrip("/") if value else None

    @field_validator("frame_ancestors", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> str:
        items = str(value or "").split()
        for origin in items:
            parts = urlsplit(origin)
            if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path:
                raise ValueError(f"{origin!r} is not an origin such as https://lms.example.org")
        return " ".join(items)

    @field_validator("xapi_backoff_cap")
    @classmethod
    def _cap_not_below_base(cls, value: float, info: ValidationInfo) -> float:
        base = info.data.get("xapi_backoff_base")
        if base is not None and value < base:
            raise ValueError(f"must be at least INSIGHTS_XAPI_BACKOFF_BASE ({base} s)")
        return value

    @field_validator("xapi_lease_seconds")
    @classmethod
    def _lease_outlasts_a_request(cls, value: float, info: ValidationInfo) -> float:
        connect = info.data.get("xapi_connect_timeout")
        read = info.data.get("xapi_read_timeout")
        if connect is not None and read is not None and value <= connect + read:
            raise ValueError(
                f"must be longer than INSIGHTS_XAPI_CONNECT_TIMEOUT + INSIGHTS_XAPI_READ_TIMEOUT "
                f"({connect + read} s), or a slow batch would be sent twice"
            )
        return value

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def password_method(self) -> str:
        """The werkzeug hashing method for passwords: strong, except in the testing config."""
        return TESTING_PASSWORD_METHOD if self.env == "testing" else PASSWORD_METHOD


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read settings from the environment, with ``INSIGHTS_*`` keys of ``overrides`` on top."""
    values = {
        key.removeprefix(PREFIX).lower(): value
        for key, value in (overrides or {}).items()
        if key.startswith(PREFIX)
    }
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{PREFIX}{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"Invalid Insights LMS configuration: {problems}") from None


def resolve_secret_key(settings: Settings, instance_path: Path) -> str:
    """The secret key: the environment, else the instance folder's ``secret_key`` file.

    Outside production a missing key is generated into the instance folder (that is what
    ``make demo`` relies on); in production the app refuses to start without one (and, see
    :func:`require_base_url`, without ``INSIGHTS_BASE_URL``).
    """
    return _secret_key(settings, instance_path)


def require_base_url(settings: Settings) -> None:
    """Production needs ``INSIGHTS_BASE_URL``: e-mailed links never take the request's host."""
    if settings.is_production and not settings.base_url:
        raise ConfigError(
            "INSIGHTS_BASE_URL is not set: refusing to start in production without it. Links in "
            "e-mails (welcome and invitation links) are built from it, never from the request's "
            "Host header. Set it to the site's root, e.g. INSIGHTS_BASE_URL=https://lms.example.org"
        )


def _secret_key(settings: Settings, instance_path: Path) -> str:
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    key_file = instance_path / SECRET_KEY_FILE
    if key_file.is_file():
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
    if settings.is_production:
        raise ConfigError(
            "INSIGHTS_SECRET_KEY is not set and the instance folder has no secret_key file; "
            "refusing to start in production without a secret key. Generate one with "
            "`python -m insights_lms.keygen` or set INSIGHTS_SECRET_KEY."
        )
    return write_secret_key(instance_path)


def write_secret_key(instance_path: Path) -> str:
    """Generate a new random secret key into ``instance_path/secret_key`` (mode 0600)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file = instance_path / SECRET_KEY_FILE
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return key


def default_database_url(instance_path: Path) -> str:
    """SQLite in the instance folder: the embedded default."""
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'insights.db'}"
