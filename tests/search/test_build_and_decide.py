"""Build shortcuts give the same keys as the plain path; the decision rule's second opinion."""

from __future__ import annotations

import random
from array import array
from collections import Counter

import pytest

from bot.knowledge.markdown import to_plain_text
from bot.search import ANSWERED, NO_MATCH, Match, Thresholds
from bot.search.keys import KeyMaker
from bot.search.normalize import body_tokens, query_variants, stem, stem_many, tokens
from bot.search.postings import BODY, TITLE, PhrasePostings, Postings
from bot.search.results import AMBIGUOUS, decide
from bot.search.synonyms import SynonymMap

SYNONYMS = SynonymMap([["edp", "entrepreneurial discovery process", "entrepreneurial discovery"],
                       ["s3", "smart specialisation"]])
BODY_TEXT = ("The entrepreneurial discovery process (EDP) drives smart specialisation. "
             "Entrepreneurial firms take part; discovery is continuous, and the entrepreneurial "
             "discovery of priorities never ends. Smart people, smart specialisation, s3.")


def test_body_ids_count_like_the_ordered_keys():
    raw = tokens(BODY_TEXT)
    plain = KeyMaker(SYNONYMS)
    expected = Counter(plain.keys(raw, "en"))
    maker = KeyMaker(SYNONYMS)
    maker.learn(raw[:5], "en")  # the body's other words are learned on the way
    ids, taken = maker.body_ids(raw, "en")
    assert taken  # the synonym terms took over some uses of their words
    counts = Counter(i for i in ids if i >= 0)
    counts.subtract(taken)
    names = list(maker.key_ids)
    assert {names[i]: n for i, n in counts.items() if n} == expected
    assert all(count > 0 for count in counts.values() if count)
    assert maker.words() == set(raw)


def test_body_tokens_skip_link_targets_like_the_plain_text():
    markdown = ("**Bold** and _italic_ with a [link to the guide](https://example.org/s3-guide) "
                "and `code`.\n\n- bullet\n1. numbered\n## Heading")
    assert body_tokens(markdown) == tokens(to_plain_text(markdown))
    assert "example" not in body_tokens(markdown)


def test_long_posting_lists_are_read_strongest_first():
    postings = Postings(sort_above=2)
    names = ["k", "other", "unused", "gone"]
    for doc in range(4):  # "k" is in the title of document 3 only, in every body 1 + doc times
        title = [0] if doc == 3 else []
        keys = title + [0] * (1 + doc) + [1, -1, 3]
        tiers = [TITLE] * len(title) + [BODY] * (len(keys) - len(title))
        postings.add(array("i", keys), array("b", tiers), removed=[3])
    postings.freeze(names)
    docs, strengths, saturations = postings.read("k", 10)
    assert docs.tolist()[0] == 3 and strengths.tolist()[0] == 1.0
    assert postings.read("k", 2)[0].tolist() == [3, 0]
    assert postings.document_frequencies() == {"k": 4, "other": 4}  # taken back, never used
    assert "gone" not in postings and "unused" not in postings and "k" in postings
    assert all(0 < s < 1 for s in saturations.tolist())
    assert BODY != TITLE


def test_phrase_postings_list_each_keys_phrasings_in_order():
    phrases = PhrasePostings()
    phrases.add(0, [2, 0], [1, 1])  # phrasing 0 holds key 2, phrasing 1 key 0
    phrases.add(2, [0, 1], [2])
    phrases.freeze(["a", "b", "c", "d"])
    assert list(phrases.get("a")) == [1, 2] and list(phrases.get("c")) == [0]
    assert list(phrases.get("d")) == [] and list(phrases.get("missing")) == []


def _matches(*scores: float) -> list[Match]:
    return [Match(f"e{i}", f"E{i}", s, "en") for i, s in enumerate(scores)]


def test_an_agreeing_second_opinion_lowers_the_bar_for_an_answer():
    t = Thresholds()
    score = t.agree_answer + 0.02
    assert score < min(t.answer, t.suggest)
    matches = _matches(score, score - 0.04)  # below the plain bar, and a small lead
    assert t.agree_margin <= 0.04 < t.margin
    assert decide(matches, t)[0] == NO_MATCH
    assert decide(matches, t, ("e0", t.agree_lead))[0] == ANSWERED
    assert decide(matches, t, ("e1", 1.0))[0] == NO_MATCH  # it ranks another entry first
    assert decide(matches, t, ("e0", t.agree_lead / 2))[0] == NO_MATCH  # without a lead of its own
    close = _matches(0.60, 0.59)
    assert decide(close, t, ("e0", 1.0))[0] == AMBIGUOUS  # a near tie stays a question


@pytest.mark.parametrize("lang", ["en", "it", "de", "fr", "sl"])
def test_stemming_many_words_at_once_equals_one_by_one(lang):
    words = ["specialisation", "regioni", "unternehmen", "entreprises", "regijah", "regija",
             "podjetjem", "s3", "2020", "ab12", "was", "cluster", "clusters", "ima", "x"]
    assert stem_many(words, lang) == [stem(w, lang) for w in words]


def _reference_match(synonyms: SynonymMap, toks: list[str], i: int) -> tuple[int, str] | None:
    """The longest term whose every token shares a variant with the text's, tried one by one."""
    best = None
    for gid, group in enumerate(GROUPS):
        for term in group:
            pattern = [query_variants(t) for t in tokens(term)]
            n = len(pattern)
            fits = i + n <= len(toks) and all(pattern[k] & query_variants(toks[i + k]) for k in range(n))
            if fits and (best is None or n > best[0] or (n == best[0] and f"~g{gid}" < best[1])):
                best = (n, f"~g{gid}")
    return best


GROUPS = [["cluster", "cluster manager", "cluster management organisation", "clustermanager"],
          ["smart specialisation", "smart specialisation strategy", "s3", "ris3"],
          ["manager", "managers"], ["förderung", "gefördert", "funding"], ["state aid", "aid"]]


def test_the_matcher_finds_what_trying_every_term_finds():
    synonyms = SynonymMap(GROUPS)
    words = tokens("cluster clusters manager managers management organisation organisations smart "
                   "specialisation specialisations strategy strategies s3 ris3 state aid aids gefördert "
                   "geförderte funding funded the of a clustermanager")
    rng = random.Random(3)
    for _ in range(3000):
        toks = rng.choices(words, k=rng.randint(1, 6))
        for i in range(len(toks)):
            assert synonyms.match(toks, i) == _reference_match(synonyms, toks, i), (toks, i)
