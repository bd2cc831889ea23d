"""Every setting Learnloop reads, its type and default, taken from the environment."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


class SettingsError(RuntimeError):
    """A setting from the environment is missing or has a bad value; the message names it."""


class Settings(BaseSettings):
    """Typed, validated configuration. Field names are the environment variable names."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    database_url: str = Field(
        default=f"sqlite:///{INSTANCE_DIR / 'learnloop.db'}",
        description="SQLAlchemy URL of the database; SQLite file by default, PostgreSQL in production.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL. When set, jobs go to RQ queues run by `rq worker`; when unset, jobs run in-process.",
    )
    rq_queue: str = Field(default="learnloop", min_length=1, description="Name of the RQ queue jobs go to.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs sessions and CSRF tokens. Unset: a random key kept in instance/secret_key.",
    )
    session_cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only. Set to true behind TLS."
    )
    port: int = Field(default=5000, ge=1, le=65535, description="Port `make run` serves on.")
    openai_api_key: SecretStr | None = Field(
        default=None, description="Key for the OpenAI API (or a compatible server). Unset: the offline writer."
    )
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (vLLM, Ollama, LiteLLM, Azure)."
    )
    openai_model: str = Field(default="gpt-4o-mini", min_length=1, description="Model the OpenAI writer asks.")
    llm_timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="Timeout of one LLM request.")
    llm_max_retries: int = Field(
        default=3, ge=0, le=10,
        description="Retries of one LLM request on timeouts, 429 and 5xx (each attempt is in the call log).",
    )
    llm_rate_limit_waits: int = Field(
        default=5, ge=0, le=100,
        description="Times a job waits out a rate-limited (429) LLM server before it ends failed.",
    )
    llm_concurrency: int = Field(
        default=32, ge=1, le=200,
        description="Model jobs run at once per process (web process or rq worker), on threads of their own.",
    )
    job_max_attempts: int = Field(default=5, ge=1, le=50, description="Attempts of a job before it is marked failed.")
    job_stale_seconds: int = Field(
        default=900, ge=30, description="A job claimed longer than this without finishing is handed out again."
    )
    job_deadline_prompt_seconds: int = Field(
        default=120, ge=1,
        description="A reflection prompt not written this long after it was asked for ends failed, with a retry button.",
    )
    job_deadline_summary_seconds: int = Field(
        default=600, ge=1,
        description="A lesson summary not written this long after it was asked for ends failed, with a retry button.",
    )
    job_deadline_seconds: int = Field(
        default=1800, ge=1, description="Deadline of every other background job (mail, end of challenge).",
    )
    outbox_pump: bool = Field(
        default=True,
        description="Run the outbox pump thread in each web process (runs jobs without Redis, dispatches them with it).",
    )
    mail_server: str | None = Field(
        default=None,
        description="SMTP server that sends email. Unset: messages are written as .eml files to MAIL_FILE_DIR.",
    )
    mail_port: int = Field(default=25, ge=1, le=65535, description="Port of the SMTP server.")
    mail_use_tls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS.")
    mail_use_ssl: bool = Field(default=False, description="Connect to the SMTP server over TLS (usually port 465).")
    mail_username: str | None = Field(default=None, description="SMTP user name, if the server asks for one.")
    mail_password: SecretStr | None = Field(default=None, description="SMTP password.")
    mail_default_sender: str = Field(
        default="Learnloop <learnloop@localhost>", min_length=3, max_length=254,
        description="The From address of every message.",
    )
    public_url: str | None = Field(
        default=None,
        description="The deployment's public address (https://learn.example.com): links sent by email, the badge "
                    "issuer's did:web and the links in credentials. Unset: the address of each request (fine on one "
                    "machine; set it in production, so links never follow a request's Host header).",
    )
    mail_file_dir: Path = Field(
        default=INSTANCE_DIR / "mail", description="Where messages are written when MAIL_SERVER is unset."
    )
    badge_issuer_name: str = Field(
        default="Learnloop", min_length=1, max_length=120, description="The organisation named as issuer of badges."
    )
    badge_issuer_email: str | None = Field(
        default=None, description="Contact address in the badge issuer's profile (Open Badges 2.0 asks for one)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Log level.")
    trusted_proxies: int = Field(
        default=0, ge=0, le=5,
        description="How many reverse proxies stand in front of the app. Each one's X-Forwarded-For, -Proto and "
                    "-Host are then believed, so the sign-in throttle and rate limits count each person's own "
                    "address instead of the proxy's. 0: those headers are ignored (anyone could forge them).",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="Issuer URL of the organisation's OpenID Connect provider; its discovery document is read from "
                    "`<issuer>/.well-known/openid-configuration`. Unset: no single sign-on.",
    )
    oidc_client_id: str | None = Field(default=None, description="Client id Learnloop has at the provider.")
    oidc_client_secret: SecretStr | None = Field(default=None, description="Client secret Learnloop has at the provider.")
    oidc_redirect_uri: str | None = Field(
        default=None,
        description="Callback URL registered at the provider. Unset: this host's /login/sso/callback as the request "
                    "reached the app (behind a TLS proxy, set it to the public https:// URL).",
    )
    oidc_scopes: str = Field(
        default="openid email profile",
        description="Scopes asked for at sign-in; add the one that releases group claims if the provider needs it.",
    )
    oidc_groups_claim: str = Field(default="groups", min_length=1, description="Claim that lists a person's groups.")
    oidc_allowed_email_domains: str = Field(
        default="",
        description="Comma-separated email domains whose people get an account at their first single sign-on. "
                    "Empty: anyone the provider signs in.",
    )
    password_sign_in: bool = Field(
        default=True,
        description="Allow signing in with a password. False (only with single sign-on) leaves it to the "
                    "break-glass admin.",
    )
    break_glass_admin_email: str | None = Field(
        default=None,
        description="The one admin account that may still sign in with a password when PASSWORD_SIGN_IN is false.",
    )

    # JSON API (#19): personal and service tokens, and how often each may be used.
    api_token_max_days: int = Field(
        default=365, ge=1, le=3650,
        description="Longest life of an API token in days; a token asks for its expiry up to this.",
    )
    api_rate_limit: str = Field(
        default="300/minute", min_length=3,
        description="Requests one API token may make (Flask-Limiter syntax, e.g. 300/minute or 10/second;1000/hour); "
                    "beyond it the API answers 429 with Retry-After.",
    )
    # Outbound (#14 chat, #19 webhooks and xAPI): what Learnloop sends to other systems, through the outbox.
    outbound_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Timeout of one webhook, chat or xAPI request.",
    )
    outbound_disable_after: int = Field(
        default=10, ge=1, le=1000,
        description="Failed attempts in a row after which a webhook endpoint or a team's chat hook is switched off.",
    )
    outbound_encryption_key: SecretStr | None = Field(
        default=None,
        description="Fernet key that encrypts the teams' chat webhook addresses. Unset: derived from SECRET_KEY.",
    )
    outbound_allow_local_chat_urls: bool = Field(
        default=False,
        description="Accept any http(s) chat webhook address, not only Slack's and Microsoft's (for tests).",
    )
    xapi_endpoint: str | None = Field(
        default=None,
        description="xAPI endpoint of the learning record store (https://lrs.example.com/xAPI/). Unset: no xAPI.",
    )
    xapi_username: str | None = Field(default=None, description="Basic-auth user name at the learning record store.")
    xapi_password: SecretStr | None = Field(default=None, description="Basic-auth password at the learning record store.")
    # Notifications, digest and nudges (#14)
    notification_poll_seconds: int = Field(
        default=30, ge=2, le=3600,
        description="How often each open page refreshes the unread notifications count in the navigation.",
    )
    digest_weekday: int = Field(
        default=0, ge=0, le=6,
        description="Day of the week the weekly digest goes out, in each person's own time zone (0 Monday, 6 Sunday).",
    )
    digest_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour (0-23, each person's own time zone) of the weekly digest.",
    )
    streak_nudge_hour: int = Field(
        default=19, ge=0, le=23,
        description="Local evening hour at which a person whose streak would end tonight is nudged.",
    )
    nudge_ahead_hours: int = Field(
        default=24, ge=1, le=168,
        description="How long before a challenge starts or ends its participants are nudged.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not (value.startswith("sqlite:") or value.startswith("postgresql+psycopg://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("api_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError("must be a rate limit such as 300/minute") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("mail_server", "mail_username", "mail_password", mode="before")
    @classmethod
    def _empty_mail_is_unset(cls, value):
        return None if value == "" else value

    @model_validator(mode="after")
    def _one_kind_of_tls(self):
        if self.mail_use_tls and self.mail_use_ssl:
            raise ValueError("MAIL_USE_TLS and MAIL_USE_SSL exclude each other; set one")
        return self

    @field_validator("openai_base_url", "openai_api_key", "oidc_issuer", "oidc_client_id", "oidc_client_secret",
                     "oidc_redirect_uri", "break_glass_admin_email", "public_url",
                     "badge_issuer_email", "outbound_encryption_key", "xapi_endpoint", "xapi_username",
                     "xapi_password", mode="before")
    @classmethod
    def _empty_is_unset(cls, value):
        return None if value == "" else value

    @field_validator("openai_base_url", "oidc_redirect_uri", "xapi_endpoint")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        local = parts.hostname in ("localhost", "127.0.0.1", "::1")
        # Tokens and codes cross this connection: plain HTTP only to a provider on this machine.
        if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and local)):
            raise ValueError("must be an https:// URL (http:// only for localhost)")
        return value.rstrip("/")

    @field_validator("oidc_allowed_email_domains")
    @classmethod
    def _domains(cls, value: str) -> str:
        domains = [domain.strip().lower().lstrip("@") for domain in value.split(",") if domain.strip()]
        for domain in domains:
            if "." not in domain or any(char in domain for char in "@/ :"):
                raise ValueError(f"{domain!r} is not an email domain")
        return ",".join(domains)

    @field_validator("break_glass_admin_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError("must be an email address")
        return value.strip().lower() if value else None

    @model_validator(mode="after")
    def _single_sign_on_complete(self):
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is")
        if not self.password_sign_in and not self.oidc_issuer:
            raise ValueError("PASSWORD_SIGN_IN can only be false when OIDC_ISSUER is set (nobody could sign in)")
        return self

    @property
    def uses_sso(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def allowed_email_domains(self) -> tuple[str, ...]:
        return tuple(domain for domain in self.oidc_allowed_email_domains.split(",") if domain)

    @field_validator("public_url")
    @classmethod
    def _public_origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") \
                or parts.query or parts.fragment:
            raise ValueError("must be an origin such as https://learn.example.com (no path)")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _xapi_complete(self):
        if self.xapi_endpoint and not (self.xapi_username and self.xapi_password):
            raise ValueError("XAPI_USERNAME and XAPI_PASSWORD must be set when XAPI_ENDPOINT is")
        if self.xapi_endpoint and not self.public_url:
            # Actors' home page and activity ids must be the same in every statement, whatever Host a request had.
            raise ValueError("PUBLIC_URL must be set when XAPI_ENDPOINT is (statements name the deployment by it)")
        return self

    @property
    def sends_xapi(self) -> bool:
        return self.xapi_endpoint is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    @property
    def sends_mail(self) -> bool:
        """True with an SMTP server; otherwise messages are written to files for a person to open."""
        return self.mail_server is not None

    @property
    def uses_llm(self) -> bool:
        return self.openai_api_key is not None

    def secret_key_value(self) -> str:
        """The configured key, or one generated once and kept in the instance folder."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        INSTANCE_DIR.mkdir(exist_ok=True)
        key_file = INSTANCE_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


_SECRET_NAMES = {"SECRET_KEY", "OPENAI_API_KEY", "OIDC_CLIENT_SECRET", "MAIL_PASSWORD", "OUTBOUND_ENCRYPTION_KEY",
                 "XAPI_PASSWORD"}


def load_settings(**overrides) -> Settings:
    """Read settings from the environment (overrides win).

    Raises SettingsError naming each bad variable, so start-up stops with a readable message.
    """
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            name = str(issue["loc"][0]).upper() if issue["loc"] else "settings"
            # A rule across several settings (no loc) gets every value as its input: never echo that.
            shown = "" if name in _SECRET_NAMES or not issue["loc"] else f" (got {issue.get('input')!r})"
            problems.append(f"{name}: {issue['msg']}{shown}")
        raise SettingsError("Invalid configuration: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once (workers and CLI use this; the app keeps its own)."""
    return load_settings()
