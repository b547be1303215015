"""The answer engine on the fixture knowledge: statuses, typos, languages, synonyms."""

from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from bot.search import AMBIGUOUS, ANSWERED, NO_MATCH, SearchIndex
from bot.search.normalize import fold, query_variants, stem, tokens
from bot.search.synonyms import SynonymMap
from bot.search.typos import TypoIndex
from tests.conftest import FIXTURE_KNOWLEDGE


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(load_knowledge(FIXTURE_KNOWLEDGE))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("What is the entrepreneurial discovery process?", "edp"),  # own question
        ("how do stakeholders join the edp", "edp"),  # paraphrase
        ("EDP", "edp"),  # acronym only
        ("enterpreneurial discovrey", "edp"),  # typos
        ("ENTREPRENEURIAL   DISCOVERY!!!", "edp"),  # case and punctuation
        ("Che cos'è la scoperta imprenditoriale?", "edp"),  # Italian
        ("was ist intelligente Spezialisierung", "ris3"),  # German via synonyms
        ("FESR", "erdf"),  # synonym acronym
        ("european regional development fund", "erdf"),
        ("gold label requirements", "cluster-label-gold"),
        ("what's a clustr", "cluster-definition"),
    ],
)
def test_answers(index, query, expected):
    result = index.search(query)
    assert result.status == ANSWERED, result
    assert result.best.id == expected


@pytest.mark.parametrize(
    "query",
    ["best pasta recipe", "weather in Rome tomorrow", "hello", "?!", "", "🙂🙂", "x" * 600],
)
def test_out_of_scope_is_no_match(index, query):
    result = index.search(query)
    assert result.status == NO_MATCH, result


def test_close_candidates_are_ambiguous_with_suggestions(index):
    result = index.search("cluster excellence label")
    assert result.status == AMBIGUOUS
    assert {m.id for m in result.suggestions} == {"cluster-label-gold", "cluster-label-silver"}


def test_matches_are_sorted_limited_and_titled_in_language(index):
    result = index.search("scoperta imprenditoriale", lang="it", limit=2)
    assert len(result.matches) <= 2
    assert result.matches[0].title.startswith("Il processo")
    assert [m.score for m in result.matches] == sorted((m.score for m in result.matches),
                                                       reverse=True)


@pytest.mark.parametrize(
    ("wish", "topic", "lang"),
    [
        ("I would like to get", "the monthly digest", "en"),
        ("vorrei ricevere", "il riepilogo mensile", "it"),
        ("ich möchte", "den monatlichen Rundbrief", "de"),
        ("je voudrais recevoir", "un résumé mensuel", "fr"),
        ("želim prejemati", "mesečni povzetek", "sl"),
    ],
)
def test_wish_and_modal_verbs_carry_no_topic(index, wish, topic, lang):
    # An unknown word weighs as much as the rarest known one, so a "je voudrais" left in the
    # query would halve the share of it that the right entry explains.
    receive = {"en": "", "it": "ricevere", "de": "", "fr": "recevoir", "sl": "prejemati"}[lang]
    assert index.signature(f"{wish} {topic}", lang) == index.signature(f"{receive} {topic}", lang)


def test_normalisation_helpers():
    assert fold("Spécialisation ÜBER Straße") == "specialisation uber strasse"
    assert tokens("l'EDP, c'est quoi?") == ["l", "edp", "c", "est", "quoi"]
    assert stem("clusters", "en") == "cluster"
    assert "specializzazion" in query_variants("specializzazione")
    assert stem("s3", "de") == "s3"


def test_synonyms_collapse_multiword_terms_and_inflections():
    syn = SynonymMap([["s3", "smart specialisation", "specializzazione intelligente"]])
    assert syn.apply(["what", "is", "smart", "specialisation"]) == ["what", "is", "~g0"]
    assert syn.apply(["specializzazioni", "intelligenti"]) == ["~g0"]
    assert syn.apply(["smart", "city"]) == ["smart", "city"]


def test_typo_index_finds_close_words_only():
    typos = TypoIndex(["specialisation", "cluster", "label"])
    assert typos.corrections("specialsation")[0][0] == "specialisation"
    assert typos.corrections("clsuter")[0][0] == "cluster"  # transposition
    assert typos.corrections("banana") == []
    assert typos.corrections("lab") == []  # too short to correct


def test_four_letter_words_are_only_corrected_for_swapped_letters():
    typos = TypoIndex(["what", "work", "erdf"])
    assert typos.corrections("waht") == [("what", 0.75)]
    assert typos.corrections("erfd") == [("erdf", 0.75)]
    assert typos.corrections("york") == []


def test_index_is_rebuilt_not_mutated(index):
    other = SearchIndex(index.kb)
    assert other is not index and other.size == index.size
    assert index.build_seconds >= 0


def test_typo_index_finds_two_edits_even_at_the_start_of_a_word():
    typos = TypoIndex(["qualification", "commission", "development", "specialisation"])
    for typo, word in [("kwalification", "qualification"), ("kmomission", "commission"),
                       ("xvelopment", "development"), ("developmnet", "development"),
                       ("psecialisation", "specialisation")]:
        assert typos.corrections(typo)[0][0] == word, typo
    assert typos.corrections("xyzelopment") == []  # three edits


def test_an_entry_whose_phrasings_are_all_stop_words_still_ranks_by_its_body(tmp_path):
    entries = tmp_path / "entries"
    entries.mkdir()
    (entries / "who-we-are.md").write_text(
        "---\ntitle: Who are we?\nquestions:\n  - What is it?\n---\n"
        "The cluster secretariat runs the cluster and its secretariat office.\n", encoding="utf-8")
    (entries / "cluster.md").write_text(
        "---\ntitle: Clusters\nquestions:\n  - what is a cluster\n---\nA cluster is a group.\n",
        encoding="utf-8")
    index = SearchIndex(load_knowledge(tmp_path))
    ranked = {m.id: m.score for m in index.search("cluster secretariat office", limit=5).matches}
    assert set(ranked) == {"who-we-are", "cluster"}
    assert index.search("secretariat office").best.id == "who-we-are"
