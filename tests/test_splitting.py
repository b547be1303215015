"""Splitting long Telegram HTML into messages that each parse on their own."""

from __future__ import annotations

import html
import random
import re
from html.parser import HTMLParser

from bot.splitting import split_message


class _Balance(HTMLParser):
    """Fails on a closing tag that was not open; leaves the still-open tags in `stack`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.stack.append(tag)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


def _assert_parses(part: str) -> None:
    checker = _Balance()
    checker.feed(part)
    checker.close()
    assert checker.stack == [], part[-80:]
    assert not re.search(r"&[#a-zA-Z0-9]*$", part), part[-12:]  # no entity cut in half


def _text(parts: list[str]) -> list[str]:
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))).split()


def test_a_tag_spanning_lines_is_closed_and_reopened_at_the_cut():
    answer = "\n".join(f"line {i} " + "word " * 20 for i in range(60))
    text = f"<b>Your answers</b>\n\n<blockquote><b>{answer}</b></blockquote>\n\nend"
    parts = split_message(text, limit=1000)
    assert len(parts) > 2
    for part in parts:
        assert len(part) <= 1000
        _assert_parses(part)
    assert parts[1].startswith("<blockquote><b>")
    assert _text(parts) == _text([text])


def test_a_link_open_at_a_cut_reopens_with_its_address():
    text = '<a href="https://example.org/x?a=1&amp;b=2">' + "\n".join(["word " * 30] * 20) + "</a>"
    parts = split_message(text, limit=800)
    assert all(p.startswith('<a href="https://example.org/x?a=1&amp;b=2">') for p in parts)
    for part in parts:
        _assert_parses(part)


def test_an_over_long_line_is_never_cut_inside_an_entity():
    parts = split_message("x" + "&amp;" * 1000)
    assert len(parts) == 2
    for part in parts:
        _assert_parses(part)
    assert "".join(html.unescape(p) for p in parts) == "x" + "&" * 1000


def test_random_markup_always_splits_into_parts_that_parse():
    rng = random.Random(5)
    tags = ["b", "i", "u", "code", "blockquote", "pre"]
    for _ in range(200):
        out, stack = [], []
        for _ in range(rng.randint(50, 400)):
            roll = rng.random()
            if roll < 0.1 and len(stack) < 4:
                stack.append(rng.choice(tags))
                out.append(f"<{stack[-1]}>")
            elif roll < 0.18 and stack:
                out.append(f"</{stack.pop()}>")
            elif roll < 0.3:
                out.append(rng.choice(["\n", "\n\n", "&amp;", "&lt;", " "]))
            else:
                out.append(rng.choice(["word ", "Übersicht ", "x" * rng.randint(1, 300), "🙂 "]))
        out += [f"</{t}>" for t in reversed(stack)]
        text = "".join(out)
        limit = rng.choice([300, 600, 1000])
        parts = split_message(text, limit)
        for part in parts:
            assert 0 < len(part) <= limit
            _assert_parses(part)
        assert "".join(_text(parts)) == "".join(_text([text]))
