"""The survey conversation, kept in the database so that it survives restarts.

    pick service ──(earlier response? confirm replace)──> draft
    draft: org (4 optional fields, first survey only; later "use saved / edit")
         → questions one at a time (Back, Skip if optional, Later = pause)
         → summary (Submit / Edit / Cancel) → submitted
    a draft untouched for 7 days → abandoned (counted in reports)

Every function takes the draft id and the position the user acted on; a press on an old
message (another draft, another step) is reported as `stale` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.feedback import FeedbackResponse, Organisation, SurveyDraft
from bot.db.models import utcnow
from bot.knowledge.surveys import Service, Survey
from bot.services import survey_logic as logic

OPEN = ("draft", "paused")


@dataclass(frozen=True, slots=True)
class DraftView:
    id: int
    survey_id: str
    service_id: str
    stage: str  # org | org_review | questions | summary
    position: int
    answers: dict[str, Any] = field(default_factory=dict)
    organisation: dict[str, str | None] = field(default_factory=dict)
    status: str = "draft"


def view_of(draft: SurveyDraft, organisation: dict[str, str | None] | None = None) -> DraftView:
    return DraftView(draft.id, draft.survey_id, draft.service_id, draft.stage, draft.position,
                     dict(draft.answers or {}), organisation or {}, draft.status)


async def organisation_of(session: AsyncSession, user_id: int) -> dict[str, str | None] | None:
    org = await session.get(Organisation, user_id)
    if org is None:
        return None
    return {f: getattr(org, f) for f in logic.ORG_FIELDS}


async def open_draft(session: AsyncSession, user_id: int) -> SurveyDraft | None:
    """The user's draft in progress or paused (at most one is open)."""
    return await session.scalar(
        select(SurveyDraft).where(SurveyDraft.user_id == user_id, SurveyDraft.status.in_(OPEN))
        .order_by(SurveyDraft.id.desc()).limit(1)
    )


async def active_users(session: AsyncSession) -> list[int]:
    """Users with a survey in progress (not paused)."""
    rows = await session.scalars(
        select(SurveyDraft.user_id).where(SurveyDraft.status == "draft",
                                          SurveyDraft.user_id.is_not(None)).distinct())
    return list(rows)


async def current(session: AsyncSession, user_id: int, *, resume: bool = False) -> DraftView | None:
    """The open draft; `resume` turns a paused draft back into the active one."""
    draft = await open_draft(session, user_id)
    if draft is None:
        return None
    if resume and draft.status == "paused":
        draft.status = "draft"
        draft.updated_at = utcnow()
        await session.flush()
    return view_of(draft, await organisation_of(session, user_id))


async def is_first_survey(session: AsyncSession, user_id: int) -> bool:
    """True until the user has started a survey or has a response on file."""
    for model in (SurveyDraft, FeedbackResponse):
        if await session.scalar(
            select(func.count()).select_from(model).where(model.user_id == user_id)
        ):
            return False
    return True


async def open_for(session: AsyncSession, user_id: int, service_id: str,
                   replacing: int | None = None) -> DraftView | None:
    """The open draft that picking `service_id` must not throw away; None: free to start.

    Tapping the invitation link again, a double tap or an old service button must never lose
    answers: the open draft of the same service is made active again and returned; an open
    draft of another service is returned untouched, for the user to decide. None too when the
    open draft is `replacing`, the one the user chose to drop (start() cancels it).
    """
    draft = await open_draft(session, user_id)
    if draft is None or draft.id == replacing:
        return None
    if draft.service_id == service_id:
        return await current(session, user_id, resume=True)
    return view_of(draft, await organisation_of(session, user_id))


async def start(session: AsyncSession, user_id: int, survey: Survey, service: Service,
                now: datetime | None = None, *, replacing: int | None = None) -> DraftView:
    """Open a new draft, cancelling only `replacing`, the open draft the user chose to drop.

    Any other open draft (see open_for) is returned untouched instead of a new one: its answers
    are the user's to throw away, never a side effect of a second tap.
    """
    if replacing is not None:
        await cancel(session, user_id, replacing)
    existing = await open_draft(session, user_id)
    if existing is not None:
        return view_of(existing, await organisation_of(session, user_id))
    now = now or utcnow()
    organisation = None if survey.anonymous else await organisation_of(session, user_id)
    if survey.anonymous:
        stage, position = "questions", logic.first_position(survey, {}) or 0
    else:
        stage, position = ("org_review", 0) if organisation else ("org", 0)
    draft = SurveyDraft(user_id=user_id, survey_id=survey.id, service_id=service.id,
                        round=service.round, stage=stage, position=position,
                        answers={"_anonymous": True} if survey.anonymous else {},
                        step=1 if stage == "questions" else 0, status="draft",
                        started_at=now, updated_at=now)
    session.add(draft)
    await session.flush()
    return view_of(draft, organisation)


async def load_step(session: AsyncSession, user_id: int, draft_id: int, stage: str | None,
                position: int | None) -> SurveyDraft | None:
    """The draft if the press belongs to its current step; None means a stale button."""
    draft = await session.get(SurveyDraft, draft_id)
    if draft is None or draft.user_id != user_id or draft.status not in OPEN:
        return None
    if stage is not None and draft.stage != stage:
        return None
    if position is not None and draft.position != position:
        return None
    return draft


async def move(session: AsyncSession, draft: SurveyDraft, survey: Survey, stage: str,
                position: int = 0) -> DraftView:
    draft.stage, draft.position, draft.status = stage, position, "draft"
    if stage == "questions":
        draft.step = max(draft.step, position + 1)
    draft.updated_at = utcnow()
    await session.flush()
    return view_of(draft, await organisation_of(session, draft.user_id))


