"""The summary stays one message with balanced tags, however long the free-text answers are."""

from __future__ import annotations

import pytest
from markupsafe import escape

from bot.config import SUPPORTED_LANGUAGES
from bot.handlers.feedback_views import SUMMARY_ANSWER_CHARS, summary_lines
from bot.rendering import render
from tests.conftest import make_settings
from tests.handlers.feedback_support import (
    copy_knowledge,
    data,
    last,
    to_last_question,
    unbalanced,
)


async def test_long_multiline_comment_keeps_the_summary_one_balanced_message(harness):
    await to_last_question(harness)
    comment = "\n".join(["<" * 99] * 10)  # 999 characters, each escaped to four
    calls = harness.messages(await harness.say(comment))
    assert len(calls) == 1  # one message: nothing split, nothing refused
    (summary,) = calls
    assert "Your answers" in summary.text and "Submit these answers?" in summary.text
    assert not unbalanced(summary.text) and len(summary.text) < 2000
    assert "&lt;" * 70 in summary.text and "&lt;…</b>" in summary.text  # cut, tags closed
    assert data(summary, "fs:").endswith(":submit")
    thanks = last(harness, await harness.press(data(summary, "fs:")))
    assert "Thank you!" in thanks.text


@pytest.fixture
def settings(db_url, tmp_path):  # type: ignore[no-untyped-def]
    folder = copy_knowledge(tmp_path)
    path = folder / "surveys" / "pilot-service.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("max_length: 1000", "max_length: 4000"), encoding="utf-8")
    return make_settings(db_url, knowledge_dir=folder)


async def test_the_longest_answer_the_loader_allows_fits_one_message(harness):
    await to_last_question(harness)
    line = '<&">' * 9 + "\n"  # 37 characters, 160 once escaped
    comment = (line * 200)[:4000]
    calls = harness.messages(await harness.say(comment))
    assert len(calls) == 1
    (summary,) = calls
    assert not unbalanced(summary.text) and len(summary.text) < 2000
    assert all(row.count("<b>") == row.count("</b>") for row in summary.text.split("\n"))
    assert data(summary, "fs:").endswith(":submit")


def test_summary_lines_cut_by_escaped_length_and_drop_empty_lines():
    assert summary_lines("Yes") == ["Yes"]
    assert summary_lines("a\n\n  b  \nc") == ["a", "b", "c"]
    (cut,) = summary_lines("<" * 400)
    assert cut.endswith("…") and len(escape(cut[:-1])) <= SUMMARY_ANSWER_CHARS
    many = summary_lines("word\n" * 200)
    assert 1 < len(many) < 40 and many[-1].endswith("…")


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_summary_template_tags_each_line_in_every_language(lang):
    text = render(lang, "feedback_summary", service="S",
                  items=[{"question": "Q?", "lines": ["one <x>", "two & three"]}])
    assert "<b>one &lt;x&gt;</b>\n" in text and "<b>two &amp; three</b>" in text
    assert not unbalanced(text)


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED_LANGUAGES if lang != "en"])
@pytest.mark.parametrize("template", [
    "feedback_resumed", "feedback_switch", "feedback_survey_changed",
    "feedback_button_continue", "feedback_button_start_new",
])
def test_new_survey_texts_are_translated(lang, template):
    values = {"service": "S", "current": "A", "new": "B", "dropped": True}
    text = render(lang, template, **values)
    assert text and text != render("en", template, **values) and not unbalanced(text)
