"""German verb forms meet their nouns and infinitives (bot/search/german.py)."""

from __future__ import annotations

import pytest

from bot.search.german import refine
from bot.search.normalize import fold, query_variants, stem, stem_many


def _stem(word: str) -> str:
    return stem(fold(word), "de")


@pytest.mark.parametrize(
    "family",
    [
        ("fördern", "fördert", "gefördert", "Förderung"),
        ("unterstützen", "unterstützt", "Unterstützung"),
        ("steuern", "steuert", "Steuerung"),
        ("arbeiten", "arbeitet", "Arbeit"),
        ("voraussetzen", "voraussetzt", "Voraussetzungen"),
        ("bedeuten", "bedeutet", "Bedeutung"),
        ("Projekt", "Projekte", "Projekten"),
    ],
)
def test_a_word_family_shares_one_stem(family):
    assert len({_stem(word) for word in family}) == 1, {word: _stem(word) for word in family}


def test_short_stems_keep_their_last_letter():
    assert _stem("Markt") == "markt"
    assert _stem("Recht") == "recht"
    assert refine("wahlt") == "wahlt"  # five letters: left alone, "Markt" is not a verb


def test_words_of_other_families_stay_apart():
    assert _stem("Forschung") != _stem("fördern")
    assert _stem("Gebiet") != _stem("bieten")  # too short for a participle: "ge" stays
    assert _stem("Cluster") != _stem("Clustermanagement")


def test_a_query_word_starting_with_ge_is_also_looked_up_without_it():
    # "gestalten" is a verb of its own: the index keeps its "ge", the participle loses it
    assert _stem("gestaltet") in query_variants("gestalten")
    assert _stem("gestalten") in query_variants("gestaltet")
    assert _stem("fördern") in query_variants("gefördert")


def test_index_builds_and_queries_stem_alike():
    words = [fold(w) for w in ("gefördert", "Förderung", "arbeitet", "Markt", "s3", "KMU")]
    assert stem_many(words, "de") == [stem(w, "de") for w in words]
