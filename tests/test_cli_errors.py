"""Start-up and CLI mistakes end with one line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import shutil

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings
from tests.conftest import FIXTURE_KNOWLEDGE, TEST_TOKEN


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no developer .env; the default SQLite file lands here
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "KNOWLEDGE_DIR", "ADMIN_IDS", "LOG_LEVEL",
                 "SEMANTIC_MODEL", "WEBHOOK_URL", "WEBHOOK_SECRET", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KNOWLEDGE))


def _one_line(capsys) -> str:  # type: ignore[no-untyped-def]
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("s3bot:")]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("url", [
    "sqlite+aiosqlite:////nonexistent/dir/x.sqlite3",
    "postgresql+asyncpg://someone:pa55word@127.0.0.1:1/nosuch",
])
def test_unusable_database_is_one_line_without_the_password(capsys, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 2
    line = _one_line(capsys)
    assert "database" in line and "pa55word" not in line


def test_downgrade_to_an_unknown_revision(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    assert main(["db", "downgrade", "nosuch"]) == 2
    assert "nosuch" in _one_line(capsys)


def test_log_level_is_validated(capsys, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    assert main(["db", "upgrade"]) == 2
    assert "LOG_LEVEL" in _one_line(capsys)
    assert load_settings(_env_file=None, log_level="debug").log_level == "DEBUG"


def test_export_without_a_database_says_to_migrate_and_creates_no_file(capsys, tmp_path):
    assert main(["feedback", "export"]) == 2
    assert "s3bot db upgrade" in _one_line(capsys)
    assert not (tmp_path / "s3bot.sqlite3").exists()


def test_export_from_an_unmigrated_database_says_to_migrate(capsys, tmp_path, monkeypatch):
    (tmp_path / "empty.sqlite3").touch()
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    assert main(["feedback", "export"]) == 2
    assert "s3bot db upgrade" in _one_line(capsys)


@pytest.mark.parametrize("output", ["missing/out.csv", "."])
def test_export_to_a_bad_output_path(capsys, tmp_path, monkeypatch, output):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["feedback", "export", "--output", str(tmp_path / output)]) == 2
    assert "--output" in _one_line(capsys)


@pytest.mark.parametrize("command", ["status", "preview", "send"])
def test_digest_commands_with_a_broken_knowledge_folder(capsys, tmp_path, monkeypatch, command):
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KNOWLEDGE, kb)
    (kb / "entries" / "oops.md").mkdir()
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TEST_TOKEN)
    assert main(["digest", command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("s3bot: ") and "oops.md" in err and "Traceback" not in err


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("TELEGRAM_API_BASE_URL", "http://localhost:8081", "/bot"),
    ("WEBHOOK_SECRET", "has spaces", "WEBHOOK_SECRET"),
    ("WEBHOOK_SECRET", "x" * 257, "WEBHOOK_SECRET"),
    ("WEBHOOK_URL", "http://bot.example.org/hook", "https"),
])
def test_settings_telegram_would_refuse(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=expected) as err:
        load_settings(_env_file=None)
    assert str(err.value).startswith(name) and value not in str(err.value)


def test_an_empty_webhook_secret_is_derived_like_an_unset_one(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    settings = load_settings(_env_file=None)
    monkeypatch.delenv("WEBHOOK_SECRET")
    assert settings.webhook_secret_value() == load_settings(_env_file=None).webhook_secret_value()
    assert settings.webhook_secret_value()


def test_local_http_webhook_and_self_hosted_api_are_accepted(monkeypatch):
    monkeypatch.setenv("WEBHOOK_URL", "http://127.0.0.1:8443/hook")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://localhost:8081/bot")
    assert load_settings(_env_file=None).webhook_url == "http://127.0.0.1:8443/hook"
