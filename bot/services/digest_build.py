"""One subscriber's digest: what is new for them, rendered and split into messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.rendering import label, render, split_message
from bot.services.digest_content import DigestSources, FunFact, NewsItem
from bot.services.digest_feedback import ServiceFeedback


@dataclass(frozen=True, slots=True)
class DigestEntry:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class FeedbackLine:
    name: str
    responses: int
    average_rating: float | None


@dataclass(frozen=True, slots=True)
class Digest:
    lang: str
    since: datetime
    until: datetime
    entries: tuple[DigestEntry, ...]
    news: tuple[NewsItem, ...]
    feedback: tuple[FeedbackLine, ...]
    funfact: FunFact | None
    funfacts_reset: bool = False  # every fact had been sent: the cycle starts again

    @property
    def has_news(self) -> bool:
        """Anything new besides the fun fact (a digest without it may be skipped)."""
        return bool(self.entries or self.news or self.feedback)


def _matches(tags: tuple[str, ...], topics: tuple[str, ...]) -> bool:
    return not topics or bool(set(tags) & set(topics))


def pick_funfact(
    facts: tuple[FunFact, ...], already_sent: list[str] | tuple[str, ...], day: date
) -> tuple[FunFact | None, bool]:
    """The fact of the day not yet sent to this subscriber; (fact, cycle restarted)."""
    if not facts:
        return None, False
    start = day.toordinal() % len(facts)
    rotated = facts[start:] + facts[:start]
    sent = set(already_sent)
    for fact in rotated:
        if fact.id not in sent:
            return fact, False
    return rotated[0], True


def build_digest(
    sources: DigestSources,
    *,
    lang: str,
    topics: tuple[str, ...],
    sent_funfacts: list[str] | tuple[str, ...],
    since: datetime,
    until: datetime,
    feedback: list[ServiceFeedback] | None = None,
) -> Digest:
    entries = []
    for entry_id, changed in sources.entry_changed.items():
        entry = sources.kb.entries.get(entry_id)
        if entry and since < changed <= until and _matches(entry.tags, topics):
            entries.append(DigestEntry(entry_id, entry.text(lang).title))
    entries.sort(key=lambda e: e.title.casefold())
    # By when the bot first saw a news file, not by its date: a file added after the day's
    # digest, or dated back, would otherwise fall before every later digest's period.
    news = tuple(
        item for item in sources.news
        if since < item.available_at <= until and _matches(item.tags, topics)
    )
    lines = tuple(
        FeedbackLine(_service_name(sources, f.service_id, lang), f.responses, f.average_rating)
        for f in feedback or ()
    )
    fact, reset = pick_funfact(sources.funfacts, sent_funfacts, until.date())
    return Digest(lang, since, until, tuple(entries), tuple(reversed(news)), lines, fact, reset)


def _service_name(sources: DigestSources, service_id: str, lang: str) -> str:
    names = sources.service_names.get(service_id) or {}
    return names.get(lang) or names.get("en") or service_id


def render_digest(digest: Digest, *, preview: bool = False) -> list[str]:
    """The digest as Telegram HTML messages, each below the 4096-character limit."""
    return split_message(render(digest.lang, "digest", digest=digest, preview=preview))


def digest_buttons(lang: str, subscription_id: int | None) -> list[list[str]]:
    """(label, callback data) pairs put under the last message of a digest.

    The settings button has its own action, `open`: the settings come as a new message, since
    editing the message the button belongs to would replace the digest for every reader.
    """
    if subscription_id is None:
        return []
    return [[label(lang, "digest_settings_button"), f"sub:{subscription_id}:open"],
            [label(lang, "digest_unsubscribe_button"), f"dgu:{subscription_id}"]]
