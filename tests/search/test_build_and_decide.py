"""Build shortcuts give the same keys as the plain path; the decision rule's second opinion."""

from __future__ import annotations

from collections import Counter

from bot.knowledge.markdown import to_plain_text
from bot.search import ANSWERED, NO_MATCH, Match, Thresholds
from bot.search.keys import KeyMaker
from bot.search.normalize import body_tokens, tokens
from bot.search.postings import BODY, TITLE, Postings
from bot.search.results import AMBIGUOUS, decide
from bot.search.synonyms import SynonymMap

SYNONYMS = SynonymMap([["edp", "entrepreneurial discovery process", "entrepreneurial discovery"],
                       ["s3", "smart specialisation"]])
BODY_TEXT = ("The entrepreneurial discovery process (EDP) drives smart specialisation. "
             "Entrepreneurial firms take part; discovery is continuous, and the entrepreneurial "
             "discovery of priorities never ends. Smart people, smart specialisation, s3.")


def test_body_counts_equal_counting_the_ordered_keys():
    raw = tokens(BODY_TEXT)
    expected = Counter(KeyMaker(SYNONYMS).keys(raw, "en"))
    seen: set[str] = set()
    assert KeyMaker(SYNONYMS).counts(raw, "en", seen) == expected
    assert seen == set(raw)
    assert all(count > 0 for count in expected.values())


def test_body_tokens_skip_link_targets_like_the_plain_text():
    markdown = ("**Bold** and _italic_ with a [link to the guide](https://example.org/s3-guide) "
                "and `code`.\n\n- bullet\n1. numbered\n## Heading")
    assert body_tokens(markdown) == tokens(to_plain_text(markdown))
    assert "example" not in body_tokens(markdown)


def test_long_posting_lists_are_read_strongest_first():
    postings = Postings(sort_above=2)
    for doc in range(4):
        postings.add(doc, {"k": TITLE} if doc == 3 else {}, {"k": 1 + doc, "other": 1})
    postings.freeze()
    docs, strengths, saturations = postings.read("k", 10)
    assert docs.tolist()[0] == 3 and strengths.tolist()[0] == 1.0
    assert postings.read("k", 2)[0].tolist() == [3, 0]
    assert postings.document_frequencies() == {"k": 4, "other": 4}
    assert all(0 < s < 1 for s in saturations.tolist())
    assert BODY != TITLE


def _matches(*scores: float) -> list[Match]:
    return [Match(f"e{i}", f"E{i}", s, "en") for i, s in enumerate(scores)]


def test_an_agreeing_second_opinion_lowers_the_bar_for_an_answer():
    t = Thresholds()
    matches = _matches(0.38, 0.33)  # below the plain bar, and a small lead
    assert decide(matches, t)[0] == NO_MATCH
    assert decide(matches, t, ("e0", t.agree_lead))[0] == ANSWERED
    assert decide(matches, t, ("e1", 1.0))[0] == NO_MATCH  # it ranks another entry first
    assert decide(matches, t, ("e0", t.agree_lead / 2))[0] == NO_MATCH  # without a lead of its own
    close = _matches(0.60, 0.59)
    assert decide(close, t, ("e0", 1.0))[0] == AMBIGUOUS  # a near tie stays a question
