"""German verb forms meet their nouns and infinitives (bot/search/german.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.search import SearchIndex
from bot.search.german import ge_position
from bot.search.normalize import fold, query_variants, stem, stem_many, tokens
from bot.search.synonyms import SynonymMap, carry_quality

BUNDLED = Path(__file__).resolve().parents[2] / "knowledge"


def _stem(word: str) -> str:
    return stem(fold(word), "de")


@pytest.mark.parametrize(
    "family",
    [
        ("fördern", "fördert", "gefördert", "geförderte", "Förderung", "Förderungen"),
        ("unterstützen", "unterstützt", "Unterstützung"),
        ("steuern", "steuert", "Steuerung"),
        ("überwachen", "überwacht", "Überwachung"),
        ("stärken", "stärkt", "gestärkt"),
        ("gründen", "gegründet", "Gründung"),
        ("leiten", "geleitet", "Leitung"),
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
        ("Stress", "Stresstest"),  # "-st" keeps its "t"
        ("Gebiet", "bieten"),  # a noun that starts with "ge"
        ("gerecht", "Recht"),
        ("Geschichte", "Schicht"),
        ("Änderung", "andere"),  # "-er" goes before "-ung" only where four letters are left
        ("geworden", "Worte"),  # not a "t" participle
        ("Gesetz", "gesetzt"),
        ("Forschung", "fördern"),
        ("Experte", "Export"),
    ],
)
def test_words_of_other_families_stay_apart(one, other):
    assert _stem(one) != _stem(other)


def test_the_ge_of_a_participle_sits_at_the_start_or_after_a_separable_prefix():
    assert ge_position("gefordert") == 0
    assert ge_position("umgesetzt") == 2
    assert ge_position("gebaut") == 0 and ge_position("geld") is None  # four letters must be left
    assert _stem("gefunden") == "gefund"  # a participle in "-en": not a "-t" form, "ge" stays
    assert _stem("gewährt") != _stem("Gewährung")
    assert _stem("Gewährung") in query_variants(fold("gewährt"))  # a verb that starts with "ge"


def test_inflected_participles_reach_synonym_groups_as_the_verb_does():
    synonyms = SynonymMap([["förderung", "funding"], ["umsetzung", "implementation"]])
    assert synonyms.apply(["gefordert"]) == synonyms.apply(["geforderte"]) == ["~g0"]
    assert synonyms.apply(["umgesetzt"]) == ["~g1"]
    words = ["geforderte", "umgesetzt", "cluster", "ge", "gebiet"]
    assert synonyms.starters(words) == [w for w in words if synonyms.may_start(w)]


def test_a_corrected_word_inside_a_synonym_term_keeps_part_of_its_discount():
    quality = {"proces": 0.8}
    carry_quality(["~g2", "=~g2:entrepreneurial_discovery_proces"], quality)
    assert quality["~g2"] == quality["=~g2:entrepreneurial_discovery_proces"] == pytest.approx(
        (1 + 1 + 0.8) / 3)


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
