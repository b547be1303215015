"""The buttons of a survey step (answers, Back, Skip, Later, summary actions) and showing a step.

Every press carries the draft id and the position it belongs to; a press on an older step, or
malformed data, changes nothing and gets a short notice.
"""

from __future__ import annotations

from telegram import Update

from bot.handlers import feedback_views as views
from bot.handlers.common import (
    Context,
    Request,
    answer_button,
    edit_or_reply,
    reply,
    with_request,
)
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


async def show(update: Update, req: Request, view: DraftView, *, edit: bool,
               notice: str | None = None, dropped: bool = False) -> None:
    """Show the draft's current step, with `notice` above it.

    A step that a knowledge reload removed is never shown (it would not exist): the draft moves
    on to one that does, and the user is told; `dropped` says their last input was not saved.
    """
    found = lookup(req, view)
    if found is None:  # the survey or service disappeared in a knowledge reload
        await flow.cancel(req.session, req.user.id, view.id)
        await req.session.commit()
        await reply(update, render(req.lang, "feedback_no_services"))
        return
    if not logic.step_fits(found[0], view.stage, view.position, view.answers):
        moved = await responses.refit(req.session, req.user.id, view.id, found[0])
        await req.session.commit()
        if moved is None:  # closed meanwhile: nothing to show
            return
        view = moved
        notice = render(req.lang, "feedback_survey_changed", dropped=dropped)
    text, markup = views.step(view, *found, req.lang)
    if notice:
        text = f"{notice}\n\n{text}"
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
        await answer_button(update, label(req.lang, "fb_stale"))
        return
    survey, service = survey_service
    uid, did = req.user.id, int(draft_id)
    current = flow.view_of(draft)
    if kind not in ("p", "s") and not logic.step_fits(survey, current.stage, current.position,
                                                      current.answers):
        # the step this button belongs to was removed by a knowledge reload: show where to go
        await answer_button(update)
        await show(update, req, current, edit=True, dropped=True)
        return
    if kind == "s":
        await _summary_action(update, context, req, did, rest[0] if rest else "", survey,
                              service)
        return
    if kind == "p":
        await flow.pause(req.session, uid, did)
        await req.session.commit()
        set_active(context, False)
        await answer_button(update)
        await edit_or_reply(update, render(req.lang, "feedback_paused"), None)
        return
    try:
        result = await _dispatch(req, kind, uid, did, rest, survey)
    except (ValueError, IndexError):  # malformed data: nothing Telegram would send us
        result = None
    await req.session.commit()
    if result is None:
        await answer_button(update, label(req.lang, "fb_stale"))
        return
    await answer_button(update)  # a press answered too late still shows the next step
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
    uid = req.user.id
    if action == "cancel":
        done = await flow.cancel(req.session, uid, draft_id)
        await req.session.commit()
        set_active(context, False)
        await answer_button(update)
        if done:
            await edit_or_reply(update, render(req.lang, "feedback_cancelled"), None)
        return
    view = await flow.current(req.session, uid)
    if view is None or view.id != draft_id or view.stage != "summary" or action not in (
            "edit", "submit"):
        await answer_button(update, label(req.lang, "fb_stale"))
        return
    if action == "edit":
        await answer_button(update)
        await edit_or_reply(update, label(req.lang, "fb_edit_pick"),
                            views.edit_markup(view, survey, req.lang))
        return
    replaced = not survey.anonymous and await responses.has_response(req.session, uid, service)
    result = await responses.submit(req.session, uid, draft_id, survey, req.lang)
    await req.session.commit()
    await answer_button(update)
    if isinstance(result, DraftView):  # a required answer is missing: go there
        await show(update, req, result, edit=True)
        return
    set_active(context, False)
    await edit_or_reply(update, render(req.lang, "feedback_thanks", replaced=replaced,
                                       service=localized(service.name, req.lang)), None)


