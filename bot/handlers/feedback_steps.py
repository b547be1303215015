"""The buttons of a survey step (answers, Back, Skip, Later, summary actions) and showing a step.

Every press carries the draft id and the position it belongs to; a press on an older step, or
malformed data, changes nothing and gets a short notice.
"""

from __future__ import annotations

from telegram import Update

from bot.handlers import feedback_views as views
from bot.handlers.common import Context, Request, edit_or_reply, reply, with_request
from bot.knowledge.surveys import Service, Survey, localized
from bot.rendering import label, render
from bot.services import feedback_flow as flow
from bot.services import feedback_responses as responses
from bot.services import survey_logic as logic
from bot.services.feedback_flow import DraftView

ACTIVE = "survey_active"  # user_data flag: typed text belongs to a survey


def set_active(context: Context, active: bool) -> None:
    if context.user_data is not None:
        context.user_data[ACTIVE] = active


def lookup(req: Request, view: DraftView) -> tuple[Survey, Service] | None:
    kb = req.index.kb
    service = kb.services.get(view.service_id)
    survey = kb.surveys.get(view.survey_id)
    return (survey, service) if survey and service else None


async def show(update: Update, req: Request, view: DraftView, *, edit: bool) -> None:
    found = lookup(req, view)
    if found is None:  # the survey or service disappeared in a knowledge reload
        await flow.cancel(req.session, req.user.id, view.id)
        await req.session.commit()
        await reply(update, render(req.lang, "feedback_no_services"))
        return
    text, markup = views.step(view, *found, req.lang)
    if edit:
        await edit_or_reply(update, text, markup)
    else:
        await reply(update, text, markup)


@with_request
async def on_step_button(update: Update, context: Context, req: Request) -> None:
    """Every button of a survey step; a press on an older step changes nothing."""
    query = update.callback_query
    code, draft_id, *rest = query.data.split(":")
    kind = code[1:]  # "fq" -> "q"
    draft = await flow.open_draft(req.session, req.user.id)
    survey_service = lookup(req, flow.view_of(draft)) if draft and draft.id == int(draft_id) else None
    if survey_service is None:
        await query.answer(label(req.lang, "fb_stale"))
        return
    survey, service = survey_service
    uid, did = req.user.id, int(draft_id)
    if kind == "s":
        await _summary_action(update, context, req, did, rest[0] if rest else "", survey,
                              service)
        return
    if kind == "p":
        await flow.pause(req.session, uid, did)
        await req.session.commit()
        set_active(context, False)
        await query.answer()
        await edit_or_reply(update, render(req.lang, "feedback_paused"), None)
        return
    try:
        result = await _dispatch(req, kind, uid, did, rest, survey)
    except (ValueError, IndexError):  # malformed data: nothing Telegram would send us
        result = None
    await req.session.commit()
    if result is None:
        await query.answer(label(req.lang, "fb_stale"))
        return
    await query.answer()
    await show(update, req, result, edit=True)


async def _dispatch(req: Request, kind: str, uid: int, did: int, rest: list[str],
                    survey: Survey) -> DraftView | None:
    """Apply one step button to the draft; None when it does not fit the current step."""
    result = None
    if kind in ("q", "m"):
        position = int(rest[0])
        question = survey.questions[position] if 0 <= position < len(survey.questions) else None
        value = logic.parse_button_answer(question, rest[1]) if question else None
        if question is None or isinstance(value, logic.Invalid):
            return None
        if kind == "q":
            result = await flow.answer(req.session, uid, did, position, value, survey)
        else:
            result = await flow.toggle_option(req.session, uid, did, position, rest[1], survey)
    elif kind == "d":
        result = await flow.multi_done(req.session, uid, did, int(rest[0]), survey)
    elif kind == "k":
        result = await flow.skip(req.session, uid, did, int(rest[0]), survey)
    elif kind == "b":
        result = await flow.back(req.session, uid, did, views.STAGES.get(rest[0], "?"),
                                 int(rest[1]), survey)
    elif kind == "o":
        value = None if rest[1] == "-" else logic.SIZE_BANDS[int(rest[1]) % len(logic.SIZE_BANDS)]
        result = await flow.set_org_field(req.session, uid, did, int(rest[0]), value, survey)
    elif kind == "v":
        result = await flow.review_org(req.session, uid, did, rest[0] == "edit", survey)
    elif kind == "e":
        result = (await flow.current(req.session, uid) if rest[0] == "-"
                  else await flow.edit_question(req.session, uid, did, int(rest[0]), survey))
    return result


async def _summary_action(update: Update, context: Context, req: Request, draft_id: int,
                          action: str, survey: Survey, service: Service) -> None:
    query = update.callback_query
    uid = req.user.id
    if action == "cancel":
        done = await flow.cancel(req.session, uid, draft_id)
        await req.session.commit()
        set_active(context, False)
        await query.answer()
        if done:
            await edit_or_reply(update, render(req.lang, "feedback_cancelled"), None)
        return
    view = await flow.current(req.session, uid)
    if view is None or view.id != draft_id or view.stage != "summary" or action not in (
            "edit", "submit"):
        await query.answer(label(req.lang, "fb_stale"))
        return
    if action == "edit":
        await query.answer()
        await edit_or_reply(update, label(req.lang, "fb_edit_pick"),
                            views.edit_markup(view, survey, req.lang))
        return
    replaced = not survey.anonymous and await responses.has_response(req.session, uid, service)
    result = await responses.submit(req.session, uid, draft_id, survey, req.lang)
    await req.session.commit()
    await query.answer()
    if isinstance(result, DraftView):  # a required answer is missing: go there
        await show(update, req, result, edit=True)
        return
    set_active(context, False)
    await edit_or_reply(update, render(req.lang, "feedback_thanks", replaced=replaced,
                                       service=localized(service.name, req.lang)), None)


