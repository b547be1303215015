"""Quality gates for the knowledge that ships in knowledge/."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge import load_knowledge
from bot.search import ANSWERED, SearchIndex


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(load_knowledge(BUNDLED_KNOWLEDGE))


def test_check_passes_without_errors_or_warnings(index):
    assert [p.format(BUNDLED_KNOWLEDGE) for p in index.kb.problems] == []
    assert len(index.kb.entries) >= 25


def test_every_question_retrieves_its_own_entry_in_its_language(index):
    misses = []
    for entry in index.kb.entries.values():
        for lang, text in entry.texts.items():
            for question in text.questions:
                result = index.search(question, lang)
                # The answer is shown in the user's language whichever phrasing matched.
                if result.status != ANSWERED or result.best.id != entry.id:
                    got = [(m.id, m.lang, m.score) for m in result.matches[:2]]
                    misses.append(f"{entry.id}.{lang}: {question!r} -> {result.status} {got}")
    assert misses == []


def test_no_two_entries_share_a_near_identical_question(index):
    seen: dict[frozenset[str], set[tuple[str, str]]] = defaultdict(set)
    for entry in index.kb.entries.values():
        for lang, text in entry.texts.items():
            for question in text.questions:
                seen[index.signature(question, lang)].add((f"{entry.id}.{lang}", question))
    collisions = [
        sorted(places) for places in seen.values()
        if len({p[0].split(".")[0] for p in places}) > 1
    ]
    assert collisions == []
