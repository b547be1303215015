"""Real-world settings Telegram and PTB accept stay accepted; secrets are masked without
breaking logging."""

from __future__ import annotations

import logging

import pytest

from bot import redact
from bot.config import ConfigError, load_settings


def load(**kw):  # type: ignore[no-untyped-def]
    return load_settings(_env_file=None, **kw)


@pytest.mark.parametrize(("env", "value", "stored"), [
    ({"TELEGRAM_API_BASE_URL": "https://api.telegram.org/bot{token}/test"}, None, None),
    ({"TELEGRAM_API_BASE_URL": "http://localhost:8081/bot"}, None, None),
    ({"TELEGRAM_API_BASE_URL": "http://botapi:8081/bot", "WEBHOOK_URL": "http://bot:8443/hook"},
     None, None),
    ({"WEBHOOK_URL": "https://bot.example.org:8443/hook"}, None, None),
    ({"LOG_LEVEL": "warn"}, "log_level", "WARNING"),
    ({"LOG_LEVEL": "Fatal"}, "log_level", "CRITICAL"),
])
def test_settings_that_work_with_telegram_are_accepted(monkeypatch, env, value, stored):
    for name, setting in env.items():
        monkeypatch.setenv(name, setting)
    settings = load()
    if value:
        assert getattr(settings, value) == stored


def test_an_http_webhook_with_telegrams_own_servers_is_refused(monkeypatch):
    monkeypatch.setenv("WEBHOOK_URL", "http://bot.example.org/hook")
    with pytest.raises(ConfigError, match=r"^WEBHOOK_URL: must be an https URL"):
        load()


@pytest.fixture
def secrets():  # type: ignore[no-untyped-def]
    saved = set(redact.SECRETS), set(redact.PASSWORDS)
    yield redact
    redact.SECRETS.clear(), redact.SECRETS.update(saved[0])
    redact.PASSWORDS.clear(), redact.PASSWORDS.update(saved[1])


def test_a_short_password_is_masked_in_urls_not_in_words(secrets):
    secrets.PASSWORDS.add("pw")
    assert (secrets.redact("postgresql+asyncpg://postgres:pw@db/x: a pw in a sentence")
            == "postgresql+asyncpg://postgres:***@db/x: a pw in a sentence")
    secrets.PASSWORDS.add("s3cret-Passw0rd!")
    assert secrets.redact("auth failed for s3cret-Passw0rd!") == "auth failed for ***"


def test_a_badly_formatted_log_call_does_not_raise_into_the_handler(secrets, caplog):
    secrets.SECRETS.add("123456:" + "A" * 30)
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "bad %d", ("notanint",), None)
    assert secrets.RedactSecrets().filter(record) is True
    assert (record.msg, record.args) == ("bad %d", ("notanint",))  # left for logging to report
