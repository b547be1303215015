"""/forget takes a person's data, not their groups' digests: a group subscription they made
stays for its other members, without their id."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from tests import factories
from tests.handlers.chat_admins import teach_members

GROUP = {"id": -100999, "type": "supergroup", "title": "Cluster managers"}


async def test_forget_keeps_the_group_digest_and_drops_only_the_persons_id(harness):
    teach_members(harness, {factories.USER_ID})
    await harness.ask("/subscribe", chat=GROUP)
    await harness.ask("/subscribe")  # and their own private digest
    async with harness.runtime.sessionmaker() as s:
        group_sub = await s.scalar(select(DigestSubscription)
                                   .where(DigestSubscription.chat_id == GROUP["id"]))
        run = DigestRun(kind="announce", trigger="manual", skipped=0, created_by=factories.USER_ID)
        s.add(run)
        await s.flush()
        s.add(DigestOutbox(run_id=run.id, chat_id=GROUP["id"], subscription_id=group_sub.id,
                           parts=["news for the group"], buttons=[], status="pending", parts_sent=0,
                           message_ids=[], attempts=0))
        await s.commit()
    await harness.ask("/forget")
    await harness.press("pr:yes")
    async with harness.runtime.sessionmaker() as s:
        subs = (await s.execute(select(DigestSubscription.chat_id, DigestSubscription.user_id,
                                       DigestSubscription.active))).all()
        outbox = (await s.execute(select(DigestOutbox.chat_id, DigestOutbox.status))).all()
        runs = (await s.execute(select(DigestRun.created_by))).scalars().all()
    assert subs == [(GROUP["id"], None, True)]  # the private one is gone
    assert outbox == [(GROUP["id"], "pending")]
    assert runs == [None]