async def _after_question(session: AsyncSession, draft: SurveyDraft, survey: Survey) -> DraftView:
    answers = dict(draft.answers or {})
    editing = answers.pop("_editing", None)
    if editing:  # back to the summary unless the change revealed an unanswered question
        draft.answers = answers
        missing = logic.missing_required(survey, answers)
        return await move(session, draft, survey, *(("questions", missing) if missing is not None
                                                     else ("summary", 0)))
    nxt = logic.next_position(survey, answers, draft.position)
    if nxt is None:
        return await move(session, draft, survey, "summary")
    return await move(session, draft, survey, "questions", nxt)


async def answer(session: AsyncSession, user_id: int, draft_id: int, position: int,
                 value: Any, survey: Survey) -> DraftView | None:
    """Store an already validated answer of the question at `position`; None if stale."""
    draft = await load_step(session, user_id, draft_id, "questions", position)
    if draft is None:
        return None
    draft.answers = {**(draft.answers or {}), survey.questions[position].id: value}
    return await _after_question(session, draft, survey)


async def toggle_option(session: AsyncSession, user_id: int, draft_id: int, position: int,
                        option: str, survey: Survey) -> DraftView | None:
    draft = await load_step(session, user_id, draft_id, "questions", position)
    if draft is None:
        return None
    qid = survey.questions[position].id
    draft.answers = {**(draft.answers or {}), qid: logic.toggle(draft.answers.get(qid), option)}
    draft.updated_at = utcnow()
    await session.flush()
    return view_of(draft)


async def multi_done(session: AsyncSession, user_id: int, draft_id: int, position: int,
                     survey: Survey) -> DraftView | None:
    draft = await load_step(session, user_id, draft_id, "questions", position)
    return None if draft is None else await _after_question(session, draft, survey)


async def skip(session: AsyncSession, user_id: int, draft_id: int, position: int,
               survey: Survey) -> DraftView | None:
    """Skip an optional question (clears an earlier answer to it)."""
    draft = await load_step(session, user_id, draft_id, "questions", position)
    if draft is None or survey.questions[position].required:
        return None
    draft.answers = {k: v for k, v in (draft.answers or {}).items()
                     if k != survey.questions[position].id}
    return await _after_question(session, draft, survey)


async def back(session: AsyncSession, user_id: int, draft_id: int, stage: str, position: int,
               survey: Survey) -> DraftView | None:
    draft = await load_step(session, user_id, draft_id, stage, position)
    if draft is None:
        return None
    if stage == "org":
        return await move(session, draft, survey, "org", max(position - 1, 0))
    if stage == "summary":
        last = logic.visible(survey, draft.answers or {})
        return await move(session, draft, survey, "questions", last[-1] if last else 0)
    prev = logic.previous_position(survey, draft.answers or {}, position)
    if prev is not None:
        return await move(session, draft, survey, "questions", prev)
    if survey.anonymous:
        return view_of(draft)
    return await move(session, draft, survey, "org_review" if await organisation_of(
        session, user_id) else "org", 0)


async def set_org_field(session: AsyncSession, user_id: int, draft_id: int, position: int,
                        value: str | None, survey: Survey) -> DraftView | None:
    """Save one organisation detail (None = skipped) and go on."""
    draft = await load_step(session, user_id, draft_id, "org", position)
    if draft is None:
        return None
    org = await session.get(Organisation, user_id)
    if org is None:
        org = Organisation(user_id=user_id)
        session.add(org)
    if value is not None:
        setattr(org, logic.ORG_FIELDS[position], value)
    org.updated_at = utcnow()
    if position + 1 < len(logic.ORG_FIELDS):
        return await move(session, draft, survey, "org", position + 1)
    return await move(session, draft, survey, "questions", logic.first_position(survey, {}) or 0)


async def review_org(session: AsyncSession, user_id: int, draft_id: int, edit: bool,
                     survey: Survey) -> DraftView | None:
    draft = await load_step(session, user_id, draft_id, "org_review", 0)
    if draft is None:
        return None
    if edit:
        return await move(session, draft, survey, "org", 0)
    first = logic.first_position(survey, draft.answers or {}) or 0
    return await move(session, draft, survey, "questions", first)


async def edit_question(session: AsyncSession, user_id: int, draft_id: int, position: int,
                        survey: Survey) -> DraftView | None:
    """From the summary, change one answer, then come back to the summary."""
    draft = await load_step(session, user_id, draft_id, "summary", None)
    if draft is None or position not in logic.visible(survey, draft.answers or {}):
        return None
    draft.answers = {**(draft.answers or {}), "_editing": True}
    return await move(session, draft, survey, "questions", position)


async def pause(session: AsyncSession, user_id: int, draft_id: int) -> bool:
    draft = await load_step(session, user_id, draft_id, None, None)
    if draft is None:
        return False
    draft.status, draft.updated_at = "paused", utcnow()
    await session.flush()
    return True


async def cancel(session: AsyncSession, user_id: int, draft_id: int | None = None) -> bool:
    """Cancel the given draft, or whatever draft is open."""
    draft = (await load_step(session, user_id, draft_id, None, None) if draft_id is not None
             else await open_draft(session, user_id))
    if draft is None:
        return False
    draft.status, draft.updated_at = "cancelled", utcnow()
    if draft.answers is not None and _is_anonymous(draft):
        draft.user_id, draft.answers = None, {}
    await session.flush()
    return True


def _is_anonymous(draft: SurveyDraft) -> bool:
    return bool((draft.answers or {}).get("_anonymous"))
