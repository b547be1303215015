"""What digests are made of: news items, fun facts and service names from the knowledge
folder, and which knowledge entries were added or changed and news first seen (and when).

The knowledge loader does not read news/ or funfacts.yaml, so they are read here; a file
that cannot be parsed is logged and left out rather than stopping a digest run.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import yaml
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.digest import DigestEntryVersion, DigestNewsSeen
from bot.knowledge import KnowledgeBase
from bot.knowledge.markdown import to_telegram_html
from bot.services.subscriptions import as_utc

log = logging.getLogger(__name__)
_NEWS_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9-]+?)(?:\.([a-z]{2}))?\.md$")
_FRONT_MATTER = re.compile(r"^---\s*\n(.*?)\n---\s*\n?(.*)$", re.S)
# The row recording the first look at news/ (no news id looks like this: they start with a date).
NEWS_BASELINE = "(baseline)"


@dataclass(frozen=True, slots=True)
class NewsItem:
    day: date
    slug: str
    tags: tuple[str, ...]
    url: str | None
    titles: Mapping[str, str]  # lang -> title (always "en")
    bodies: Mapping[str, str]  # lang -> Telegram HTML
    first_seen: datetime | None = None  # recorded by `sync_news_seen`

    @property
    def news_id(self) -> str:
        return f"{self.day.isoformat()}-{self.slug}"

    @property
    def available_at(self) -> datetime:
        """When digests may announce it: when first seen, but a file dated ahead waits
        for its day (its date is what the digest shows)."""
        day_start = datetime.combine(self.day, time(0), tzinfo=UTC)
        return max(self.first_seen, day_start) if self.first_seen else day_start

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["en"]

    def body(self, lang: str) -> str:
        return self.bodies.get(lang) or self.bodies["en"]


@dataclass(frozen=True, slots=True)
class FunFact:
    id: str
    texts: Mapping[str, str]
    source_title: str | None = None
    source_url: str | None = None

    def text(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts["en"]


@dataclass(frozen=True, slots=True)
class DigestSources:
    """Everything a run needs from the knowledge folder, loaded once per run."""

    kb: KnowledgeBase
    news: tuple[NewsItem, ...] = ()
    funfacts: tuple[FunFact, ...] = ()
    service_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    entry_changed: Mapping[str, datetime] = field(default_factory=dict)


def load_news(folder: Path) -> tuple[NewsItem, ...]:
    """news/YYYY-MM-DD-<slug>.md (English) and optional <name>.<lang>.md translations."""
    raw: dict[tuple[date, str], dict[str, tuple[dict, str]]] = {}  # type: ignore[type-arg]
    for path in sorted((folder / "news").glob("*.md")):
        match = _NEWS_NAME.match(path.name)
        parsed = _front_matter(path) if match else None
        if match is None or parsed is None:
            log.warning("digest: skipping news file %s", path)
            continue
        key = (date.fromisoformat(match.group(1)), match.group(2))
        raw.setdefault(key, {})[match.group(3) or "en"] = parsed
    items = []
    for (day, slug), langs in sorted(raw.items()):
        if "en" not in langs:
            continue
        meta = langs["en"][0]
        items.append(NewsItem(
            day=day, slug=slug, tags=tuple(str(t) for t in meta.get("tags") or ()),
            url=meta.get("url") if str(meta.get("url", "")).startswith("http") else None,
            titles={lang: str(m.get("title") or meta["title"]) for lang, (m, _) in langs.items()},
            bodies={lang: to_telegram_html(body) for lang, (_, body) in langs.items()},
        ))
    return tuple(items)


def _front_matter(path: Path) -> tuple[dict, str] | None:  # type: ignore[type-arg]
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        return None
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    if not isinstance(meta, dict) or not meta.get("title"):
        return None
    return meta, match.group(2).strip()


def load_funfacts(folder: Path) -> tuple[FunFact, ...]:
    path = folder / "funfacts.yaml"
    if not path.is_file():
        return ()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        log.warning("digest: cannot read %s: %s", path, exc)
        return ()
    facts = []
    for item in data if isinstance(data, list) else []:
        texts = item.get("text") if isinstance(item, dict) else None
        if not isinstance(texts, dict) or not texts.get("en") or not item.get("id"):
            continue
        source = item.get("source") or {}
        facts.append(FunFact(str(item["id"]), {str(k): str(v) for k, v in texts.items()},
                             source.get("title"), source.get("url")))
    return tuple(facts)


def load_service_names(folder: Path) -> dict[str, dict[str, str]]:
    """Service id -> {lang: name} from services.yaml."""
    path = folder / "services.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}
    names = {}
    for service in data.get("services") or [] if isinstance(data, dict) else []:
        if isinstance(service, dict) and service.get("id"):
            name = service.get("name")
            names[str(service["id"])] = name if isinstance(name, dict) else {"en": str(name)}
    return names


def _fingerprint(kb: KnowledgeBase, entry_id: str) -> str:
    entry = kb.entries[entry_id]
    digest = hashlib.sha256("|".join(entry.tags).encode())
    for lang in sorted(entry.texts):
        text = entry.texts[lang]
        digest.update(f"\0{lang}\0{text.title}\0{text.body}".encode())
    return digest.hexdigest()


async def sync_entry_versions(
    session: AsyncSession, kb: KnowledgeBase, now: datetime
) -> dict[str, datetime]:
    """Record entries added or changed since the last look; returns entry id -> when.

    The first look records a baseline: existing entries count as changed only by their
    `updated` date, so the first digests do not announce the whole knowledge base.
    """
    if session.bind.dialect.name == "postgresql":
        # Two runs starting together (bot and CLI, or two replicas) would both insert the
        # same new entries; the second waits here until the first has committed them.
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('digest_versions'))"))
    known = {v.entry_id: v for v in (await session.scalars(select(DigestEntryVersion))).all()}
    baseline = not known
    changed: dict[str, datetime] = {}
    for entry_id, entry in kb.entries.items():
        fingerprint = _fingerprint(kb, entry_id)
        version = known.get(entry_id)
        if version is None:
            version = DigestEntryVersion(entry_id=entry_id, fingerprint=fingerprint,
                                         changed_at=None if baseline else now)
            session.add(version)
        elif version.fingerprint != fingerprint:
            version.fingerprint, version.changed_at = fingerprint, now
        moments = [as_utc(version.changed_at)]
        if entry.updated:
            moments.append(datetime.combine(entry.updated, time(0), tzinfo=UTC))
        if any(moments):
            changed[entry_id] = max(m for m in moments if m)
    await session.flush()
    return changed


async def sync_news_seen(
    session: AsyncSession, news: tuple[NewsItem, ...], now: datetime
) -> tuple[NewsItem, ...]:
    """Record news not seen before as first seen `now`; returns the news with `first_seen`.

    The first look (a new installation, or the first run after the upgrade that added this
    record) seeds every news item with its file date instead, so the next digests announce
    what the date-based selection would have, not every news item again.
    """
    if session.bind.dialect.name == "postgresql":  # as in sync_entry_versions
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('digest_news'))"))
    rows = (await session.scalars(select(DigestNewsSeen))).all()
    known = {row.news_id: as_utc(row.first_seen_at) for row in rows}
    baseline = NEWS_BASELINE not in known
    if baseline:
        session.add(DigestNewsSeen(news_id=NEWS_BASELINE, first_seen_at=now))
    seen = []
    for item in news:
        first_seen = known.get(item.news_id)
        if first_seen is None:
            day_start = datetime.combine(item.day, time(0), tzinfo=UTC)
            first_seen = min(day_start, now) if baseline else now
            known[item.news_id] = first_seen
            session.add(DigestNewsSeen(news_id=item.news_id, first_seen_at=first_seen))
        seen.append(replace(item, first_seen=first_seen))
    await session.flush()
    return tuple(seen)


async def load_sources(session: AsyncSession, kb: KnowledgeBase, now: datetime) -> DigestSources:
    folder = kb.root
    entry_changed = await sync_entry_versions(session, kb, now)
    return DigestSources(
        kb=kb, news=await sync_news_seen(session, load_news(folder), now),
        funfacts=load_funfacts(folder), service_names=load_service_names(folder),
        entry_changed=entry_changed,
    )
