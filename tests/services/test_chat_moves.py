"""move_chat: a subscription and its undelivered digests follow a group to its new id."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.digest import DigestOutbox, DigestRun, DigestSubscription
from bot.services import chat_moves
from bot.services.chat_moves import move_chat
from bot.services.subscriptions import subscribe

OLD, NEW = -500, -1005000


async def _row(s, run_id: int, chat_id: int, status: str = "pending") -> DigestOutbox:  # type: ignore[no-untyped-def]
    row = DigestOutbox(run_id=run_id, chat_id=chat_id, is_group=True, parts=["hi"], buttons=[],
                       status=status, parts_sent=0, message_ids=[], attempts=0)
    s.add(row)
    await s.flush()
    return row


async def _run(s) -> int:  # type: ignore[no-untyped-def]
    run = DigestRun(kind="digest", trigger="manual", skipped=0)
    s.add(run)
    await s.flush()
    return run.id


async def test_subscription_and_undelivered_rows_move_once(session):
    sub, _ = await subscribe(session, OLD, language="it", timezone="Europe/Rome", user_id=None,
                             chat_type="group", chat_title="Team")
    run_a, run_b = await _run(session), await _run(session)
    pending, claimed = await _row(session, run_a, OLD), await _row(session, run_b, OLD, "sending")
    done = await _row(session, await _run(session), OLD, "sent")

    moved = await move_chat(session, OLD, NEW)
    assert moved.subscription_moved and set(moved.rows_moved) == {pending.id, claimed.id}
    assert moved.rows_dropped == ()
    row = await session.get(DigestSubscription, sub.id)
    assert (row.chat_id, row.chat_type, row.language, row.active) == (NEW, "supergroup", "it", True)
    assert (pending.chat_id, claimed.chat_id, done.chat_id) == (NEW, NEW, OLD)  # history stays

    again = await move_chat(session, OLD, NEW)
    assert (again.subscription_moved, again.rows_moved, again.rows_dropped) == (False, (), ())


async def test_a_new_chat_with_its_own_subscription_keeps_it(session):
    old, _ = await subscribe(session, OLD, language="en", timezone="UTC", user_id=None)
    await subscribe(session, NEW, language="de", timezone="UTC", user_id=None)
    run, other_run = await _run(session), await _run(session)
    twin, own = await _row(session, run, OLD), await _row(session, run, NEW)
    old_digest = await _row(session, other_run, OLD)
    old_digest.subscription_id = old.id
    moved = await move_chat(session, OLD, NEW)
    assert not moved.subscription_moved and moved.rows_moved == ()
    assert set(moved.rows_dropped) == {twin.id, old_digest.id}  # no second digest, no old one
    subs = {s.chat_id: s.active for s in (await session.scalars(select(DigestSubscription))).all()}
    assert subs == {OLD: False, NEW: True}
    assert (twin.status, old_digest.status, own.status) == ("failed", "failed", "pending")
    assert (await session.get(DigestSubscription, old.id)).inactive_reason.startswith("moved to")


async def test_a_subscription_made_at_the_new_id_during_the_move_wins(session, monkeypatch):
    """The check for a subscription at the new id and the change of id are not atomic: when
    another transaction subscribes the new chat in between, the unique chat id refuses the
    change, and the move keeps the new subscription instead of failing."""
    old, _ = await subscribe(session, OLD, language="en", timezone="UTC", user_id=None)
    await subscribe(session, NEW, language="de", timezone="UTC", user_id=None)
    real = chat_moves.subscription_for_chat

    async def not_there_yet(s, chat_id):  # type: ignore[no-untyped-def]
        return None if chat_id == NEW else await real(s, chat_id)

    monkeypatch.setattr(chat_moves, "subscription_for_chat", not_there_yet)
    moved = await move_chat(session, OLD, NEW)
    assert not moved.subscription_moved
    await session.commit()
    subs = {s.chat_id: s.active for s in (await session.scalars(select(DigestSubscription))).all()}
    assert subs == {OLD: False, NEW: True}
    assert (await session.get(DigestSubscription, old.id)).chat_id == OLD


async def test_moving_a_chat_onto_itself_changes_nothing(session):
    await subscribe(session, OLD, language="en", timezone="UTC", user_id=None)
    moved = await move_chat(session, OLD, OLD)
    assert (moved.subscription_moved, moved.rows_moved) == (False, ())
