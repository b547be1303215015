"""/subscribe, /subscription, /unsubscribe and the settings buttons.

    /subscribe ──> subscribed with defaults, settings shown with buttons
    sub:<id>:<menu> ──> a menu (frequency, day, time, time zone, topics, language)
    sub:<id>:<menu>:<value> ──> saved, settings shown again
    sub:<id>:open (⚙️ under every digest) ──> the settings as a new message, the digest kept
    dgu:<id> (under every digest) ──> unsubscribed in one step

Group chats are managed by their administrators; a channel is subscribed from a private chat
with `/subscribe @channel` by one of its administrators (the bot must be able to post), and
`/subscription @channel` and `/unsubscribe @channel` work the same way (see
subscription_access.py for who may manage what).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.handlers import subscription_ui as ui
from bot.handlers.common import (
    Context,
    Request,
    answer_button,
    edit_or_reply,
    reply,
    with_request,
)
from bot.handlers.subscription_access import (
    chat_reference,
    is_chat_admin,
    managed_chat,
    may_manage,
    named_chat,
)
from bot.rendering import label, render
from bot.services import subscriptions
from bot.services.digest_schedule import (
    FREQUENCIES,
    STAFF_ONLY_FREQUENCIES,
    parse_time,
    valid_timezone,
)
from bot.services.subscriptions import InvalidSetting, SubscriptionView

LANGUAGE_ZONES = {"it": "Europe/Rome", "de": "Europe/Berlin", "fr": "Europe/Paris",
                  "sl": "Europe/Ljubljana"}


def _default_zone(req: Request) -> str:
    return LANGUAGE_ZONES.get(req.lang, req.runtime.settings.timezone)


@with_request
async def on_subscribe(update: Update, context: Context, req: Request) -> None:
    """Subscribe this chat (a group: by its administrators), or `@channel` from private."""
    chat = update.effective_chat
    if chat is None:
        return
    if context.args and chat.type == ChatType.PRIVATE:  # a channel to subscribe, or a typo of one
        await _subscribe_channel(update, context, req, context.args[0])
        return
    if context.args and chat_reference(context.args[0]) is not None:
        await reply(update, render(req.lang, "subscription_named_in_private"))
        return
    if not await may_manage(update, context, req, chat.id, chat.type):
        await reply(update, render(req.lang, "subscription_admins_only"))
        return
    sub, _ = await subscriptions.subscribe(
        req.session, chat.id, language=req.lang, timezone=_default_zone(req),
        user_id=req.user.id or None, chat_type=chat.type, chat_title=chat.title)
    await req.session.commit()
    await reply(update, ui.settings_text(req.lang, sub, label(req.lang, "sub_subscribed")),
                ui.settings_markup(req.lang, sub))


async def _subscribe_channel(update: Update, context: Context, req: Request, target: str) -> None:
    """`/subscribe @channel` from a private chat, by one of the channel's administrators."""
    chat = await named_chat(context, target)
    if chat is None or not (await is_chat_admin(context, chat.id, req.user.id)
                            and await is_chat_admin(context, chat.id, context.bot.id)):
        await reply(update, render(req.lang, "subscription_channel_failed"))
        return
    sub, _ = await subscriptions.subscribe(
        req.session, chat.id, language=req.lang, timezone=_default_zone(req),
        user_id=req.user.id, chat_type=chat.type, chat_title=chat.title)
    await req.session.commit()
    await reply(update, ui.settings_text(req.lang, sub, label(req.lang, "sub_subscribed")),
                ui.settings_markup(req.lang, sub))


@with_request
async def on_unsubscribe(update: Update, context: Context, req: Request) -> None:
    """Stop the digest here, or (`/unsubscribe @channel`, in private) in a chat one manages."""
    chat = update.effective_chat
    if chat is None:
        return
    title = None
    if context.args and chat_reference(context.args[0]) is not None:
        if (named := await _named(update, context, req, context.args[0])) is None:
            return
        chat, title = named, named.title or context.args[0]
    elif not await may_manage(update, context, req, chat.id, chat.type):
        await reply(update, render(req.lang, "subscription_admins_only"))
        return
    if not await subscriptions.unsubscribe(req.session, chat.id):
        await reply(update, render(req.lang, "subscription_none", title=title))
        return
    await req.session.commit()
    await reply(update, render(req.lang, "subscription_unsubscribed", title=title))


