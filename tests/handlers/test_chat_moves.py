"""End-to-end: the service messages of a group's upgrade to a supergroup move its
subscription quietly, whichever of the two arrives first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.services.subscriptions import subscribe
from tests import factories

OLD = {"id": -500, "type": "group", "title": "Cluster team"}
NEW = {"id": -1005000, "type": "supergroup", "title": "Cluster team"}


async def _group_subscription(harness) -> int:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        sub, _ = await subscribe(s, OLD["id"], language="en", timezone="UTC", user_id=None,
                                 chat_type="group", chat_title="Cluster team")
        run = DigestRun(kind="digest", trigger="manual", skipped=0)
        s.add(run)
        await s.flush()
        s.add(DigestOutbox(run_id=run.id, chat_id=OLD["id"], subscription_id=sub.id, is_group=True,
                           parts=["queued"], buttons=[], status="pending", parts_sent=0,
                           message_ids=[], attempts=0))
        await s.commit()
        return sub.id


@pytest.mark.parametrize("first", ["old group", "new supergroup"])
async def test_the_subscription_follows_the_group_to_its_new_id(harness, first):
    sub_id = await _group_subscription(harness)
    in_old = factories.message(None, chat=OLD, migrate_to_chat_id=NEW["id"])
    in_new = factories.message(None, chat=NEW, migrate_from_chat_id=OLD["id"])
    updates = [in_old, in_new] if first == "old group" else [in_new, in_old]
    sent = [call for update in updates for call in harness.messages(await harness.feed(update))]
    assert sent == []  # nothing said in either chat
    async with harness.runtime.sessionmaker() as s:
        subs = (await s.scalars(select(DigestSubscription))).all()
        rows = (await s.scalars(select(DigestOutbox))).all()
    assert [(x.id, x.chat_id, x.chat_type, x.active) for x in subs] == [
        (sub_id, NEW["id"], "supergroup", True)]
    assert [(r.chat_id, r.status) for r in rows] == [(NEW["id"], "pending")]  # the queued digest too
