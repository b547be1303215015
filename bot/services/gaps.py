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

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AnswerFeedback, Question, utcnow
from bot.search import NO_MATCH
from bot.search.normalize import is_stop_word, tokens

SIMILAR = 85  # token-sort ratio at or above which two questions are the same gap (the best)
MAX_ROWS = 2000  # the newest unanswered questions considered (grouping is quadratic)
KEY_CHARS = 200  # the start of each question that is compared
SHOWN_CHARS = 200  # a question longer than this is shortened in the report
VARIANT_CHARS = 100  # the same for variants and resolved phrasings, so the report stays short


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
    """The words that matter in the question's first KEY_CHARS characters, sorted: a
    comparison costs about the product of the two lengths, and questions of 500 characters
    made /gaps take minutes."""
    text = text[:KEY_CHARS]
    words = [t for t in tokens(text) if not is_stop_word(t)] or text.casefold().split()
    return " ".join(sorted(words))


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """A question as shown in the report: long ones cut at a word, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip() + "…"


def group_questions(rows: list[tuple[str, str]]) -> list[GapGroup]:
    """Group (text, reason) pairs, newest first, into near-duplicate groups."""
    groups: list[dict] = []  # type: ignore[type-arg]
    keys: list[str] = []  # groups[i]'s key: the words are sorted already, so a plain ratio
    for text, reason in rows:  # is the token-sort ratio, and extractOne loops in C
        key = _key(text)
        match = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR)
        if match is not None:
            group = groups[match[2]]
            group["count"] += 1
            if text not in group["variants"] and text != group["text"]:
                group["variants"].append(text)
        else:
            keys.append(key)
            groups.append({"key": key, "text": text, "reason": reason, "count": 1, "variants": []})
    groups.sort(key=lambda g: -g["count"])  # stable: ties stay newest first
    return [GapGroup(shorten(g["text"]), g["count"], g["reason"],
                     tuple(shorten(v, VARIANT_CHARS) for v in g["variants"][:3]))
            for g in groups]


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
    resolved = (await session.execute(
        select(Question.resolved_entry_id, Question.text)
        .where(Question.asked_at >= since, Question.resolved_entry_id.is_not(None))
        .order_by(Question.asked_at.desc())
    )).all()
    # The reads are done: end the transaction before the long part, since on SQLite even a
    # read transaction holds the write lock (the digest sender would wait, then fail).
    await session.commit()
    # Grouping compares each question with each group: off the event loop, and bounded.
    groups = await asyncio.to_thread(group_questions, rows)
    per_entry: dict[str, list[str]] = defaultdict(list)
    for entry_id, text in resolved:
        if text not in per_entry[entry_id]:
            per_entry[entry_id].append(text)
    phrasings = sorted(
        (Phrasing(eid, tuple(shorten(t, VARIANT_CHARS) for t in texts[:5]))
         for eid, texts in per_entry.items()),
        key=lambda p: (-len(p.texts), p.entry_id),
    )
    return GapsReport(days, tuple(groups[:limit]), tuple(phrasings[:limit]))