@with_request
async def on_subscription(update: Update, context: Context, req: Request) -> None:
    """Show the settings; `time HH:MM` or `tz Area/City` arguments change them; in private,
    a first argument `@channel` means that chat's settings."""
    chat, args = update.effective_chat, list(context.args or [])
    if chat is None:
        return
    title = None
    if args and chat_reference(args[0]) is not None:
        name = args.pop(0)
        if (named := await _named(update, context, req, name)) is None:
            return
        chat, title = named, named.title or name
    sub = await subscriptions.get_subscription(req.session, chat.id)
    if sub is None:
        await reply(update, render(req.lang, "subscription_none", title=title))
        return
    note = None
    if args:
        if not await may_manage(update, context, req, chat.id, chat.type):
            await reply(update, render(req.lang, "subscription_admins_only"))
            return
        changes = _typed_changes(args)
        if changes is None:
            await reply(update, render(req.lang, "subscription_usage", channel=False))
            return
        sub = await subscriptions.update_subscription(req.session, sub.id, **changes)
        await req.session.commit()
        note = label(req.lang, "sub_saved")
    await reply(update, ui.settings_text(req.lang, sub, note), ui.settings_markup(req.lang, sub))


async def _named(update: Update, context: Context, req: Request, target: str):  # type: ignore[no-untyped-def]
    """The group or channel the user named, if they manage it; otherwise say so. Only in a
    private chat: in a group, the answer would show the channel's settings to everyone."""
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await reply(update, render(req.lang, "subscription_named_in_private"))
        return None
    if (chat := await managed_chat(context, req, target)) is None:
        await reply(update, render(req.lang, "subscription_channel_unknown", name=target[:64]))
    return chat


def _typed_changes(args: list[str]) -> dict | None:  # type: ignore[type-arg]
    if len(args) != 2:
        return None
    key, value = args[0].lower(), args[1]
    if key in ("time", "ora", "zeit", "heure", "cas"):
        parsed = parse_time(value)
        return {"hour": parsed[0], "minute": parsed[1]} if parsed else None
    if key in ("tz", "timezone"):
        zone = valid_timezone(value)
        return {"timezone": zone} if zone else None
    return None


@with_request
async def on_settings_button(update: Update, context: Context, req: Request) -> None:
    """A settings button: show the settings, open a menu, or save a choice."""
    query = update.callback_query
    _, sub_id, action, *rest = query.data.split(":", 3)
    value = rest[0] if rest else None
    sub = await subscriptions.get_subscription_by_id(req.session, int(sub_id))
    if sub is None:
        await answer_button(update, label(req.lang, "stale_button"))
        return
    if not await may_manage(update, context, req, sub.chat_id, _kind(sub)):
        await answer_button(update, label(req.lang, "sub_not_allowed"), show_alert=True)
        return
    if action in ("open", "show") and value is None:
        text, markup = ui.settings_text(req.lang, sub), ui.settings_markup(req.lang, sub)
        # Under a digest (`open`, or `show` under digests sent before `open` existed), a new
        # message: editing the pressed one would replace the digest for every reader. A
        # channel's settings go to the admin in private: in the channel every reader sees them.
        if sub.chat_type == ChatType.CHANNEL and query.message is not None \
                and query.message.chat.type == ChatType.CHANNEL:
            await _settings_in_private(update, context, req, text, markup)
        elif action == "open" or ui.is_digest_message(query.message):
            await answer_button(update)
            await reply(update, text, markup)
        else:
            await answer_button(update)
            await edit_or_reply(update, text, markup)
        return
    menu = _menu(req, sub, action) if value is None else None
    if menu is not None:
        await answer_button(update)
        await edit_or_reply(update, label(req.lang, f"sub_pick_{menu[0]}"), menu[1])
        return
    try:
        updated = await _apply(req, sub, action, value)
    except (InvalidSetting, ValueError, IndexError):
        updated = None
    if updated is None:
        await answer_button(update, label(req.lang, "stale_button"))
        return
    await req.session.commit()
    await answer_button(update, label(req.lang, "sub_saved"))
    await edit_or_reply(update, ui.settings_text(req.lang, updated),
                        ui.settings_markup(req.lang, updated))


