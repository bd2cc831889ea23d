"""Every setting Learnloop reads, its type and default, taken from the environment."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
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
    llm_max_retries: int = Field(default=3, ge=0, le=10, description="Retries of one LLM request on 429/5xx.")
    job_max_attempts: int = Field(default=5, ge=1, le=50, description="Attempts of a job before it is marked failed.")
    job_stale_seconds: int = Field(
        default=900, ge=30, description="A job claimed longer than this without finishing is handed out again."
    )
    outbox_pump: bool = Field(
        default=True,
        description="Run the outbox pump thread in each web process (runs jobs without Redis, dispatches them with it).",
    )
    public_url: str | None = Field(
        default=None,
        description="The deployment's public address (https://learn.example.com): the badge issuer's did:web and the "
                    "links in credentials. Unset: the address of each request (fine on one machine, not behind a proxy).",
    )
    badge_issuer_name: str = Field(
        default="Learnloop", min_length=1, max_length=120, description="The organisation named as issuer of badges."
    )
    badge_issuer_email: str | None = Field(
        default=None, description="Contact address in the badge issuer's profile (Open Badges 2.0 asks for one)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Log level.")

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

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("openai_base_url", "openai_api_key", "public_url", "badge_issuer_email", mode="before")
    @classmethod
    def _empty_is_unset(cls, value):
        return None if value == "" else value

    @field_validator("openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

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

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

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


_SECRET_NAMES = {"SECRET_KEY", "OPENAI_API_KEY"}


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
            shown = "" if name in _SECRET_NAMES else f" (got {issue.get('input')!r})"
            problems.append(f"{name}: {issue['msg']}{shown}")
        raise SettingsError("Invalid configuration: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once (workers and CLI use this; the app keeps its own)."""
    return load_settings()
