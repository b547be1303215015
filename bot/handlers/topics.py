"""/topics: browse entries by tag, with pages of buttons.

    /topics ──> tags page (tags:<page>) ──tag──> entries of the tag (tag:<tag>:<page>)
                     ^                                   │ entry ──> ans:<id> (ask.py)
                     └──────────── "All topics" ─────────┘
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.handlers.common import (
    Context,
    Request,
    answer_button,
    edit_or_reply,
    entry_button,
    reply,
    with_request,
)
from bot.rendering import label, render

TAGS_PER_PAGE = 10
ENTRIES_PER_PAGE = 8


def _pager(lang: str, page: int, pages: int, prefix: str) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(label(lang, "previous"), callback_data=f"{prefix}{page - 1}"))
    if page < pages - 1:
        row.append(InlineKeyboardButton(label(lang, "next"), callback_data=f"{prefix}{page + 1}"))
    return row


def _pages(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def tags_view(req: Request, page: int) -> tuple[str, InlineKeyboardMarkup]:
    kb = req.index.kb
    tags = kb.tags
    pages = _pages(len(tags), TAGS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    shown = tags[page * TAGS_PER_PAGE : (page + 1) * TAGS_PER_PAGE]
    buttons = [
        InlineKeyboardButton(
            f"{label(req.lang, 'tag', name=tag)} ({len(kb.by_tag(tag))})",
            callback_data=f"tag:{tag}:0",
        )
        for tag in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if pager := _pager(req.lang, page, pages, "tags:"):
        rows.append(pager)
    text = render(req.lang, "topics", count=len(tags), page=page + 1, pages=pages)
    return text, InlineKeyboardMarkup(rows)


def tag_view(req: Request, tag: str, page: int) -> tuple[str, InlineKeyboardMarkup]:
    entries = req.index.kb.by_tag(tag)
    pages = _pages(len(entries), ENTRIES_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    shown = entries[page * ENTRIES_PER_PAGE : (page + 1) * ENTRIES_PER_PAGE]
    rows = [[entry_button(e, req.lang, f"ans:{e.id}")] for e in shown]
    if pager := _pager(req.lang, page, pages, f"tag:{tag}:"):
        rows.append(pager)
    rows.append([InlineKeyboardButton(label(req.lang, "all_topics"), callback_data="tags:0")])
    text = render(req.lang, "topic", tag=label(req.lang, "tag", name=tag),
                  count=len(entries), page=page + 1, pages=pages)
    return text, InlineKeyboardMarkup(rows)


@with_request
async def on_topics(update: Update, context: Context, req: Request) -> None:
    """List the knowledge tags as buttons."""
    if not req.index.kb.tags:
        await reply(update, render(req.lang, "no_topics"))
        return
    await reply(update, *tags_view(req, 0))


@with_request
async def on_tags_page(update: Update, context: Context, req: Request) -> None:
    """Another page of tags (also "All topics")."""
    await answer_button(update)
    await edit_or_reply(update, *tags_view(req, int(update.callback_query.data.split(":")[1])))


@with_request
async def on_tag(update: Update, context: Context, req: Request) -> None:
    """The entries of one tag, a page at a time."""
    query = update.callback_query
    _, tag, page = query.data.split(":")
    if tag not in req.index.kb.tags:  # the tag disappeared in a knowledge reload
        await answer_button(update, label(req.lang, "stale_button"))
        await edit_or_reply(update, *tags_view(req, 0))
        return
    await answer_button(update)
    await edit_or_reply(update, *tag_view(req, tag, int(page)))


HANDLERS = [
    CommandHandler("topics", on_topics),
    CallbackQueryHandler(on_tags_page, pattern=r"^tags:\d{1,4}$"),
    CallbackQueryHandler(on_tag, pattern=r"^tag:[a-z0-9-]+:\d{1,4}$"),
]
