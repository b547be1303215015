"""End-to-end: questions in chat, answers, suggestions, votes."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AnswerFeedback, Question, User
from tests import factories


async def _questions(harness) -> list[Question]:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return list((await s.scalars(select(Question).order_by(Question.id))).all())


async def test_answered_question_shows_body_sources_related_and_votes(harness):
    reply = await harness.ask("what is the entrepreneurial discovery process?")
    assert reply.text.startswith("<b>The Entrepreneurial Discovery Process (EDP)</b>")
    assert "<b>inclusive, evidence-based</b>" in reply.text
    assert 'href="https://doi.org/10.2776/65746"' in reply.text
    buttons = reply.buttons
    assert ("RIS3 — research and innovation strategies for smart special…", "ans:ris3") in buttons
    (question,) = await _questions(harness)
    assert question.status == "answered" and question.entry_id == "edp"
    assert question.user_id == factories.USER_ID and question.score > 0.6
    assert (buttons[-2][1], buttons[-1][1]) == (f"hlp:{question.id}:1", f"hlp:{question.id}:0")


async def test_vote_is_stored_and_can_be_changed(harness):
    await harness.ask("what is the ERDF")
    (question,) = await _questions(harness)
    calls = await harness.press(f"hlp:{question.id}:0")
    assert calls[-1].method == "answerCallbackQuery"
    calls = await harness.press(f"hlp:{question.id}:1")
    assert "Glad it helped" in calls[-1].params["text"]
    async with harness.runtime.sessionmaker() as s:
        votes = (await s.scalars(select(AnswerFeedback))).all()
    assert [(v.question_id, v.entry_id, v.helpful) for v in votes] == [(question.id, "erdf", True)]


async def test_someone_elses_vote_button_is_refused(harness):
    await harness.ask("what is the ERDF")
    (question,) = await _questions(harness)
    calls = await harness.press(f"hlp:{question.id}:1", user_id=999)
    assert "no longer active" in calls[-1].params["text"]
    async with harness.runtime.sessionmaker() as s:
        assert (await s.scalars(select(AnswerFeedback))).all() == []


async def test_no_match_is_logged_and_suggests_topics(harness):
    reply = await harness.ask("best pasta recipe in Bologna")
    assert "don't have an answer" in reply.text and "/topics" in reply.text
    (question,) = await _questions(harness)
    assert question.status == "no_match" and question.entry_id is None


async def test_ambiguous_question_offers_buttons_and_records_the_pick(harness):
    reply = await harness.ask("cluster excellence label")
    (question,) = await _questions(harness)
    assert question.status == "ambiguous"
    assert "Did you mean" in reply.text
    datas = [b[1] for b in reply.buttons]
    assert sorted(datas) == sorted(
        f"dym:{question.id}:{e}" for e in ("cluster-label-gold", "cluster-label-silver")
    )
    calls = await harness.press(datas[0])
    answer = harness.messages(calls)[0]
    assert f"hlp:{question.id}:1" in [b[1] for b in answer.buttons]
    async with harness.runtime.sessionmaker() as s:
        stored = await s.get(Question, question.id)
    assert stored.resolved_entry_id == datas[0].split(":")[2]
    # the vote on a resolved question counts for the picked entry
    await harness.press(f"hlp:{question.id}:1")
    async with harness.runtime.sessionmaker() as s:
        vote = await s.scalar(select(AnswerFeedback))
    assert vote.entry_id == stored.resolved_entry_id and vote.helpful


async def test_html_in_question_is_escaped(harness):
    reply = await harness.ask("<b>weather</b> & <script>")
    assert "&lt;b&gt;weather&lt;/b&gt; &amp; &lt;script&gt;" in reply.text


async def test_too_long_and_blank_messages_get_polite_answers(harness):
    reply = await harness.ask("x" * 5000)
    assert "too long" in reply.text
    reply = await harness.ask("   ")
    assert "Please type a question" in reply.text
    assert await _questions(harness) == []


async def test_non_text_message_is_answered_politely(harness):
    calls = await harness.feed(factories.sticker())
    assert "only read text" in harness.messages(calls)[0].text


async def test_unknown_command(harness):
    reply = await harness.ask("/frobnicate")
    assert "don't know that command" in reply.text


async def test_stale_and_unknown_buttons_are_answered_quietly(harness):
    for data in ("ans:deleted-entry", "dym:99999:edp", "hlp:99999:1", "zzz:old", "tag:gone:0"):
        calls = await harness.press(data)
        assert "answerCallbackQuery" in [c.method for c in calls], data
        assert not [c for c in calls if c.method == "sendMessage" and "went wrong" in c.text]


async def test_user_is_recorded_with_language(harness):
    await harness.ask("what is the ERDF", language_code="de-AT")
    async with harness.runtime.sessionmaker() as s:
        user = await s.get(User, factories.USER_ID)
    assert user.telegram_language == "de-AT" and user.language is None and user.role == "user"


async def test_long_answer_is_split_with_buttons_on_the_last_part(harness):
    calls = await harness.say("long guide to regional innovation monitoring")
    parts = harness.messages(calls)
    assert len(parts) == 2
    assert all(len(p.text) <= 4096 for p in parts)
    assert parts[0].buttons == [] and parts[1].buttons[-1][1].startswith("hlp:")
    assert parts[0].text.startswith("<b>A long guide") and "Source number 7" in parts[1].text
    for part in parts:
        assert part.text.count("<b>") == part.text.count("</b>")


async def test_invisible_or_emoji_only_messages_are_not_questions(harness):
    for text in ("\u200b\u200b", "🙂🙂🙂", "?!"):
        reply = await harness.ask(text)
        assert "Please type a question" in reply.text
    assert await _questions(harness) == []


async def test_control_characters_are_not_stored(harness):
    await harness.ask("what is the\x00 ERDF")
    (question,) = await _questions(harness)
    assert "\x00" not in question.text and question.entry_id == "erdf"
