"""Survey rules: visibility, navigation and answer parsing."""

from bot.knowledge import load_knowledge
from bot.services import survey_logic as logic
from tests.conftest import FIXTURE_KNOWLEDGE

SURVEY = load_knowledge(FIXTURE_KNOWLEDGE).surveys["pilot-service"]
Q = {q.id: q for q in SURVEY.questions}


def test_branching_shows_a_question_only_after_the_right_answer():
    assert 5 not in logic.visible(SURVEY, {"continue": "yes"})
    assert 5 in logic.visible(SURVEY, {"continue": "no"})
    assert logic.next_position(SURVEY, {"continue": "yes"}, 4) == 6
    assert logic.next_position(SURVEY, {"continue": "no"}, 4) == 5
    assert logic.previous_position(SURVEY, {"continue": "yes"}, 6) == 4
    assert logic.next_position(SURVEY, {}, 6) is None
    assert logic.previous_position(SURVEY, {}, 0) is None


def test_required_and_hidden_answers():
    answers = {"overall": 4, "expectations": "met", "recommend": 9, "continue": "yes",
               "why_not": "stale answer of a now hidden question"}
    assert logic.missing_required(SURVEY, answers) is None
    assert logic.missing_required(SURVEY, {"overall": 4}) == 1
    assert "why_not" not in logic.visible_answers(SURVEY, answers)


def test_parsing_typed_answers():
    assert logic.parse_text_answer(Q["overall"], " 5 ") == 5
    assert logic.parse_text_answer(Q["overall"], "0") == logic.Invalid("out_of_range", 1, 5)
    assert logic.parse_text_answer(Q["recommend"], "0") == 0
    assert logic.parse_text_answer(Q["recommend"], "11") == logic.Invalid("out_of_range", 0, 10)
    assert logic.parse_text_answer(Q["expectations"], "met") == logic.Invalid("use_buttons")
    assert logic.parse_text_answer(Q["comment"], "  ") == logic.Invalid("empty")
    assert logic.parse_text_answer(Q["why_not"], "x" * 501) == logic.Invalid("too_long", limit=500)


def test_parsing_button_answers_and_toggles():
    assert logic.parse_button_answer(Q["overall"], "3") == 3
    assert logic.parse_button_answer(Q["overall"], "7") == logic.Invalid("out_of_range", 1, 5)
    assert logic.parse_button_answer(Q["continue"], "maybe") == logic.Invalid("unknown_option")
    assert logic.parse_button_answer(Q["benefits"], "market") == "market"
    assert logic.toggle(["a", "b"], "a") == ["b"] and logic.toggle(None, "c") == ["c"]
    assert logic.parse_org_field("size_band", "10-49") == "10-49"
    assert logic.parse_org_field("name", "  Acme   SpA ") == "Acme SpA"
    assert logic.answer_cells(Q["benefits"], ["a", "b"]) == (None, "a;b")
    assert logic.answer_cells(Q["recommend"], 7) == (7.0, None)
