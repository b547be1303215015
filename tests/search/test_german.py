"""German verb forms meet their nouns and infinitives (bot/search/german.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.search import SearchIndex
from bot.search.german import without_ge
from bot.search.normalize import fold, stem, stem_many, tokens

BUNDLED = Path(__file__).resolve().parents[2] / "knowledge"


def _stem(word: str) -> str:
    return stem(fold(word), "de")


@pytest.mark.parametrize(
    "family",
    [
        ("fördern", "fördert", "gefördert", "geförderte", "Förderung", "Förderungen"),
        ("unterstützen", "unterstützt", "Unterstützung"),
        ("steuern", "steuert", "Steuerung"),
        ("ändern", "ändert", "geändert", "Änderung"),
        ("finanzieren", "finanziert", "Finanzierung"),
        ("wählen", "wählt", "Wahl"),
        ("auswählen", "ausgewählt", "Auswahl"),
        ("umsetzen", "umgesetzt", "Umsetzung"),
        ("voraussetzen", "voraussetzt", "Voraussetzungen"),
        ("gestalten", "gestaltet", "Gestaltung"),
        ("Inhalt", "Inhalte", "Inhalten"),
        ("Gesellschaft", "Gesellschaften", "gesellschaftlich"),
        ("Experte", "Experten"),
    ],
)
def test_a_word_family_shares_one_stem(family):
    assert len({_stem(word) for word in family}) == 1, {word: _stem(word) for word in family}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Unternehmen", "unternehmerisch"),  # no broad "-er" rule
        ("Stress", "Stresstest"),  # no broad "-t" rule
        ("Gebiet", "bieten"),  # too short for a participle: "ge" stays
        ("geworden", "Worte"),  # not a "t" participle
        ("Gesetz", "gesetzt"),
        ("Forschung", "fördern"),
        ("Experte", "Export"),
    ],
)
def test_words_of_other_families_stay_apart(one, other):
    assert _stem(one) != _stem(other)


def test_only_participle_shapes_lose_their_ge():
    assert without_ge("gefordert") == "fordert"
    assert without_ge("umgesetzt") == "umsetzt"
    assert without_ge("gebiet") is None  # four letters must be left
    assert without_ge("gefunden") is None  # not ending in "t"


def test_index_and_query_stem_every_german_word_of_the_knowledge_alike():
    kb = load_knowledge(BUNDLED)
    words = sorted({w for e in kb.entries.values() if "de" in e.texts
                    for t in (e.texts["de"].title, *e.texts["de"].questions, e.texts["de"].body)
                    for w in tokens(t)})
    assert len(words) > 1000
    assert stem_many(words, "de") == [stem(w, "de") for w in words]


def test_a_german_participle_question_reaches_the_funding_synonyms():
    index = SearchIndex(load_knowledge(BUNDLED))
    participle = {k for q in index._query_tokens("was wird gefördert") for k in q.matches}
    noun = {k for q in index._query_tokens("Förderung") for k in q.matches}
    assert participle & noun and any(k.startswith("~g") for k in participle & noun)
