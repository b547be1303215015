"""Factories for Telegram updates as the Bot API sends them (plain dicts)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fakebot import BOT_ID

_ids = itertools.count(1)
USER_ID = 4242
ADMIN_ID = 1001


def user(user_id: int = USER_ID, language_code: str | None = "en",
         first_name: str = "Ana") -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        data["language_code"] = language_code
    return data


def private_chat(user_id: int = USER_ID) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Ana"}


def message(text: str | None = None, *, user_id: int = USER_ID, language_code: str | None = "en",
            chat: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat or private_chat(user_id),
        "from": user(user_id, language_code),
        **extra,
    }
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": next(_ids), "message": msg}


def sticker(*, user_id: int = USER_ID) -> dict[str, Any]:
    return message(None, user_id=user_id, sticker={
        "file_id": "CAACAgIAAx", "file_unique_id": "AgAD", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    })


def callback(data: str, *, user_id: int = USER_ID, language_code: str | None = "en",
             message_id: int = 1, message_text: str = "…") -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(user_id, language_code),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": private_chat(user_id),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "S3 Assistant"},
                "text": message_text,
            },
        },
    }


def inline_query(query: str, *, user_id: int = USER_ID,
                 language_code: str | None = "en") -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "inline_query": {
            "id": str(next(_ids)),
            "from": user(user_id, language_code),
            "query": query,
            "offset": "",
        },
    }
