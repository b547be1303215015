"""End-to-end: /subscribe, the settings buttons, /subscription arguments, /unsubscribe, and
group subscriptions by their administrators."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db.digest import DigestSubscription
from tests import factories
from tests.fakebot import BOT_ID
from tests.handlers.chat_admins import teach_members

ADMIN = {"user_id": factories.ADMIN_ID}
GROUP = {"id": -100500, "type": "supergroup", "title": "Cluster team"}


async def _sub(harness, chat_id=factories.USER_ID) -> DigestSubscription:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    async with harness.runtime.sessionmaker() as s:
        return await s.scalar(select(DigestSubscription).where(DigestSubscription.chat_id == chat_id))


async def test_subscribe_with_defaults_then_change_and_unsubscribe(harness):
    reply = await harness.ask("/subscribe")
    assert "You are subscribed" in reply.text and "weekly, on Monday, at 09:00" in reply.text
    assert "Time zone: Europe/Rome" in reply.text and "Topics: all" in reply.text
    sub = await _sub(harness)
    assert (sub.frequency, sub.weekday, sub.hour, sub.language, sub.active) == ("weekly", 0, 9, "en", True)
    assert sub.next_due_at is not None
    assert f"sub:{sub.id}:unsub" in [d for _, d in reply.buttons]

    menu = harness.messages(await harness.press(f"sub:{sub.id}:freq"))[0]
    assert [d for _, d in menu.buttons] == [f"sub:{sub.id}:freq:w", f"sub:{sub.id}:freq:m",
                                            f"sub:{sub.id}:show"]  # no daily for non-staff
    edited = harness.messages(await harness.press(f"sub:{sub.id}:freq:m"))[0]
    assert "monthly, first Monday of the month, at 09:00" in edited.text
    await harness.press(f"sub:{sub.id}:freq:d")  # an invented daily button is refused
    assert (await _sub(harness)).frequency == "monthly"

    topics = harness.messages(await harness.press(f"sub:{sub.id}:top"))[0]
    assert f"sub:{sub.id}:top:funding" in [d for _, d in topics.buttons]
    edited = harness.messages(await harness.press(f"sub:{sub.id}:top:funding"))[0]
    assert "Topics: Funding" in edited.text
    await harness.press(f"sub:{sub.id}:top:no-such-tag")
    await harness.press(f"sub:{sub.id}:tz:3")
    await harness.press(f"sub:{sub.id}:lang:it")
    await harness.press(f"sub:{sub.id}:day:2")
    sub = await _sub(harness)
    assert (sub.topics, sub.timezone, sub.language, sub.weekday) == (
        ["funding"], "Europe/Vienna", "it", 2)

    reply = await harness.ask("/subscription time 07:30")
    assert "07:30" in reply.text
    reply = await harness.ask("/subscription tz America/New_York")
    sub = await _sub(harness)
    assert (sub.hour, sub.minute, sub.timezone) == (7, 30, "America/New_York")
    assert sub.next_due_at.replace(tzinfo=UTC) > datetime.now(UTC)
    assert "<code>/subscription time 07:30</code>" in (await harness.ask("/subscription tz Mars/Base")).text

    assert "no more digests" in (await harness.ask("/unsubscribe")).text
    assert not (await _sub(harness)).active
    assert "does not receive" in (await harness.ask("/unsubscribe", language_code="en")).text
    again = await harness.ask("/subscribe")
    sub = await _sub(harness)
    assert sub.active and sub.topics == ["funding"] and "07:30" in again.text  # settings kept


async def test_staff_may_choose_daily(harness):
    await harness.ask("/subscribe", **ADMIN)
    sub = await _sub(harness, factories.ADMIN_ID)
    menu = harness.messages(await harness.press(f"sub:{sub.id}:freq", **ADMIN))[0]
    assert f"sub:{sub.id}:freq:d" in [d for _, d in menu.buttons]
    await harness.press(f"sub:{sub.id}:freq:d", **ADMIN)
    assert (await _sub(harness, factories.ADMIN_ID)).frequency == "daily"


async def test_others_cannot_change_a_subscription_and_stale_buttons_are_quiet(harness):
    await harness.ask("/subscribe")
    sub = await _sub(harness)
    calls = await harness.press(f"sub:{sub.id}:lang:de", user_id=5555)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "administrators" in calls[0].params["text"] and (await _sub(harness)).language == "en"
    calls = await harness.press("sub:99999:lang:de")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    calls = await harness.press("dgu:99999")
    assert [c.method for c in calls] == ["answerCallbackQuery"]


async def test_the_unsubscribe_button_under_a_digest_works_in_one_step(harness):
    await harness.ask("/subscribe")
    sub = await _sub(harness)
    calls = await harness.press(f"dgu:{sub.id}")
    assert "Unsubscribed" in calls[0].params["text"]
    assert not (await _sub(harness)).active


async def test_groups_are_subscribed_by_their_administrators_only(harness):
    teach_members(harness, {factories.USER_ID})
    refused = await harness.ask("/subscribe", user_id=6666, chat=GROUP)
    assert "Only the administrators" in refused.text and await _sub(harness, -100500) is None
    reply = await harness.ask("/subscribe", chat=GROUP)
    assert "Cluster team" in reply.text
    sub = await _sub(harness, -100500)
    assert sub.chat_type == "supergroup" and sub.user_id == factories.USER_ID


async def test_whoever_subscribed_a_group_loses_control_with_their_admin_rights(harness):
    teach_members(harness, {factories.USER_ID})
    await harness.ask("/subscribe", chat=GROUP)
    sub = await _sub(harness, -100500)
    teach_members(harness, set())  # no longer an administrator there
    calls = await harness.press(f"sub:{sub.id}:lang:de")
    assert [c.method for c in calls] == ["getChatMember", "answerCallbackQuery"]  # asked, refused
    assert "administrators" in calls[-1].params["text"]
    assert (await _sub(harness, -100500)).language == "en"
    assert "Only the administrators" in (await harness.ask("/unsubscribe", chat=GROUP)).text
    assert (await _sub(harness, -100500)).active


async def test_a_channel_is_subscribed_from_a_private_chat(harness):
    teach_members(harness, {factories.USER_ID, BOT_ID})
    reply = await harness.ask("/subscribe @alpinenews")
    assert "Alpine news" in reply.text
    sub = await _sub(harness, -100700)
    assert sub.chat_type == "channel" and sub.user_id == factories.USER_ID
    teach_members(harness, {BOT_ID})
    assert "could not subscribe" in (await harness.ask("/subscribe @alpinenews", user_id=7777)).text


async def test_a_channel_is_shown_and_unsubscribed_from_a_private_chat(harness):
    teach_members(harness, {factories.USER_ID, BOT_ID})
    assert "does not receive" in (await harness.ask("/unsubscribe @alpinenews")).text
    await harness.ask("/subscribe")  # the user's own subscription, which must stay
    await harness.ask("/subscribe @alpinenews")
    shown = await harness.ask("/subscription @alpinenews")
    assert "Alpine news" in shown.text and shown.buttons
    saved = await harness.ask("/subscription @alpinenews time 07:30")
    assert "07:30" in saved.text and (await _sub(harness, -100700)).hour == 7
    teach_members(harness, {BOT_ID})  # someone else may neither see nor stop it
    refused = await harness.ask("/unsubscribe @alpinenews", user_id=7777)
    assert "could not find @alpinenews" in refused.text and (await _sub(harness, -100700)).active
    teach_members(harness, {factories.USER_ID, BOT_ID})
    done = await harness.ask("/unsubscribe @alpinenews")
    assert "no more digests for Alpine news" in done.text
    assert not (await _sub(harness, -100700)).active and (await _sub(harness)).active
    paused = await harness.ask("/subscription @alpinenews")
    assert "Digest paused for Alpine news" in paused.text and "resub" in paused.buttons[0][1]


@pytest.mark.parametrize("command", ["/unsubscribe ²", "/subscription -²", "/unsubscribe --5",
                                     "/subscribe --5", "/unsubscribe @", "/subscription -"])
async def test_odd_chat_names_get_a_polite_answer(harness, command):
    await harness.ask("/subscribe")
    reply = await harness.ask(command)
    assert "went wrong" not in reply.text
    assert (await _sub(harness)).active or command.startswith("/unsubscribe")


async def test_a_mistyped_channel_name_does_not_subscribe_the_private_chat(harness):
    teach_members(harness, {BOT_ID})
    for name in ("alpinenews", "https://t.me/alpinenews", "--5"):
        assert "could not subscribe" in (await harness.ask(f"/subscribe {name}")).text
    assert await _sub(harness) is None


async def test_a_channel_named_in_a_group_is_not_touched_there(harness):
    teach_members(harness, {factories.USER_ID, BOT_ID})
    await harness.ask("/subscribe", chat=GROUP)
    await harness.ask("/subscribe @alpinenews")
    reply = await harness.ask("/unsubscribe @alpinenews", chat=GROUP)
    assert "private chat" in reply.text
    assert "private chat" in (await harness.ask("/subscribe @otherchannel", chat=GROUP)).text
    assert (await _sub(harness, -100500)).active and (await _sub(harness, -100700)).active


async def test_an_anonymous_group_administrator_may_subscribe_the_group(harness):
    teach_members(harness, set())  # Telegram would not call GroupAnonymousBot an admin
    update = factories.message("/subscribe", user_id=1087968824, chat=GROUP,
                               sender_chat=GROUP)
    update["message"]["from"]["first_name"] = "Group"
    reply = harness.messages(await harness.feed(update))[0]
    assert "Only the administrators" not in reply.text
    assert await _sub(harness, -100500) is not None
