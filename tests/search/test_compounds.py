"""Unknown long words read as compounds of known ones (bot/search/compounds.py)."""

from __future__ import annotations

from bot.knowledge import load_knowledge
from bot.search import SearchIndex
from bot.search.compounds import read_unknown, split_compound
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.search.test_german import BUNDLED

KNOWN = {"cluster", "forderung", "innovation", "gutschein", "regional", "entwicklung", "fonds",
         "rede", "signing"}


def test_two_known_words_make_a_compound():
    assert split_compound("clusterforderung", KNOWN.__contains__) == ["cluster", "forderung"]


def test_the_linking_s_is_dropped():
    assert split_compound("innovationsgutschein", KNOWN.__contains__) == ["innovation", "gutschein"]


def test_a_compound_of_three_words():
    assert split_compound("regionalentwicklungsfonds", KNOWN.__contains__) == [
        "regional", "entwicklung", "fonds"]


def test_no_split_into_short_or_unknown_parts():
    assert split_compound("redesigning", KNOWN.__contains__) is None  # "rede" is too short
    assert split_compound("clusterpasta", KNOWN.__contains__) is None
    assert split_compound("cluster", KNOWN.__contains__) is None
    assert split_compound("cluster2020x", KNOWN.__contains__) is None


def test_an_unknown_compound_query_finds_the_entry_of_its_parts():
    index = SearchIndex(load_knowledge(FIXTURE_KNOWLEDGE))
    plain = index.search("entrepreneurial discovery process")
    glued = index.search("entrepreneurialdiscoveryprocess")
    assert glued.best is not None and glued.best.id == plain.best.id == "edp"
    assert glued.status == "answered" and glued.best.score < plain.best.score  # parts are a guess


def test_a_close_typo_wins_over_a_compound_reading():
    index = SearchIndex(load_knowledge(BUNDLED))
    assert split_compound("clustermanagment", index._is_known) == ["cluster", "managment"]
    fixes = read_unknown("clustermanagment", index._typos, index._is_known)
    assert [word for word, _ in fixes] == ["clustermanagement"]  # one letter missing
