"""`s3bot run` as a separate process, talking to a fake Bot API over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests import factories
from tests.conftest import DATABASE_ENV, FIXTURE_KNOWLEDGE, TEST_TOKEN, reset_postgres
from tests.fakebot import FakeBotAPI, FakeBotServer

PROJECT = Path(__file__).resolve().parent.parent


def _sent_texts(calls) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in calls if c.method == "sendMessage"]


def test_whole_conversation_with_a_running_bot(tmp_path):
    db_url = os.environ.get(DATABASE_ENV)
    if db_url:
        asyncio.run(reset_postgres(db_url))
    else:
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    api = FakeBotAPI()
    with FakeBotServer(api) as server:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "DATABASE_URL": db_url,
            "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE),
            "ADMIN_IDS": str(factories.ADMIN_ID),
            "PYTHONPATH": str(PROJECT),
        }
        env.pop("WEBHOOK_URL", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls), 30)
            api.push_update(factories.message("/start"))
            api.wait_for(lambda calls: len(_sent_texts(calls)) >= 1)
            api.push_update(factories.message("what is the entrepreneurial discovery process"))
            calls = api.wait_for(lambda calls: len(_sent_texts(calls)) >= 2)
            answer = [c for c in calls if c.method == "sendMessage"][1]
            vote = next(d for _, d in answer.buttons if d.endswith(":1") and d.startswith("hlp:"))
            api.push_update(factories.callback(vote))
            api.wait_for(lambda calls: any(c.method == "answerCallbackQuery" for c in calls))
            api.push_update(factories.message("/stats", user_id=factories.ADMIN_ID))
            calls = api.wait_for(lambda calls: len(_sent_texts(calls)) >= 3)
        finally:
            proc.send_signal(signal.SIGINT)
            output, _ = proc.communicate(timeout=30)
    texts = _sent_texts(calls)
    assert "S3 Cluster Assistant" in texts[0], output
    assert texts[1].startswith("<b>The Entrepreneurial Discovery Process (EDP)</b>")
    assert "Helpful rate: 100% (1 of 1 votes)" in texts[2]
    assert proc.returncode == 0, output
    assert "database schema is up to date" in output
    if db_url.startswith("sqlite"):
        db = sqlite3.connect(db_url.split("///", 1)[1])
        assert db.execute("select status, entry_id from questions").fetchall() == [
            ("answered", "edp")]
        assert db.execute("select helpful from answer_feedback").fetchall() == [(1,)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, update: dict, secret: str) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_mode_checks_the_secret_and_answers(tmp_path):
    port = _free_port()
    api = FakeBotAPI()
    with FakeBotServer(api) as server:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hook.sqlite3'}",
            "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_SECRET": "s3cret-token",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "PYTHONPATH": str(PROJECT),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            calls = api.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), 30)
            hook = next(c for c in calls if c.method == "setWebhook")
            assert hook.params["url"] == f"http://127.0.0.1:{port}/hook"
            assert hook.params["secret_token"] == "s3cret-token"
            url = f"http://127.0.0.1:{port}/hook"
            deadline = time.monotonic() + 15
            while True:  # the webhook server starts listening right after setWebhook
                try:
                    status = _post(url, factories.message("/start"), "wrong-secret")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            assert status == 403
            assert _post(url, factories.message("what is the ERDF"), "s3cret-token") == 200
            calls = api.wait_for(lambda calls: len(_sent_texts(calls)) >= 1)
        finally:
            proc.send_signal(signal.SIGINT)
            output, _ = proc.communicate(timeout=30)
    texts = _sent_texts(calls)
    assert len(texts) == 1 and texts[0].startswith("<b>The European Regional Development Fund")
    assert proc.returncode == 0, output
