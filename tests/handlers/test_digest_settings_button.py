"""The ⚙️ settings button under a digest sends the settings as a new message: editing the
message it belongs to would replace the digest (in a group, for every member)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.digest import DigestSubscription
from bot.handlers import digest
from bot.services import subscriptions
from tests import factories
from tests.conftest import make_settings
from tests.fakebot import BOT_ID
from tests.services.test_digest_support import FakeClock, fake_limiter, make_knowledge

MONDAY_9_ROME = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
GROUP = {"id": -100500, "type": "supergroup", "title": "Cluster team"}


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    return make_settings(db_url, knowledge_dir=make_knowledge(tmp_path))


@pytest.fixture(autouse=True)
def subscribed_the_wednesday_before(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(subscriptions, "utcnow", lambda: datetime(2026, 11, 25, 12, tzinfo=UTC))


def _press_under(data: str, message, chat: dict, user_id: int = factories.USER_ID):  # type: ignore[no-untyped-def]
    """A press on a button of `message` (a sent Call), with its keyboard, as Telegram sends it."""
    return {"update_id": int(time.time() * 1000) % 10**9, "callback_query": {
        "id": f"cq-{data}", "from": factories.user(user_id), "chat_instance": "ci", "data": data,
        "message": {"message_id": 1001, "date": int(time.time()), "chat": chat,
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "S3 Assistant"},
                    "text": message.text, "reply_markup": {"inline_keyboard": [
                        [{"text": label, "callback_data": d}] for label, d in message.buttons]}}}}


async def _first_digest(harness, chat_id: int):  # type: ignore[no-untyped-def]
    digest._state(harness.app).limiter = fake_limiter(FakeClock())
    await digest.check_due(harness.app, now=MONDAY_9_ROME)
    [sent] = [c for c in harness.api.sent("sendMessage")
              if int(c.params["chat_id"]) == chat_id and "what is new" in c.text]
    return sent


async def test_settings_under_a_digest_come_as_a_new_message(harness):
    await harness.ask("/subscribe")
    sent = await _first_digest(harness, factories.USER_ID)
    settings_data = sent.buttons[0][1]
    assert all(len(d.encode()) <= 64 for _, d in sent.buttons)
    calls = await harness.feed(_press_under(settings_data, sent, factories.private_chat()))
    assert not [c for c in calls if c.method == "editMessageText"]
    [shown] = harness.messages(calls)
    assert shown.method == "sendMessage" and "weekly, on Monday, at 09:00" in shown.text
    # The settings message's own buttons still edit it in place.
    sub_id = settings_data.split(":")[1]
    back = harness.messages(await harness.press(f"sub:{sub_id}:show"))
    assert [c.method for c in back] == ["editMessageText"]


async def test_in_a_group_the_digest_stays_for_everyone(harness):
    original = harness.api._result

    def admins_only_ana(method, params):  # type: ignore[no-untyped-def]
        if method == "getChatMember":
            user_id = int(params["user_id"])
            user = {"id": user_id, "is_bot": False, "first_name": "X"}
            if user_id == factories.USER_ID:
                return {"status": "creator", "user": user, "is_anonymous": False}
            return {"status": "member", "user": user}
        return original(method, params)

    harness.api._result = admins_only_ana
    await harness.ask("/subscribe", chat=GROUP)
    sent = await _first_digest(harness, GROUP["id"])
    calls = await harness.feed(_press_under(sent.buttons[0][1], sent, GROUP))
    [shown] = harness.messages(calls)
    assert shown.method == "sendMessage" and int(shown.params["chat_id"]) == GROUP["id"]
    assert "Cluster team" in shown.text


async def test_the_old_show_button_under_digests_already_sent_keeps_them_too(harness):
    await harness.ask("/subscribe")
    sent = await _first_digest(harness, factories.USER_ID)
    async with harness.runtime.sessionmaker() as s:
        sub = await s.scalar(select(DigestSubscription))
    legacy = sent.buttons[0][1].replace(":open", ":show")
    sent.params["reply_markup"] = {"inline_keyboard": [
        [{"text": "⚙️", "callback_data": legacy}], [{"text": "🔕", "callback_data": f"dgu:{sub.id}"}]]}
    calls = await harness.feed(_press_under(legacy, sent, factories.private_chat()))
    assert [c.method for c in harness.messages(calls)] == ["sendMessage"]
