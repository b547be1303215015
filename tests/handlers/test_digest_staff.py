"""Digest staff commands at their edges: a subscribed admin's preview, announcement filters
that are mistyped."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.db.digest import DigestOutbox
from bot.services.subscriptions import subscribe
from tests import factories
from tests.handlers.test_announce_filters import ITALIAN_ALL, _subscribers

ADMIN = {"user_id": factories.ADMIN_ID}


async def _queued(harness) -> int:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(DigestOutbox)) or 0)


async def test_preview_for_a_subscribed_admin(harness, caplog):
    await harness.say("/help", **ADMIN)
    async with harness.runtime.sessionmaker() as s:
        await subscribe(s, factories.ADMIN_ID, language="en", timezone="Europe/Rome",
                        user_id=factories.ADMIN_ID)
        await s.commit()
    sent = harness.messages(await harness.say("/digest_preview", **ADMIN))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert sent and "reply_markup" in sent[-1].params, [m.text for m in sent]
    assert "dgu:1" in str(sent[-1].params["reply_markup"])


@pytest.mark.parametrize(("command", "shown"), [
    ("/announce lang: it Ciao a tutti", "<code>lang:</code>"),
    ("/announce lang:xx Hello", "<code>lang:xx</code>"),
    ("/announce lang:it: Ciao", "<code>lang:it:</code>"),
    ("/announce topic:fundng Hello", "<code>topic:fundng</code>"),
    ("/announce lang:it topic: Hello", "<code>topic:</code>"),
])
async def test_unusable_filter_is_refused_and_nothing_queued(harness, command, shown):
    await _subscribers(harness)
    reply = await harness.ask(command, **ADMIN)
    assert shown in reply.text and "nothing was sent" in reply.text, reply.text
    assert "queued" not in reply.text
    assert await _queued(harness) == 0


async def test_refusal_lists_the_choices_in_the_admins_language(harness):
    await _subscribers(harness)
    reply = await harness.ask("/announce topic:fundng Ciao", user_id=factories.ADMIN_ID,
                              language_code="it")
    assert "non è stato inviato nulla" in reply.text and "<code>funding</code>" in reply.text
    reply = await harness.ask("/announce lang:es Hola", **ADMIN)
    assert "<code>sl</code>" in reply.text


async def test_filters_are_compared_in_lower_case(harness):
    await _subscribers(harness)
    reply = await harness.ask("/announce lang:IT topic:FUNDING Ciao", **ADMIN)
    assert "1 message queued" in reply.text, reply.text  # the Italian all-topics subscriber
    async with harness.runtime.sessionmaker() as s:
        chats = set((await s.scalars(select(DigestOutbox.chat_id))).all())
    assert chats == {ITALIAN_ALL}
