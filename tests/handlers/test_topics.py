"""End-to-end: browsing by topic."""

from __future__ import annotations

from bot.handlers import topics


async def test_topics_lists_tags_and_opens_entries(harness):
    reply = await harness.ask("/topics")
    datas = [b[1] for b in reply.buttons]
    assert "tag:clusters:0" in datas and "tag:funding:0" in datas
    assert ("Clusters (3)", "tag:clusters:0") in reply.buttons
    calls = await harness.press("tag:clusters:0")
    listing = harness.messages(calls)[0]
    assert listing.method == "editMessageText"
    assert [b[1] for b in listing.buttons] == [
        "ans:cluster-label-gold", "ans:cluster-label-silver", "ans:cluster-definition", "tags:0",
    ]
    calls = await harness.press("ans:cluster-label-gold")
    answer = harness.messages(calls)[0]
    assert answer.text.startswith("<b>The Gold label")
    assert not [b for b in answer.buttons if b[1].startswith("hlp:")]  # browsing is not a question


async def test_topics_paginate(harness, monkeypatch):
    monkeypatch.setattr(topics, "TAGS_PER_PAGE", 2)
    monkeypatch.setattr(topics, "ENTRIES_PER_PAGE", 2)
    first = await harness.ask("/topics")
    assert first.buttons[-1] == ("Next ›", "tags:1")
    calls = await harness.press("tags:1")
    page = harness.messages(calls)[0]
    assert ("‹ Previous", "tags:0") in page.buttons
    calls = await harness.press("tag:clusters:1")
    entries = harness.messages(calls)[0]
    assert [b[1] for b in entries.buttons] == ["ans:cluster-definition", "tag:clusters:0", "tags:0"]
    # a page number past the end shows the last page instead of failing
    calls = await harness.press("tag:clusters:99")
    assert harness.messages(calls)[0].buttons[0][1] == "ans:cluster-definition"
