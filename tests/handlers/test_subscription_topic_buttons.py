"""Topic buttons stay within Telegram's 64-byte callback data, whatever the tags: Telegram
refuses a keyboard with longer data whole, so no topic at all could be chosen.

The knowledge loader limits tags to 40 characters, which fits with any subscription id a
PostgreSQL INTEGER holds; the keyboard does not rely on it (ids on SQLite may be longer, and
the limit may change): a tag too long to fit is named by a hash of it.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.digest import DigestSubscription
from bot.handlers import subscription_ui as ui
from bot.knowledge.model import KnowledgeBase
from bot.rendering import label
from bot.services.subscriptions import SubscriptionView
from tests.conftest import FIXTURE_KNOWLEDGE, make_settings

LONG_TAG = "regional-innovation-and-smart-specialisation-strategies-of-clusters"  # 67 chars
LONGEST_LOADED = "smart-specialisation-strategy-monitoring"  # 40 chars: what the loader allows


def _view(sub_id: int, topics: tuple[str, ...] = ()) -> SubscriptionView:
    return SubscriptionView(sub_id, 1, "private", None, 1, "weekly", topics, "en", "UTC", 0, 9, 0,
                            False, True, datetime(2026, 12, 7, tzinfo=UTC))


@pytest.mark.parametrize("sub_id", [1, 2**31 - 1, 2**63 - 1])
def test_topic_buttons_fit_and_name_their_tag(sub_id):
    tags = ("funding", LONGEST_LOADED, LONG_TAG, "x" * 300)
    markup = ui.topics_markup("en", _view(sub_id, (LONG_TAG,)), tags)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert all(len(d.encode()) <= ui.CALLBACK_DATA_BYTES for d in data), data
    values = [d.split(":", 3)[3] for d in data if d.startswith(f"sub:{sub_id}:top:")]
    assert values[0] == "*"
    assert [ui.topic_from_value(v, tags) for v in values[1:]] == list(tags)
    assert f"sub:{sub_id}:top:funding" in data  # short tags are still named as they are


def test_an_unknown_hash_names_no_topic():
    assert ui.topic_from_value("_0123456789abcdef", ("funding", LONG_TAG)) is None
    assert ui.topic_from_value("no-such-tag", ("funding",)) is None


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    (folder / "entries" / "monitoring-tag.md").write_text(
        f"---\ntitle: Monitoring\nquestions:\n  - How is the strategy monitored?\n"
        f"tags: [{LONGEST_LOADED}]\n---\nA body.\n", encoding="utf-8")
    return make_settings(db_url, knowledge_dir=folder)


async def _sub(harness) -> DigestSubscription:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return await s.scalar(select(DigestSubscription))


async def test_the_longest_loaded_tag_is_chosen_by_its_name(harness):
    await harness.ask("/subscribe")
    sub = await _sub(harness)
    [menu] = harness.messages(await harness.press(f"sub:{sub.id}:top"))
    assert f"sub:{sub.id}:top:{LONGEST_LOADED}" in [d for _, d in menu.buttons]
    await harness.press(f"sub:{sub.id}:top:{LONGEST_LOADED}")
    assert (await _sub(harness)).topics == [LONGEST_LOADED]


async def test_a_hashed_topic_button_selects_and_deselects_its_tag(harness, monkeypatch):
    # Tags the loader would refuse today, as another loader (or an older one) might give.
    kb_tags = KnowledgeBase.tags.fget  # type: ignore[attr-defined]
    monkeypatch.setattr(KnowledgeBase, "tags", property(lambda kb: (*kb_tags(kb), LONG_TAG)))
    await harness.ask("/subscribe")
    sub = await _sub(harness)
    [menu] = harness.messages(await harness.press(f"sub:{sub.id}:top"))
    data = dict(menu.buttons)
    assert all(len(d.encode()) <= 64 for d in data.values()), data
    button = data[label("en", "tag", name=LONG_TAG)]
    [edited] = harness.messages(await harness.press(button))
    assert edited.method == "editMessageText" and (await _sub(harness)).topics == [LONG_TAG]
    await harness.press(f"sub:{sub.id}:top:funding")
    assert (await _sub(harness)).topics == ["funding", LONG_TAG]
    await harness.press(button)
    assert (await _sub(harness)).topics == ["funding"]
    calls = await harness.press(f"sub:{sub.id}:top:_0123456789abcdef")  # forged or outdated
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert (await _sub(harness)).topics == ["funding"]
