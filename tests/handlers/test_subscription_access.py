"""Who may change or stop a group's or channel's digest from the buttons under it.

A button press says who pressed (`from`), while its `message` is the message with the buttons:
under a channel's digest that is the channel's own post, sent "as the channel". Only the
person pressing counts, asked from Telegram each time.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from bot.db.digest import DigestSubscription
from tests import factories
from tests.fakebot import BOT_ID
from tests.handlers.chat_admins import teach_members

CHANNEL = {"id": -100700, "type": "channel", "title": "Alpine news"}
GROUP = {"id": -100500, "type": "supergroup", "title": "Cluster team"}
READER = 9999  # reads the channel, administers nothing
ANONYMOUS_ADMIN_BOT = 1087968824  # the `from` of messages an anonymous group admin sends


def _press_on_post(data: str, user_id: int, chat: dict[str, Any],
                   sender_chat: dict[str, Any] = CHANNEL) -> dict[str, Any]:
    """A press on a button of a message posted as `sender_chat` in `chat` (a channel's own
    post, or that post auto-forwarded to the channel's discussion group)."""
    return {"update_id": int(time.time() * 1000) % 10**9, "callback_query": {
        "id": f"cq-{user_id}-{data}", "from": factories.user(user_id), "chat_instance": "ci",
        "data": data,
        "message": {"message_id": 55, "date": int(time.time()), "chat": chat,
                    "sender_chat": sender_chat, "text": "📬 S3 Cluster Assistant — what is new"}}}


async def _sub(harness, chat_id: int) -> DigestSubscription:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return await s.scalar(select(DigestSubscription).where(
            DigestSubscription.chat_id == chat_id))


async def _channel_subscription(harness) -> DigestSubscription:  # type: ignore[no-untyped-def]
    teach_members(harness, {factories.USER_ID, BOT_ID}, CHANNEL)
    await harness.ask("/subscribe @alpinenews")
    return await _sub(harness, CHANNEL["id"])


def _refused(calls) -> bool:  # type: ignore[no-untyped-def]
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    return (len(answers) == 1 and "administrators" in answers[0].params.get("text", "")
            and not [c for c in calls if c.method in ("sendMessage", "editMessageText")])


async def test_a_channel_reader_cannot_change_or_stop_the_channel_digest(harness):
    sub = await _channel_subscription(harness)
    for data in (f"sub:{sub.id}:freq:m", f"sub:{sub.id}:open", f"dgu:{sub.id}"):
        calls = await harness.feed(_press_on_post(data, READER, CHANNEL))
        assert _refused(calls), (data, [(c.method, c.params) for c in calls])
        assert [c.params["user_id"] for c in calls if c.method == "getChatMember"] == [READER]
    sub = await _sub(harness, CHANNEL["id"])
    assert (sub.frequency, sub.active) == ("weekly", True)


async def test_a_channel_administrator_still_can(harness):
    sub = await _channel_subscription(harness)
    calls = await harness.feed(_press_on_post(f"sub:{sub.id}:freq:m", factories.USER_ID, CHANNEL))
    assert "Saved." in [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert (await _sub(harness, CHANNEL["id"])).frequency == "monthly"
    calls = await harness.feed(_press_on_post(f"dgu:{sub.id}", factories.USER_ID, CHANNEL))
    assert any("Unsubscribed" in c.params.get("text", "") for c in calls
               if c.method == "answerCallbackQuery")
    assert not (await _sub(harness, CHANNEL["id"])).active


async def test_the_digest_forwarded_to_the_discussion_group_is_no_back_door(harness):
    sub = await _channel_subscription(harness)
    calls = await harness.feed(_press_on_post(f"dgu:{sub.id}", READER, GROUP))
    assert _refused(calls)
    assert (await _sub(harness, CHANNEL["id"])).active


async def test_an_anonymous_group_administrator_may_still_use_commands(harness):
    teach_members(harness, {factories.USER_ID}, CHANNEL)
    await harness.ask("/subscribe", chat=GROUP)
    teach_members(harness, set(), CHANNEL)  # the anonymous admin bot is no member Telegram reports
    calls = await harness.say("/unsubscribe", user_id=ANONYMOUS_ADMIN_BOT, chat=GROUP,
                              sender_chat=GROUP)
    assert "no more digests" in harness.messages(calls)[0].text
    assert not [c for c in calls if c.method == "getChatMember"]
    assert not (await _sub(harness, GROUP["id"])).active


async def test_writing_as_the_channel_in_its_discussion_group_is_not_being_its_admin(harness):
    teach_members(harness, {factories.USER_ID}, CHANNEL)
    await harness.ask("/subscribe", chat=GROUP)
    calls = await harness.say("/unsubscribe", user_id=READER, chat=GROUP, sender_chat=CHANNEL)
    assert "Only the administrators" in harness.messages(calls)[0].text
    assert (await _sub(harness, GROUP["id"])).active


async def test_a_channel_administrator_opens_the_settings_in_private_not_in_the_channel(harness):
    sub = await _channel_subscription(harness)
    calls = await harness.feed(_press_on_post(f"sub:{sub.id}:open", factories.USER_ID, CHANNEL))
    sent = [c for c in calls if c.method == "sendMessage"]
    assert [int(c.params["chat_id"]) for c in sent] == [factories.USER_ID]
    assert "Alpine news" in sent[0].params["text"]
    assert not [c for c in calls if c.method == "editMessageText"]


async def test_an_administrator_who_never_started_the_bot_is_told_to(harness):
    sub = await _channel_subscription(harness)
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    calls = await harness.feed(_press_on_post(f"sub:{sub.id}:open", factories.USER_ID, CHANNEL))
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert "private chat" in answer.params["text"] and answer.params.get("show_alert") in (True, "true")
