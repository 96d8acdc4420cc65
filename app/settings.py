"""Settings read once from the environment and an optional `.env` file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit

from starlette.config import Config

from app import documents
from app.ratelimit import RateLimits

DEFAULT_DATABASE_URL = "sqlite://data/app.sqlite3"
DEVELOPMENT_SECRET = "development-only-secret-change-me"
DEFAULT_DB_TIMEOUT_SECONDS = 5.0

Environment = Literal["development", "production"]
LogFormat = Literal["text", "json"]
DEFAULT_WEBHOOK_RETRY_SECONDS = (5, 30, 120, 600, 3600, 14400)


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which variable to fix."""


# Deadlines past this are refused: far enough for any use, far from datetime's year 9999.
MAX_TTL_SECONDS = 10 * 365 * 24 * 3600


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # The longest any request waits on the database (or Redis) before failing.
    db_timeout_seconds: float = DEFAULT_DB_TIMEOUT_SECONDS
    app_env: Environment = "development"
    secret_key: str = DEVELOPMENT_SECRET
    token_ttl_seconds: int = 7 * 24 * 3600
    # Lifetime of an invitation, unless its domain sets its own (Domain.invitationTtlSeconds).
    invitation_ttl_seconds: int = 7 * 24 * 3600
    # "cheapest" is for test suites only: production refuses it.
    password_hash_profile: Literal["default", "cheapest"] = "default"
    allowed_origins: tuple[str, ...] = ()
    log_level: str = "info"
    # "json": one JSON object per log line, with the request id (app/logs.py).
    log_format: LogFormat = "text"
    # Bearer token GET /metrics needs; unset: open in development, 404 in production.
    metrics_token: str | None = None
    # A webhook attempt is abandoned (and retried) after this long.
    webhook_timeout_seconds: float = 10.0
    # Waits before each retry of a failed webhook delivery; after the last, FAILED.
    webhook_retry_seconds: tuple[int, ...] = DEFAULT_WEBHOOK_RETRY_SECONDS
    # Server processes started by `python -m app serve`; more than one needs PostgreSQL.
    workers: int = 1
    # Query limits (validation rules, built once per process).
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_fields: int = 200
    max_body_bytes: int = 64 * 1024
    # WebSocket limits.
    ws_max_message_bytes: int = 64 * 1024
    ws_init_timeout_seconds: int = 10
    ws_max_operations: int = 20
    # Server request timeouts: a client slower than this is cut off.
    http_header_timeout_seconds: float = 10.0
    http_body_timeout_seconds: float = 30.0
    rate_limits: RateLimits = field(default_factory=RateLimits)
    # E-mail: unset SMTP_URL writes messages to the log (development) or refuses
    # invitations by address (production).
    smtp_url: str | None = None
    mail_from: str = "invitations@localhost"
    # Where the web app is served, for the links in e-mails; None: http://HOST:PORT.
    public_url: str | None = None
    # Seconds between a failed send and the next attempt; FAILED after the last.
    email_retry_seconds: tuple[int, ...] = (30, 120, 600, 3600)
    # Bound on one SMTP exchange (connect, TLS, AUTH, DATA).
    email_timeout_seconds: int = 30
    # A manifest of trusted documents (app/documents.py): clients may send their ids, and
    # production refuses every other document. None: documents are sent as text.
    trusted_documents: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def web_url(self) -> str:
        """The web app's address as e-mails link to it, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, env_file: str = ".env") -> Settings:
        """Build settings from the process environment, then `.env`, then defaults."""
        config = Config(env_file if Path(env_file).is_file() else None)
        app_env = config("APP_ENV", default="development")
        if app_env not in ("development", "production"):
            raise SettingsError("APP_ENV must be 'development' or 'production'")
        profile = config("PASSWORD_HASH_PROFILE", default="default")
        if profile not in ("default", "cheapest"):
            raise SettingsError("PASSWORD_HASH_PROFILE must be 'default' or 'cheapest'")
        origins = config("ALLOWED_ORIGINS", default="")
        log_format = config("LOG_FORMAT", default="text")
        if log_format not in ("text", "json"):
            raise SettingsError("LOG_FORMAT must be 'text' or 'json'")

        def number(name: str) -> int:
            value: int = config(name.upper(), cast=int, default=getattr(cls, name))
            return value

        def seconds(name: str) -> float:
            value: float = config(name.upper(), cast=float, default=getattr(cls, name))
            return value

        settings = cls(
            host=config("HOST", default="127.0.0.1"),
            port=config("PORT", cast=int, default=8000),
            database_url=config("DATABASE_URL", default=DEFAULT_DATABASE_URL),
            redis_url=config("REDIS_URL", default=None) or None,
            db_timeout_seconds=seconds("db_timeout_seconds"),
            app_env=cast(Environment, app_env),
            secret_key=config("SECRET_KEY", default=DEVELOPMENT_SECRET),
            token_ttl_seconds=config("TOKEN_TTL_SECONDS", cast=int, default=7 * 24 * 3600),
            invitation_ttl_seconds=number("invitation_ttl_seconds"),
            password_hash_profile=cast(Literal["default", "cheapest"], profile),
            allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            log_level=config("LOG_LEVEL", default="info"),
            log_format=cast(LogFormat, log_format),
            metrics_token=config("METRICS_TOKEN", default=None) or None,
            webhook_timeout_seconds=config(
                "WEBHOOK_TIMEOUT_SECONDS", cast=float, default=cls.webhook_timeout_seconds
            ),
            webhook_retry_seconds=_retry_seconds(config("WEBHOOK_RETRY_SECONDS", default="")),
            workers=config("WEB_CONCURRENCY", cast=int, default=1),
            max_depth=number("max_depth"),
            max_aliases=number("max_aliases"),
            max_tokens=number("max_tokens"),
            max_fields=number("max_fields"),
            max_body_bytes=number("max_body_bytes"),
            ws_max_message_bytes=number("ws_max_message_bytes"),
            ws_init_timeout_seconds=number("ws_init_timeout_seconds"),
            ws_max_operations=number("ws_max_operations"),
            http_header_timeout_seconds=seconds("http_header_timeout_seconds"),
            http_body_timeout_seconds=seconds("http_body_timeout_seconds"),
            rate_limits=_rate_limits(config("RATE_LIMITS", default="")),
            smtp_url=config("SMTP_URL", default=None) or None,
            mail_from=config("MAIL_FROM", default=cls.mail_from),
            public_url=config("PUBLIC_URL", default=None) or None,
            email_retry_seconds=_seconds_list(config("EMAIL_RETRY_SECONDS", default="")),
            email_timeout_seconds=number("email_timeout_seconds"),
            trusted_documents=config("TRUSTED_DOCUMENTS", default=None) or None,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse configurations that are unsafe or cannot work."""
        for name in ("token_ttl_seconds", "invitation_ttl_seconds", *TIMEOUTS, *LIMITS):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name.upper()} must be positive")
        for name in ("token_ttl_seconds", "invitation_ttl_seconds"):
            if getattr(self, name) > MAX_TTL_SECONDS:
                raise SettingsError(
                    f"{name.upper()} must be at most {MAX_TTL_SECONDS} seconds (ten years)"
                )
        if not self.webhook_timeout_seconds > 0:
            raise SettingsError("WEBHOOK_TIMEOUT_SECONDS must be positive")
        if self.workers < 1:
            raise SettingsError("WEB_CONCURRENCY (--workers) must be at least 1")
        if self.workers > 1 and self.sqlite:
            raise SettingsError(
                f"{self.workers} workers need PostgreSQL: SQLite serves one process. "
                "Set DATABASE_URL=postgres://… and REDIS_URL=redis://…, or run one worker."
            )
        if self.workers > 1 and not self.redis_url:
            raise SettingsError(
                f"{self.workers} workers need REDIS_URL=redis://…: without it a "
                "subscriber only hears about changes made through its own worker."
            )
        if self.smtp_url:
            _check_smtp_url(self.smtp_url)
        if self.public_url and urlsplit(self.public_url).scheme not in ("http", "https"):
            raise SettingsError("PUBLIC_URL must be an http:// or https:// address")
        if self.trusted_documents:
            try:
                documents.load(self.trusted_documents)
            except ValueError as exc:
                raise SettingsError(f"TRUSTED_DOCUMENTS: {exc}") from None
        if self.production:
            self._validate_production()

    def _validate_production(self) -> None:
        """Refuse the defaults and shortcuts meant for development and tests."""
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            raise SettingsError(
                "APP_ENV=production needs SECRET_KEY set to a random value of at "
                "least 32 characters (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        if self.password_hash_profile != "default":
            raise SettingsError("APP_ENV=production refuses PASSWORD_HASH_PROFILE=cheapest")
        if "*" in self.allowed_origins:
            raise SettingsError(
                "APP_ENV=production refuses ALLOWED_ORIGINS=*: list the browser origins"
            )


# Timeouts in seconds, each read from the variable of the same name in upper case.
TIMEOUTS = ("db_timeout_seconds", "http_header_timeout_seconds", "http_body_timeout_seconds")
# Integer limits, each read from the variable of the same name in upper case.
LIMITS = (
    "email_timeout_seconds",
    "max_depth",
    "max_aliases",
    "max_tokens",
    "max_fields",
    "max_body_bytes",
    "ws_max_message_bytes",
    "ws_init_timeout_seconds",
    "ws_max_operations",
)


def _retry_seconds(text: str) -> tuple[int, ...]:
    """`WEBHOOK_RETRY_SECONDS`: comma-separated positive whole seconds (empty: the default)."""
    if not text.strip():
        return DEFAULT_WEBHOOK_RETRY_SECONDS
    try:
        waits = tuple(int(part) for part in text.split(","))
    except ValueError:
        waits = ()
    if not waits or min(waits) <= 0:
        raise SettingsError(
            "WEBHOOK_RETRY_SECONDS must list positive whole seconds, like 5,30,120,600,3600,14400"
        )
    return waits


def _rate_limits(text: str) -> RateLimits:
    try:
        return RateLimits.parse(text)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def _seconds_list(text: str) -> tuple[int, ...]:
    """EMAIL_RETRY_SECONDS: comma-separated positive integers; empty: the default."""
    if not text.strip():
        return Settings.email_retry_seconds
    try:
        delays = tuple(int(item) for item in text.split(","))
    except ValueError:
        delays = ()
    if not delays or min(delays) <= 0:
        raise SettingsError(
            f"EMAIL_RETRY_SECONDS must be positive whole seconds like 30,120,600, not {text!r}"
        )
    return delays


def _check_smtp_url(url: str) -> None:
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SettingsError(
            "SMTP_URL must look like smtp://[user:password@]host:port "
            "(STARTTLS when offered) or smtps://... (TLS from the start)"
        )
