"""Survey and service definitions: loading and validation with file and line."""

from __future__ import annotations

from bot.knowledge import load_knowledge
from bot.knowledge.surveys import Condition
from tests.conftest import FIXTURE_KNOWLEDGE


def test_fixture_surveys_and_services_load():
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    survey = kb.surveys["pilot-service"]
    assert [q.type for q in survey.questions] == [
        "rating", "choice", "multi", "nps", "yesno", "text", "text"]
    assert survey.questions[5].show_if == Condition("continue", ("no",))
    assert survey.questions[0].low == {"en": "Not useful"}
    assert kb.surveys["quick-anon"].anonymous
    assert kb.survey_for(kb.services["coaching"]).id == "pilot-service"
    assert kb.survey_for(kb.services["matching"]).id == "quick-anon"
    assert not kb.services["retired"].active
    assert str(kb.services["coaching"].start) == "2018-03-01"


def test_shipped_survey_is_in_five_languages():
    from bot.config import BUNDLED_KNOWLEDGE

    kb = load_knowledge(BUNDLED_KNOWLEDGE)
    survey = kb.surveys["pilot-service"]
    for lang in ("en", "it", "de", "fr", "sl"):
        assert lang in survey.title and lang in survey.intro
        for question in survey.questions:
            assert lang in question.text, (lang, question.id)
            for option in question.options:
                assert lang in option.text, (lang, question.id, option.id)


BAD_SURVEY = """title: {en: T}
questions:
  - id: a
    type: stars
    text: {en: A}
  - id: b
    type: choice
    text: {en: B}
    options: [{id: x, text: {en: X}}]
  - id: c
    type: text
    max_length: 0
    text: {en: C}
  - id: d
    type: yesno
    text: {it: solo italiano}
  - id: e
    type: text
    text: {en: E}
    show_if: {question: zzz, equals: 1}
  - id: e
    type: rating
    colour: red
    text: {en: E}
"""


def test_survey_errors_have_file_and_line(tmp_path):
    (tmp_path / "entries").mkdir()
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / "bad.yaml").write_text(BAD_SURVEY, encoding="utf-8")
    (tmp_path / "services.yaml").write_text(
        "services:\n  - id: s1\n    name: {en: S}\n    survey: missing\n  - id: S 2\n",
        encoding="utf-8")
    found = [p.format(tmp_path) for p in load_knowledge(tmp_path).problems]
    expected = [
        "surveys/bad.yaml:3: error: question 'a': type must be one of",
        "surveys/bad.yaml:6: error: question 'b': choice needs at least two options",
        "surveys/bad.yaml:10: error: question 'c': max_length must be a number from 1 to 4000",
        "surveys/bad.yaml:14: error: question 'd' text needs an English text",
        "surveys/bad.yaml:17: error: question 'e': show_if must name an earlier question",
        "surveys/bad.yaml:21: error: question id 'e' is used twice",
        "surveys/bad.yaml:21: error: question 'e': unknown keys colour",
        "services.yaml:5: error: service id 'S 2' must be unique",
        "services.yaml: error: service 's1' names survey 'missing', which does not exist",
    ]
    for message in expected:
        assert any(p.startswith(message) for p in found), (message, found)
    assert len(found) == len(expected), found
