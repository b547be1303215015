"""/mydata and /forget support: a user's subscriptions and delivery records."""

import json

from sqlalchemy import func, select

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.db.models import User
from bot.services.digest_privacy import forget_subscriptions, subscription_data
from bot.services.subscriptions import subscribe
from tests.services.test_digest_support import NOW


async def test_data_export_and_forget_cover_subscriptions_and_deliveries(session):
    session.add_all([User(id=7, role="user"), User(id=8, role="user")])
    mine, _ = await subscribe(session, 7, language="en", timezone="UTC", user_id=7, now=NOW)
    group, _ = await subscribe(session, -100, language="de", timezone="UTC", user_id=7,
                               chat_type="group", chat_title="Team", now=NOW)
    other, _ = await subscribe(session, 8, language="en", timezone="UTC", user_id=8, now=NOW)
    run = DigestRun(kind="digest", trigger="manual", skipped=0)
    session.add(run)
    await session.flush()
    for sub in (mine, group, other):
        session.add(DigestOutbox(run_id=run.id, chat_id=sub.chat_id, subscription_id=sub.id,
                                 is_group=False, parts=["x"], buttons=[], status="sent", parts_sent=1,
                                 message_ids=[1], attempts=0))
    await session.commit()

    data = await subscription_data(session, 7)
    json.dumps(data)  # plain JSON
    assert [s["chat_id"] for s in data["subscriptions"]] == [7, -100]
    assert data["subscriptions"][1]["chat_title"] == "Team"
    assert sorted(d["chat_id"] for d in data["deliveries"]) == [-100, 7]

    assert await forget_subscriptions(session, 7) == 2  # their own chat's subscription and row
    await session.commit()
    assert await subscription_data(session, 7) == {"subscriptions": [], "deliveries": []}
    # The group's digest goes on for its other members, no longer tied to the person.
    kept = (await session.execute(select(DigestSubscription.chat_id, DigestSubscription.user_id)
                                  .order_by(DigestSubscription.chat_id))).all()
    assert kept == [(-100, None), (8, 8)]
    assert await session.scalar(select(func.count()).select_from(DigestOutbox)) == 2
