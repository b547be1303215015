"""What the knowledge base is missing, for the curators (`/gaps`).

Unanswered and unhelpful questions are grouped when they are near-duplicates (same words
after normalisation, in any order, tolerating small differences), most frequent first.
Questions users resolved by picking a "did you mean" option are listed per entry: they are
phrasings the entry should learn.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AnswerFeedback, Question, utcnow
from bot.search import NO_MATCH
from bot.search.normalize import is_stop_word, tokens

SIMILAR = 85  # token_sort_ratio at or above which two questions are the same gap
MAX_ROWS = 2000  # the newest unanswered questions considered (grouping is quadratic)


@dataclass(frozen=True, slots=True)
class GapGroup:
    text: str  # the most recent phrasing
    count: int
    reason: str  # "no_match", "ambiguous" or "unhelpful"
    variants: tuple[str, ...]  # other phrasings in the group


@dataclass(frozen=True, slots=True)
class Phrasing:
    entry_id: str
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GapsReport:
    days: int
    groups: tuple[GapGroup, ...]
    phrasings: tuple[Phrasing, ...]


def _key(text: str) -> str:
    return " ".join(sorted(t for t in tokens(text) if not is_stop_word(t)))


def group_questions(rows: list[tuple[str, str]]) -> list[GapGroup]:
    """Group (text, reason) pairs, newest first, into near-duplicate groups."""
    groups: list[dict] = []  # type: ignore[type-arg]
    for text, reason in rows:
        key = _key(text) or text.casefold()
        for group in groups:
            if fuzz.token_sort_ratio(key, group["key"]) >= SIMILAR:
                group["count"] += 1
                if text not in group["variants"] and text != group["text"]:
                    group["variants"].append(text)
                break
        else:
            groups.append({"key": key, "text": text, "reason": reason, "count": 1, "variants": []})
    groups.sort(key=lambda g: -g["count"])  # stable: ties stay newest first
    return [GapGroup(g["text"], g["count"], g["reason"], tuple(g["variants"][:3])) for g in groups]


async def gaps_report(
    session: AsyncSession, days: int = 30, *, limit: int = 15, now: datetime | None = None
) -> GapsReport:
    since = (now or utcnow()) - timedelta(days=days)
    unhelpful = select(AnswerFeedback.question_id).where(AnswerFeedback.helpful.is_(False))
    result = await session.execute(
        select(Question.text, Question.status, Question.id.in_(unhelpful))
        .where(Question.asked_at >= since, Question.source == "chat")
        .where(or_(Question.status == NO_MATCH, Question.id.in_(unhelpful)))
        .order_by(Question.asked_at.desc(), Question.id.desc())
        .limit(MAX_ROWS)
    )
    rows = [(text, "unhelpful" if bad else status) for text, status, bad in result.all()]
    # Grouping compares each question with each group: off the event loop, and bounded.
    groups = await asyncio.to_thread(group_questions, rows)
    resolved = await session.execute(
        select(Question.resolved_entry_id, Question.text)
        .where(Question.asked_at >= since, Question.resolved_entry_id.is_not(None))
        .order_by(Question.asked_at.desc())
    )
    per_entry: dict[str, list[str]] = defaultdict(list)
    for entry_id, text in resolved.all():
        if text not in per_entry[entry_id]:
            per_entry[entry_id].append(text)
    phrasings = sorted(
        (Phrasing(eid, tuple(texts[:5])) for eid, texts in per_entry.items()),
        key=lambda p: (-len(p.texts), p.entry_id),
    )
    return GapsReport(days, tuple(groups[:limit]), tuple(phrasings[:limit]))
