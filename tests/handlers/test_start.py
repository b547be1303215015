"""End-to-end: /start, /help, /language."""

from __future__ import annotations

from bot.db.models import User
from tests import factories


async def test_start_welcomes_in_english_with_entry_count(harness):
    reply = await harness.ask("/start")
    assert "Hello, Ana!" in reply.text and "7 entries" in reply.text and "/topics" in reply.text


async def test_help_shows_staff_commands_only_to_admins(harness):
    assert "/gaps" not in (await harness.ask("/help")).text
    assert "/gaps" in (await harness.ask("/help", user_id=factories.ADMIN_ID)).text


async def test_language_choice_is_saved_and_used(harness):
    prompt = await harness.ask("/language")
    assert [b[1] for b in prompt.buttons] == [f"lang:{c}" for c in ("en", "it", "de", "fr", "sl")]
    assert prompt.buttons[0][0].startswith("✓")
    calls = await harness.press("lang:it")
    edited = harness.messages(calls)[0]
    assert edited.method == "editMessageText"
    assert edited.buttons[1][0].startswith("✓")
    async with harness.runtime.sessionmaker() as s:
        assert (await s.get(User, factories.USER_ID)).language == "it"
    # A translated entry is answered in Italian, an untranslated one in English with a note.
    answer = await harness.ask("che cos'è la scoperta imprenditoriale?")
    assert answer.text.startswith("<b>Il processo di scoperta imprenditoriale (EDP)</b>")
    answer = await harness.ask("what is the ERDF")
    assert "The European Regional Development Fund" in answer.text
    assert "<i>" in answer.text.rsplit("\n", 1)[-1]


async def test_telegram_language_code_is_used_when_nothing_chosen(harness):
    reply = await harness.ask("what is the entrepreneurial discovery process", language_code="it")
    assert reply.text.startswith("<b>Il processo di scoperta imprenditoriale")


async def test_unsupported_language_falls_back_to_default(harness):
    reply = await harness.ask("what is the entrepreneurial discovery process", language_code="pt-br")
    assert reply.text.startswith("<b>The Entrepreneurial Discovery Process")


async def test_bad_language_button_is_refused(harness):
    calls = await harness.press("lang:xx")
    assert calls[-1].method == "answerCallbackQuery"
    async with harness.runtime.sessionmaker() as s:
        assert (await s.get(User, factories.USER_ID)).language is None
