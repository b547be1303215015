"""Who administers a group or channel, as the fake Bot API tells it."""

from __future__ import annotations

from tests.fakebot import BOT_ID


def teach_members(harness, admins: set[int], chat: dict | None = None) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Teach the fake API getChatMember (who administers) and getChat (`chat`, a channel)."""
    original = harness.api._result
    chat = chat or {"id": -100700, "type": "channel", "title": "Alpine news"}

    def result(method, params):  # type: ignore[no-untyped-def]
        if method == "getChatMember":
            user_id = int(params["user_id"])
            user = {"id": user_id, "is_bot": user_id == BOT_ID, "first_name": "X"}
            if user_id in admins:
                return {"status": "creator", "user": user, "is_anonymous": False}
            return {"status": "member", "user": user}
        if method == "getChat":
            return {**chat, "accent_color_id": 0, "max_reaction_count": 0}
        return original(method, params)

    harness.api._result = result
