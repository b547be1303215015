"""Staff commands at their edges: odd day counts, groups, long questions, and slow /gaps and
/reload that must not stall the bot (or hold SQLite's write lock) for everyone else."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time

import pytest
from telegram import Update

from bot import runtime as runtime_module
from bot.services import gaps
from tests import factories

ADMIN = {"user_id": factories.ADMIN_ID}
GROUP = {"id": -100123, "type": "supergroup", "title": "Project partners"}


async def say(harness, text: str, **kwargs):  # type: ignore[no-untyped-def]
    """Send a message and wait for the handlers it started as tasks (block=False) too;
    returns the messages the bot sent."""
    before, tasks = len(harness.api.calls), asyncio.all_tasks()
    await harness.say(text, **kwargs)
    started = [t for t in asyncio.all_tasks() - tasks if "non_blocking" in t.get_name()]
    await asyncio.gather(*started)
    return harness.messages(harness.api.calls[before:])


async def wait_for(condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def sent_to(harness, chat_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in harness.api.calls
            if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id]


@pytest.mark.parametrize("command", ["/gaps ²", "/stats ³", "/gaps ٣"])
async def test_days_must_be_ascii_digits(harness, caplog, command):
    sent = await say(harness, command, **ADMIN)
    assert [m for m in sent if "whole number" in m.text], [m.text for m in sent]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_gaps_in_a_group_points_to_a_private_chat(harness):
    await harness.ask("my secret question about pasta")
    sent = await say(harness, "/gaps", chat=GROUP, **ADMIN)
    assert len(sent) == 1 and "private chat" in sent[0].text
    assert "pasta" not in sent[0].text
    sent = await say(harness, "/gaps", **ADMIN)  # in private it works
    assert "pasta" in sent[0].text


async def test_gaps_shows_long_questions_shortened(harness):
    long = " ".join(f"word{i}" for i in range(80))[:490]
    await harness.ask(long)
    text = "\n".join(m.text for m in await say(harness, "/gaps", **ADMIN))
    assert long not in text
    assert long[:150] in text and "…" in text


def test_grouping_compares_the_start_of_long_questions():
    head = " ".join(f"topic{i}" for i in range(40))
    rows = [(head + " " + " ".join(f"{word}{i}" for i in range(60)), "no_match")
            for word in ("alpha", "zulu")]  # the same start, then different words
    groups = gaps.group_questions(rows)
    assert len(groups) == 1 and groups[0].count == 2
    assert len(groups[0].text) <= gaps.SHOWN_CHARS and groups[0].text.endswith("…")


async def test_slow_gaps_neither_stalls_others_nor_holds_the_write_lock(harness, settings,
                                                                        monkeypatch):
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the write lock of a whole database is SQLite's")
    await harness.ask("weather tomorrow")
    release, grouping = threading.Event(), threading.Event()
    real = gaps.group_questions

    def slow(rows):  # type: ignore[no-untyped-def]
        grouping.set()
        assert release.wait(10)
        return real(rows)

    monkeypatch.setattr(gaps, "group_questions", slow)
    app = harness.app
    await app.start()
    try:
        await app.update_queue.put(Update.de_json(factories.message("/gaps", **ADMIN), app.bot))
        await wait_for(grouping.is_set)
        connection = sqlite3.connect(settings.database_url.split("///", 1)[1], timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")  # raises "database is locked" if held
            connection.rollback()
        finally:
            connection.close()
        await app.update_queue.put(Update.de_json(factories.message("what is the ERDF"), app.bot))
        await wait_for(lambda: sent_to(harness, factories.USER_ID)[1:])
        assert not sent_to(harness, factories.ADMIN_ID)  # /gaps is still grouping
        release.set()
        await wait_for(lambda: sent_to(harness, factories.ADMIN_ID))
        assert "weather tomorrow" in sent_to(harness, factories.ADMIN_ID)[0]
    finally:
        release.set()
        await app.stop()


async def test_slow_reload_does_not_stall_others_and_reloads_run_in_turn(harness, monkeypatch):
    real = runtime_module.build_index
    release, lock = threading.Event(), threading.Lock()
    running, overlapped, builds = [0], [False], []

    def slow(settings, encoder=None):  # type: ignore[no-untyped-def]
        with lock:
            running[0] += 1
            overlapped[0] |= running[0] > 1
            builds.append(1)
        try:
            assert release.wait(10)
            return real(settings, encoder)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(runtime_module, "build_index", slow)
    app = harness.app
    await app.start()
    try:
        for text, who in (("/reload", ADMIN), ("/reload", ADMIN), ("what is the ERDF", {})):
            await app.update_queue.put(Update.de_json(factories.message(text, **who), app.bot))
        # The question is answered while the first build waits (its thread may start a moment
        # after the answer); the second /reload waits for the first.
        await wait_for(lambda: sent_to(harness, factories.USER_ID) and builds)
        assert builds == [1] and not sent_to(harness, factories.ADMIN_ID)
        release.set()
        await wait_for(lambda: len(sent_to(harness, factories.ADMIN_ID)) == 2)
        assert all("entries" in text for text in sent_to(harness, factories.ADMIN_ID))
        assert len(builds) == 2 and not overlapped[0]
    finally:
        release.set()
        await app.stop()
