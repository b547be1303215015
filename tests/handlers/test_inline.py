"""End-to-end: inline mode."""

from __future__ import annotations

from tests import factories


async def test_inline_query_offers_matching_entries(harness):
    calls = await harness.feed(factories.inline_query("gold label"))
    (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
    results = answer.params["results"]
    assert results[0]["id"] == "cluster-label-gold"
    assert results[0]["input_message_content"]["message_text"].startswith("<b>The Gold label")
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"


async def test_inline_query_without_match_or_text_returns_nothing(harness):
    for query in ("", "football results", "x" * 300):
        calls = await harness.feed(factories.inline_query(query))
        (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
        assert answer.params["results"] == []
