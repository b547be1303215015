"""/feedback: SMEs rate a piloted service in a short survey they can pause, resume and cancel.

    /feedback (or deep link /start fb_<service>)
       ├─ open draft?  → resume at its step
       └─ pick service (fbs:) ─ open draft of it? → resume at its step
             ├─ open draft of another service? → continue it (fbc) / start this one (fbn:)
             └─ earlier response? → confirm (fbr: / fbk)
             → intro → organisation (first time; later "use saved / edit")
             → questions (buttons, or typed text/numbers) ⇄ Back / Skip / Later
             → summary: Submit (→ thanks) / Edit (→ one question → summary) / Cancel
    /cancel anywhere closes the open draft.

The state lives in the database (services/feedback_flow.py), so a restart loses nothing.
Typed text goes to the survey only while a draft is active; otherwise it is a question
for the knowledge base (ask.py), which is why the text handler runs in an earlier group.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers import feedback_steps as steps
from bot.handlers import feedback_views as views
from bot.handlers.common import (
    Context,
    Request,
    answer_button,
    edit_or_reply,
    message_text,
    private_only,
    reply,
    with_request,
)
from bot.knowledge.surveys import Service, Survey, localized
from bot.rendering import label, render
from bot.services import feedback_flow as flow
from bot.services import feedback_responses as responses
from bot.services import survey_logic as logic
from bot.services.feedback_flow import DraftView

log = logging.getLogger(__name__)


@with_request
async def on_feedback(update: Update, context: Context, req: Request) -> None:
    """Resume the survey in progress, or offer the active services (private chats only)."""
    await open_feedback(update, context, req)


async def open_feedback(update: Update, context: Context, req: Request) -> None:
    if not await private_only(update, context, req, "feedback"):
        return
    view = await flow.current(req.session, req.user.id, resume=True)
    await req.session.commit()
    if view is not None:
        steps.set_active(context, True)
        await steps.show(update, req, view, edit=False)
        return
    kb = req.index.kb
    services = [s for s in kb.services.values() if s.active and kb.survey_for(s)]
    if not services:
        await reply(update, render(req.lang, "feedback_no_services"))
        return
    await reply(update, render(req.lang, "feedback_services"),
                views.services_markup(services, req.lang))


async def start_for_service(update: Update, context: Context, req: Request, service_id: str,
                            *, confirmed: bool = False, replacing: int | None = None) -> None:
    """Begin a survey for one service (service button or invitation deep link).

    An open draft is never thrown away unasked: the same service's is resumed, another one's
    leads to a question. `confirmed`: the user agreed to replace an earlier response;
    `replacing`: the open draft the user chose to drop for this survey.
    """
    if not await private_only(update, context, req, f"fb_{service_id}"):
        return
    kb = req.index.kb
    service = kb.services.get(service_id)
    survey = kb.survey_for(service) if service else None
    if service is None or survey is None or not service.active:
        if update.callback_query:
            await answer_button(update, label(req.lang, "stale_button"))
        else:  # a mistyped or retired invitation: what is open now, or the survey in progress
            await open_feedback(update, context, req)
        return
    await answer_button(update)  # no-op for the deep link; a button is answered exactly once
    pending = await flow.open_for(req.session, req.user.id, service.id, replacing)
    if pending is not None and steps.lookup(req, pending) is None:
        # its survey or service went away in a knowledge reload: nothing left to continue
        pending, replacing = None, pending.id
    if pending is not None:
        await _show_open(update, context, req, pending, service)
        return
    if (not confirmed and not survey.anonymous
            and await responses.has_response(req.session, req.user.id, service)):
        await reply(update, render(req.lang, "feedback_replace",
                                   service=localized(service.name, req.lang)),
                    views.replace_markup(service, req.lang, replacing))
        return
    await _begin(update, context, req, service, survey, replacing)


async def _show_open(update: Update, context: Context, req: Request, pending: DraftView,
                     service: Service) -> None:
    """An open draft where a new one was asked for: resume it, or ask which survey to keep."""
    await req.session.commit()  # open_for may have resumed a paused draft
    if pending.service_id == service.id:
        steps.set_active(context, True)
        notice = render(req.lang, "feedback_resumed", service=localized(service.name, req.lang))
        await steps.show(update, req, pending, edit=False, notice=notice)
        return
    open_service = req.index.kb.services.get(pending.service_id)
    await reply(update, render(req.lang, "feedback_switch",
                               current=localized(open_service.name, req.lang) if open_service
                               else pending.service_id,
                               new=localized(service.name, req.lang)),
                views.switch_markup(pending.id, service, req.lang))


async def _begin(update: Update, context: Context, req: Request, service: Service,
                 survey: Survey, replacing: int | None) -> None:
    first = await flow.is_first_survey(req.session, req.user.id)
    view = await flow.start(req.session, req.user.id, survey, service, replacing=replacing)
    if view.service_id != service.id:  # another draft opened meanwhile: start() kept it
        await _show_open(update, context, req, view, service)
        return
    await req.session.commit()
    steps.set_active(context, True)
    await reply(update, render(
        req.lang, "feedback_intro", title=localized(survey.title, req.lang),
        intro=localized(survey.intro, req.lang), service=localized(service.name, req.lang),
        first=first, anonymous=survey.anonymous,
    ))
    await steps.show(update, req, view, edit=False)


@with_request
async def on_service(update: Update, context: Context, req: Request) -> None:
    """A service was picked (fbs:), replacing earlier answers confirmed (fbr:), or starting
    it instead of the open survey chosen (fbn:, which names the draft to drop)."""
    kind, *parts = update.callback_query.data.split(":")
    replacing = int(parts[0]) if len(parts) == 2 else None
    await start_for_service(update, context, req, parts[-1], confirmed=kind == "fbr",
                            replacing=replacing)


@with_request
async def on_continue(update: Update, context: Context, req: Request) -> None:
    """The user keeps the open survey instead of starting another one (fbc)."""
    await answer_button(update)
    await open_feedback(update, context, req)


@with_request
async def on_keep(update: Update, context: Context, req: Request) -> None:
    """The user keeps their earlier answers instead of answering again."""
    await answer_button(update)
    await edit_or_reply(update, render(req.lang, "feedback_kept"), None)


async def on_text(update: Update, context: Context) -> None:
    """Typed text while a survey is active answers its current step.

    The in-memory flag spares every other message a database query; it is rebuilt from the
    database at start-up (on_startup), so a restart in the middle of a survey loses nothing.
    """
    if context.user_data and context.user_data.get(steps.ACTIVE):
        await _survey_text(update, context)


@with_request
async def _survey_text(update: Update, context: Context, req: Request) -> None:
    draft = await flow.open_draft(req.session, req.user.id)
    if draft is None or draft.status != "draft":
        steps.set_active(context, False)
        return  # not in a survey any more: the text is a question for the knowledge base
    view = await flow.current(req.session, req.user.id)
    found = steps.lookup(req, view)
    if found is None or not logic.step_fits(found[0], view.stage, view.position, view.answers):
        # a knowledge reload removed the survey or this step: the text answered nothing that
        # still exists, and it is no question for the knowledge base either
        steps.set_active(context, found is not None)
        await steps.show(update, req, view, edit=False, dropped=True)
        raise ApplicationHandlerStop
    survey, _ = found
    text = message_text(update)
    value: object = logic.Invalid("use_buttons")
    result = None
    if view.stage == "org":
        value = logic.parse_org_field(logic.ORG_FIELDS[view.position], text)
        if not isinstance(value, logic.Invalid):
            result = await flow.set_org_field(req.session, req.user.id, view.id, view.position,
                                              str(value), survey)
    elif view.stage == "questions":
        value = logic.parse_text_answer(survey.questions[view.position], text)
        if not isinstance(value, logic.Invalid):
            result = await flow.answer(req.session, req.user.id, view.id, view.position,
                                       value, survey)
    await req.session.commit()
    if isinstance(value, logic.Invalid):
        await reply(update, render(req.lang, "feedback_invalid", reason=value.reason,
                                   low=value.low, high=value.high, limit=value.limit,
                                   length=len(text.strip())))
        result = view
    await steps.show(update, req, result or view, edit=False)
    raise ApplicationHandlerStop


@with_request
async def on_cancel(update: Update, context: Context, req: Request) -> None:
    """/cancel: close the survey in progress."""
    done = await flow.cancel(req.session, req.user.id)
    await req.session.commit()
    steps.set_active(context, False)
    await reply(update, render(req.lang, "feedback_cancelled" if done
                               else "feedback_nothing_to_cancel"))


async def _close_abandoned(context: Context) -> None:
    runtime = context.bot_data["runtime"]
    async with runtime.sessionmaker() as session:
        closed = await responses.close_abandoned(session)
        await session.commit()
    if closed:
        log.info("closed %d abandoned survey drafts", closed)


async def on_startup(app, runtime) -> None:  # type: ignore[no-untyped-def]
    """Remember who is in the middle of a survey; close drafts left for a week, every hour."""
    async with runtime.sessionmaker() as session:
        for user_id in await flow.active_users(session):
            app.user_data[user_id][steps.ACTIVE] = True
    if app.job_queue is not None:
        app.job_queue.run_repeating(_close_abandoned, interval=3600, first=5,
                                    name="feedback-close-abandoned")


HANDLERS = {
    -1: [MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, on_text)],
    0: [
        CommandHandler("feedback", on_feedback),
        CommandHandler("cancel", on_cancel),
        CallbackQueryHandler(on_service,
                             pattern=r"^(fbs:|fb[rn]:(\d{1,12}:)?)[a-z0-9-]{1,40}$"),
        CallbackQueryHandler(on_continue, pattern=r"^fbc$"),
        CallbackQueryHandler(on_keep, pattern=r"^fbk$"),
        CallbackQueryHandler(steps.on_step_button, pattern=r"^f[qmdkbovsep]:\d+(:[\w:+-]*)?$"),
    ],
}
