"""End-to-end: staff commands."""

from __future__ import annotations

import shutil

from tests import factories
from tests.conftest import FIXTURE_KNOWLEDGE

ADMIN = {"user_id": factories.ADMIN_ID}


async def test_staff_commands_refuse_other_users(harness):
    for command in ("/gaps", "/stats", "/reload"):
        reply = await harness.ask(command)
        assert "for project staff only" in reply.text


async def test_gaps_groups_near_duplicates_and_lists_resolved_phrasings(harness):
    for text in ("best pasta recipe", "pasta recipe best", "best pasta recipes", "weather tomorrow"):
        await harness.ask(text)
    await harness.ask("what is the ERDF")
    from sqlalchemy import select

    from bot.db.models import Question
    async with harness.runtime.sessionmaker() as s:
        erdf = await s.scalar(select(Question).where(Question.entry_id == "erdf"))
    await harness.press(f"hlp:{erdf.id}:0")
    await harness.ask("cluster excellence label")
    async with harness.runtime.sessionmaker() as s:
        ambiguous = await s.scalar(select(Question).where(Question.status == "ambiguous"))
    await harness.press(f"dym:{ambiguous.id}:cluster-label-gold")

    reply = await harness.ask("/gaps 7", **ADMIN)
    lines = reply.text.splitlines()
    assert any(line.startswith("1. 3× “best pasta recipes”") for line in lines), reply.text
    assert "“what is the ERDF” — marked unhelpful" in reply.text
    assert "“weather tomorrow” — no answer" in reply.text
    assert "<code>cluster-label-gold</code>): “cluster excellence label”" in reply.text


async def test_gaps_with_nothing_to_report_and_bad_argument(harness):
    assert "Nothing to report" in (await harness.ask("/gaps", **ADMIN)).text
    assert "whole number" in (await harness.ask("/gaps lots", **ADMIN)).text


async def test_stats_counts_questions_and_votes(harness):
    await harness.ask("what is the ERDF")
    await harness.ask("pasta recipe")
    from sqlalchemy import select

    from bot.db.models import Question
    async with harness.runtime.sessionmaker() as s:
        erdf = await s.scalar(select(Question).where(Question.entry_id == "erdf"))
    await harness.press(f"hlp:{erdf.id}:1")
    reply = await harness.ask("/stats", **ADMIN)
    assert "Questions: 2 (answered 1, did-you-mean 0, no answer 1)" in reply.text
    assert "Answer rate: 50%" in reply.text
    assert "Helpful rate: 100% (1 of 1 votes)" in reply.text


async def test_reload_picks_up_new_entries_and_keeps_old_index_on_errors(harness, tmp_path):
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    harness.runtime.settings.knowledge_dir = folder
    (folder / "entries" / "interreg.md").write_text(
        "---\ntitle: Interreg\nquestions:\n  - What is Interreg?\ntags: [funding]\n---\n"
        "Interreg funds cooperation across borders.\n", encoding="utf-8")
    reply = await harness.ask("/reload", **ADMIN)
    assert "8 entries" in reply.text
    assert (await harness.ask("what is interreg")).text.startswith("<b>Interreg</b>")

    (folder / "entries" / "broken.md").write_text("---\ntitle: [unclosed\n---\nx\n", encoding="utf-8")
    reply = await harness.ask("/reload", **ADMIN)
    assert "kept the previous version" in reply.text and "broken.md:2" in reply.text
    assert harness.runtime.index.size == 8
