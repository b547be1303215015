"""Templates, labels and message splitting."""

import pytest

from bot.rendering import label, render, split_message


def test_render_escapes_user_text_and_falls_back_to_english():
    text = render("xx", "did_you_mean", question="<i>&</i>")
    assert "&lt;i&gt;&amp;&lt;/i&gt;" in text


def test_labels_fall_back_and_unknown_label_fails_loudly():
    assert label("en", "next") == "Next ›"
    assert label("xx", "next") == "Next ›"
    with pytest.raises(KeyError):
        label("en", "no-such-label")


def test_short_text_is_one_message():
    assert split_message("hello") == ["hello"]
    assert split_message("   ") == []


def test_split_at_paragraphs_and_lines_within_limit():
    paragraphs = [f"<b>P{i}</b> " + "word " * 30 for i in range(40)]
    text = "\n\n".join(paragraphs)
    parts = split_message(text, limit=500)
    assert all(len(p) <= 500 for p in parts)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)
    assert " ".join(parts).split() == text.split()


def test_one_huge_line_is_cut_at_spaces_and_its_tags_reopened():
    text = "<b>" + "abc " * 3000 + "</b>"
    parts = split_message(text, limit=4096)
    assert all(len(p) <= 4096 for p in parts) and len(parts) == 3
    assert all(p.startswith("<b>abc") and p.endswith("</b>") for p in parts)
