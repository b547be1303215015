"""/report and /export edge cases: format words as arguments, the write lock while the chart or
the file is built, work off the event loop, and personal data kept out of group chats."""

from __future__ import annotations

import sqlite3
import threading

import matplotlib.figure
import pytest

from bot.services import feedback_export
from tests import factories
from tests.services.test_feedback_report import seed

ADMIN = {"user_id": factories.ADMIN_ID}
GROUP = {"id": -100123, "type": "supergroup", "title": "Project partners"}


def _sqlite_path(settings) -> str:  # type: ignore[no-untyped-def]
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the write lock of a whole database is SQLite's")
    return settings.database_url.split("///", 1)[1]


def _write_lock_free(path: str) -> bool:
    """Whether another connection could write now, without waiting."""
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


async def test_report_with_a_format_word_and_no_feedback(harness):
    for command in ("/report csv", "/report XLSX"):
        reply = await harness.ask(command, **ADMIN)
        assert "No feedback yet for all services" in reply.text


async def test_report_with_a_format_word_covers_every_service(harness, session):
    await seed(session)
    calls = await harness.say("/report xlsx", **ADMIN)
    (text,) = harness.messages(calls)
    assert "Feedback report — all services · Feedback on a piloted service" in text.text
    assert "Internationalisation coaching" not in text.text


async def test_report_draws_the_chart_without_the_write_lock(harness, session, settings,
                                                            monkeypatch):
    path = _sqlite_path(settings)
    await seed(session)
    real = matplotlib.figure.Figure.savefig
    free: list[bool] = []

    def probing_savefig(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        free.append(_write_lock_free(path))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", probing_savefig)
    calls = await harness.say("/report", **ADMIN)
    assert [c.method for c in calls].count("sendPhoto") == 1
    assert free == [True]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_export_builds_the_file_off_the_loop_without_the_write_lock(
        harness, session, settings, monkeypatch, fmt):
    path = _sqlite_path(settings)
    await seed(session)
    loop_thread = threading.get_ident()
    real = getattr(feedback_export, f"to_{fmt}")
    seen: list[tuple[bool, bool]] = []

    def probing(table):  # type: ignore[no-untyped-def]
        seen.append((_write_lock_free(path), threading.get_ident() != loop_thread))
        return real(table)

    monkeypatch.setattr(feedback_export, f"to_{fmt}", probing)
    calls = await harness.say(f"/export coaching {fmt}", **ADMIN)
    (document,) = [c for c in calls if c.method == "sendDocument"]
    assert document.params["_files"]["document"][0] == f"feedback-coaching.{fmt}"
    assert seen == [(True, True)]  # lock free, and not on the event loop's thread


@pytest.mark.parametrize("command", ["/export coaching", "/export", "/report coaching",
                                     "/report"])
async def test_no_personal_data_in_a_group(harness, session, command):
    await seed(session)
    calls = await harness.say(command, chat=GROUP, **ADMIN)
    assert not [c for c in calls if c.method in ("sendDocument", "sendPhoto")]
    (reply,) = harness.messages(calls)
    assert "only in a private chat" in reply.text
    assert "Firm" not in reply.text and "Too short" not in reply.text


async def test_a_group_still_refuses_non_staff_first(harness):
    reply = await harness.ask("/export", chat=GROUP)
    assert "for project staff only" in reply.text
