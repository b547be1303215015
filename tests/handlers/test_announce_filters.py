"""/announce filters written on separate lines or with extra spaces."""

from __future__ import annotations

import asyncio

from bot.db.digest import DigestSubscription
from bot.handlers import digest
from bot.services.subscriptions import subscribe
from tests import factories
from tests.services.test_digest_support import FakeClock, fake_limiter

ADMIN = {"user_id": factories.ADMIN_ID}
ITALIAN_ALL, ITALIAN_BASICS, ENGLISH = 501, 502, 503


async def _subscribers(harness) -> None:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        for chat, lang in ((ITALIAN_ALL, "it"), (ITALIAN_BASICS, "it"), (ENGLISH, "en")):
            await subscribe(s, chat, language=lang, timezone="Europe/Rome", user_id=None)
        (await s.get(DigestSubscription, 2)).topics = ["s3-basics"]
        await s.commit()
    digest._state(harness.app).limiter = fake_limiter(FakeClock())


async def _announce(harness, command: str) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    """Send the command as staff, wait for the drain; returns chat -> announcements."""
    before = len(harness.api.calls)
    reply = await harness.ask(command, **ADMIN)
    assert "1 message queued" in reply.text, reply.text
    await asyncio.sleep(0)  # let the background drain start, then wait for it
    async with digest._state(harness.app).lock:
        pass
    sent: dict[int, list[str]] = {}
    for call in harness.api.calls[before:]:
        if call.method == "sendMessage" and "Comunicazione" in call.text:
            sent.setdefault(int(call.params["chat_id"]), []).append(call.text)
    return sent


def _body(text: str) -> str:
    """The announcement's own text, between the template's heading and footer."""
    return "\n\n".join(text.split("\n\n")[1:-1])


async def test_filters_on_separate_lines(harness):
    await _subscribers(harness)
    sent = await _announce(harness, "/announce lang:it\ntopic:funding\nTesto importante")
    assert list(sent) == [ITALIAN_ALL]  # the topic filter applies too
    assert _body(sent[ITALIAN_ALL][0]) == "Testo importante"


async def test_filters_with_extra_spaces_and_blank_lines(harness):
    await _subscribers(harness)
    sent = await _announce(
        harness, "/announce   lang:it \n\n  topic:funding   \n\nPrima riga\nSeconda riga  ")
    assert list(sent) == [ITALIAN_ALL]
    assert _body(sent[ITALIAN_ALL][0]) == "Prima riga\nSeconda riga"
