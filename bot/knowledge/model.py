"""Immutable knowledge objects, shared by the engine, the handlers and the CLI."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.knowledge.surveys import Service, Survey

DEFAULT_LANG = "en"
DEFAULT_SURVEY = "pilot-service"


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class EntryText:
    """The language-specific part of an entry (the English original or a translation)."""

    lang: str
    title: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    body: str  # Markdown as written by the curators
    body_html: str  # Telegram HTML, converted once at load time
    sources: tuple[Source, ...] = ()  # a translation's own sources, e.g. EUR-Lex in its language


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    tags: tuple[str, ...]
    sources: tuple[Source, ...]
    related: tuple[str, ...]
    updated: date | None
    texts: Mapping[str, EntryText]  # lang -> text; always has DEFAULT_LANG
    path: Path | None = None

    @property
    def title(self) -> str:
        return self.texts[DEFAULT_LANG].title

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def sources_in(self, lang: str) -> tuple[Source, ...]:
        """A translation's own sources when it has some, else the English entry's."""
        return self.text(lang).sources or self.sources

    def text(self, lang: str) -> EntryText:
        """The text in `lang`, or the English original when there is no translation."""
        return self.texts.get(lang) or self.texts[DEFAULT_LANG]


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int | None
    message: str
    level: str = "error"  # or "warning"

    def format(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                path = self.path.relative_to(root)
        where = f"{path}:{self.line}" if self.line else str(path)
        return f"{where}: {self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    root: Path
    entries: Mapping[str, Entry]
    synonyms: tuple[tuple[str, ...], ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    surveys: Mapping[str, Survey] = field(default_factory=lambda: MappingProxyType({}))
    services: Mapping[str, Service] = field(default_factory=lambda: MappingProxyType({}))

    def survey_for(self, service: Service) -> Survey | None:
        """The service's survey, or the default one when the service names none."""
        if service.survey:
            return self.surveys.get(service.survey)
        return self.surveys.get(DEFAULT_SURVEY) or next(iter(self.surveys.values()), None)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({t for e in self.entries.values() for t in e.tags}))

    def by_tag(self, tag: str) -> tuple[Entry, ...]:
        found = [e for e in self.entries.values() if tag in e.tags]
        return tuple(sorted(found, key=lambda e: e.title.casefold()))


def freeze(mapping: dict) -> Mapping:  # type: ignore[type-arg]
    return MappingProxyType(mapping)