async def _settings_in_private(update: Update, context: Context, req: Request, text: str,
                               markup: InlineKeyboardMarkup) -> None:
    try:
        await context.bot.send_message(req.user.id, text, reply_markup=markup,
                                       disable_web_page_preview=True)
    except Forbidden:  # the admin never started a private chat with the bot
        await answer_button(update, label(req.lang, "sub_open_in_private"), show_alert=True)
        return
    await answer_button(update)


def _kind(sub: SubscriptionView) -> str:
    return ChatType.PRIVATE if not sub.is_group else sub.chat_type


def _menu(req: Request, sub: SubscriptionView, action: str):  # type: ignore[no-untyped-def]
    staff = req.runtime.is_admin(req.user.id)
    menus = {
        "freq": lambda: ("frequency", ui.frequency_markup(req.lang, sub, staff)),
        "day": lambda: ("day", ui.day_markup(req.lang, sub)),
        "time": lambda: ("time", ui.time_markup(req.lang, sub)),
        "tz": lambda: ("timezone", ui.timezone_markup(req.lang, sub)),
        "top": lambda: ("topics", ui.topics_markup(req.lang, sub, req.index.kb.tags)),
        "lang": lambda: ("language", ui.language_markup(req.lang, sub)),
    }
    return menus[action]() if action in menus else None


async def _apply(req: Request, sub: SubscriptionView, action: str, value: str | None
                 ) -> SubscriptionView | None:
    session, sid = req.session, sub.id
    if action == "empty":
        return await subscriptions.update_subscription(session, sid, send_empty=not sub.send_empty)
    if action == "unsub":
        await subscriptions.unsubscribe(session, sub.chat_id)
        return await subscriptions.get_subscription_by_id(session, sid)
    if action == "resub":
        resub, _ = await subscriptions.subscribe(session, sub.chat_id, language=sub.language,
                                                 timezone=sub.timezone, user_id=sub.user_id)
        return resub
    if action == "freq":
        frequency = {f[0]: f for f in FREQUENCIES}.get(value or "")
        if frequency in STAFF_ONLY_FREQUENCIES and not req.runtime.is_admin(req.user.id):
            return None
        return await subscriptions.update_subscription(session, sid, frequency=frequency)
    if action == "day":
        return await subscriptions.update_subscription(session, sid, weekday=int(value or ""))
    if action == "time" and value and len(value) == 4 and value.isdigit():
        return await subscriptions.update_subscription(session, sid, hour=int(value[:2]),
                                                       minute=int(value[2:]))
    if action == "tz":
        return await subscriptions.update_subscription(
            session, sid, timezone=ui.TIMEZONE_CHOICES[int(value or "")])
    if action == "top" and value:
        if value == "*":
            return await subscriptions.toggle_topic(session, sid, None)
        if (tag := ui.topic_from_value(value, req.index.kb.tags)) is None:
            return None
        return await subscriptions.toggle_topic(session, sid, tag)
    if action == "lang":
        return await subscriptions.update_subscription(session, sid, language=value)
    return None


@with_request
async def on_digest_unsubscribe(update: Update, context: Context, req: Request) -> None:
    """The button under every digest: unsubscribe in one step."""
    query = update.callback_query
    sub = await subscriptions.get_subscription_by_id(req.session, int(query.data.split(":")[1]))
    if sub is None or not sub.active:
        await answer_button(update, label(req.lang, "stale_button"))
        return
    if not await may_manage(update, context, req, sub.chat_id, _kind(sub)):
        await answer_button(update, label(req.lang, "sub_not_allowed"), show_alert=True)
        return
    await subscriptions.unsubscribe(req.session, sub.chat_id)
    await req.session.commit()
    await answer_button(update, label(req.lang, "sub_unsubscribed_toast"))
    await reply(update, render(req.lang, "subscription_unsubscribed", title=sub.chat_title))


HANDLERS = [
    CommandHandler("subscribe", on_subscribe),
    CommandHandler("unsubscribe", on_unsubscribe),
    CommandHandler("subscription", on_subscription),
    CallbackQueryHandler(on_settings_button, pattern=r"^sub:[0-9]{1,18}:[a-z]+(:[A-Za-z0-9*_-]+)?$"),
    CallbackQueryHandler(on_digest_unsubscribe, pattern=r"^dgu:[0-9]{1,18}$"),
]
