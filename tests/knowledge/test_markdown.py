"""Markdown subset to Telegram HTML."""

import random
import re

from bot.knowledge.markdown import to_plain_text, to_telegram_html


def test_inline_markup_links_and_escaping():
    html = to_telegram_html("**Bold** and _it_ and `a<b` [x & y](https://e.org/?a=1&b=2) 3 < 4")
    assert html == (
        '<b>Bold</b> and <i>it</i> and <code>a&lt;b</code> '
        '<a href="https://e.org/?a=1&amp;b=2">x &amp; y</a> 3 &lt; 4'
    )


def test_bullets_headings_and_wrapped_lines():
    md = "# Title\nFirst line\ncontinues here.\n\n- one\n  more of one\n* two\n1. numbered\n"
    assert to_telegram_html(md) == (
        "<b>Title</b>\nFirst line continues here.\n\n• one more of one\n• two\n1. numbered"
    )


def test_snake_case_words_are_not_italic():
    assert to_telegram_html("use file_name_here") == "use file_name_here"


def test_plain_text():
    assert to_plain_text("**B** [l](https://x.y)\n- item") == "B l\n• item"


def test_code_inside_a_link_text_is_kept():
    assert to_telegram_html("[`s3bot kb check`](https://e.org)") == (
        '<a href="https://e.org"><code>s3bot kb check</code></a>')
    assert to_telegram_html("[``x``](https://e.org)") == '<a href="https://e.org">`<code>x</code>`</a>'
    assert to_telegram_html("`x` [a `b` c](https://e.org) **`y`**") == (
        '<code>x</code> <a href="https://e.org">a <code>b</code> c</a> <b><code>y</code></b>')


def test_odd_markup_never_breaks_the_conversion():
    # NUL characters once stood for set-aside pieces; stray ones are dropped, never misread.
    assert to_telegram_html("a\x000\x00b `c`") == "a0b <code>c</code>"
    pieces = ["a", " ", "*", "_", "`", "[", "]", "(", ")", "](https://e.org)", "**", "<", "&", "\n", "\x00"]
    rng = random.Random(2)
    for _ in range(3000):
        html = to_telegram_html("".join(rng.choices(pieces, k=rng.randint(1, 20))))
        assert "\x00" not in html
        assert not any("<" in code for code in re.findall("<code>(.*?)</code>", html))  # Telegram refuses
