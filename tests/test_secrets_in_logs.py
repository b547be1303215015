"""The bot token and the webhook secret never appear in output or logs, whatever goes wrong."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import FIXTURE_KNOWLEDGE, TEST_TOKEN
from tests.fakebot import FakeBotAPI, FakeBotServer

PROJECT = Path(__file__).resolve().parent.parent
SECRET_HALF = TEST_TOKEN.partition(":")[2]
HOOK_SECRET = "s3cretHookValue"


def _env(tmp_path: Path, base_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WEBHOOK", "DATABASE", "TELEGRAM", "LOG_LEVEL"))}
    env.update({"TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": base_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
                "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE), "PYTHONPATH": str(PROJECT), **extra})
    return env


def _bot(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    # Output to a file: DEBUG logs would fill a pipe nobody reads yet and stall the bot.
    log = (tmp_path / "out.log").open("w")
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)


def _output(proc: subprocess.Popen[str], tmp_path: Path) -> str:
    proc.wait(timeout=60)
    return (tmp_path / "out.log").read_text()


def test_a_rejected_token_is_one_line_without_the_token(tmp_path):
    api = FakeBotAPI()
    api.fail_next("getMe", 401, "Unauthorized")
    with FakeBotServer(api) as server:
        proc = _bot(tmp_path, _env(tmp_path, server.base_url))
        out = _output(proc, tmp_path)
    assert proc.returncode == 2, out
    assert "s3bot: TELEGRAM_BOT_TOKEN was rejected by Telegram" in out
    assert SECRET_HALF not in out and "Traceback" not in out


def test_debug_logs_of_a_webhook_bot_hide_token_and_secret(tmp_path):
    port = _free_port()
    api = FakeBotAPI()
    with FakeBotServer(api) as server:
        proc = _bot(tmp_path, _env(
            tmp_path, server.base_url, LOG_LEVEL="DEBUG", WEBHOOK_SECRET=HOOK_SECRET,
            WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port)))
        try:
            api.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), 30)
        finally:
            proc.send_signal(signal.SIGINT)
            out = _output(proc, tmp_path)
    assert "Set Bot API URL" in out and "setWebhook" in out  # what used to carry them
    assert SECRET_HALF not in out and HOOK_SECRET not in out


def test_digest_send_with_a_rejected_token(tmp_path, monkeypatch, capsys, caplog):
    api = FakeBotAPI()
    api.fail_next("getMe", 401, "Unauthorized")
    with FakeBotServer(api) as server:
        for name, value in _env(tmp_path, server.base_url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        assert main(["digest", "send"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN was rejected" in err and "Traceback" not in err
    assert SECRET_HALF not in err + caplog.text


@pytest.mark.parametrize("base", ["http://localhost:8081", "http://127.0.0.1:1"])
def test_a_base_url_without_bot_is_refused_before_the_token_is_used(tmp_path, monkeypatch,
                                                                     capsys, base):
    monkeypatch.chdir(tmp_path)
    for name, value in _env(tmp_path, base).items():
        monkeypatch.setenv(name, value)
    assert main(["digest", "send"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_API_BASE_URL" in err and SECRET_HALF not in err


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
