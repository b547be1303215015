"""Pure survey rules: which questions are visible, where Back and Next go, what an answer means.

No database and no Telegram here, so every rule is unit-tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.knowledge.surveys import Question, Survey

ORG_FIELDS = ("name", "sector", "region", "size_band")
ORG_MAX_LENGTH = {"name": 200, "sector": 100, "region": 100}
SIZE_BANDS = ("1-9", "10-49", "50-249", "250+")


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why an answer was refused; `reason` names a message template."""

    reason: str  # use_buttons | out_of_range | too_long | empty | unknown_option
    low: int | None = None
    high: int | None = None
    limit: int | None = None


def visible(survey: Survey, answers: dict[str, Any]) -> list[int]:
    """Indexes of the questions shown, given the answers so far (branching)."""
    return [
        i for i, q in enumerate(survey.questions)
        if q.show_if is None or q.show_if.holds(answers)
    ]


def next_position(survey: Survey, answers: dict[str, Any], position: int) -> int | None:
    """The next visible question after `position`, or None when the survey is complete."""
    return next((i for i in visible(survey, answers) if i > position), None)


def previous_position(survey: Survey, answers: dict[str, Any], position: int) -> int | None:
    before = [i for i in visible(survey, answers) if i < position]
    return before[-1] if before else None


def first_position(survey: Survey, answers: dict[str, Any]) -> int | None:
    shown = visible(survey, answers)
    return shown[0] if shown else None


def missing_required(survey: Survey, answers: dict[str, Any]) -> int | None:
    """The first visible required question without an answer, if any."""
    for i in visible(survey, answers):
        question = survey.questions[i]
        if question.required and answers.get(question.id) in (None, "", []):
            return i
    return None


def step_fits(survey: Survey, stage: str, position: int, answers: dict[str, Any]) -> bool:
    """Whether a draft's step still exists in the survey as it is now.

    Staff may shorten a survey, hide a question or make the survey anonymous with a knowledge
    reload while someone is half-way through it; such a step can be neither shown nor answered.
    """
    if stage == "org":
        return not survey.anonymous and 0 <= position < len(ORG_FIELDS)
    if stage == "org_review":
        return not survey.anonymous and position == 0
    if stage == "questions":
        return position in visible(survey, answers)
    return stage == "summary"


def visible_answers(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers of visible questions only: an answer hidden by a later change is dropped."""
    shown = {survey.questions[i].id for i in visible(survey, answers)}
    return {k: v for k, v in answers.items() if k in shown and v not in (None, "", [])}


def _clean(text: str) -> str:
    """Without NUL and other control characters, which no database column should hold."""
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32).strip()


def parse_text_answer(question: Question, text: str) -> Any | Invalid:
    """A typed answer: free text, or a number for rating/NPS; buttons for everything else."""
    text = _clean(text)
    if question.scale is not None:
        low, high = question.scale
        if re.fullmatch(r"-?[0-9]{1,3}", text):
            number = int(text)
            return number if low <= number <= high else Invalid("out_of_range", low, high)
        return Invalid("use_buttons")
    if question.type != "text":
        return Invalid("use_buttons")
    if not text:
        return Invalid("empty")
    if len(text) > question.max_length:
        return Invalid("too_long", limit=question.max_length)
    return text


def parse_button_answer(question: Question, value: str) -> Any | Invalid:
    """The value carried by a button of a closed question."""
    if question.scale is not None:
        low, high = question.scale
        if value.isdigit() and low <= int(value) <= high:
            return int(value)
        return Invalid("out_of_range", low, high)
    if question.type == "yesno":
        return value if value in ("yes", "no") else Invalid("unknown_option")
    if question.type in ("choice", "multi"):
        return value if any(o.id == value for o in question.options) else Invalid("unknown_option")
    return Invalid("use_buttons")


def toggle(selected: list[str] | None, option: str) -> list[str]:
    """Multi-select: add or remove one option, keeping the order of first selection."""
    selected = list(selected or [])
    if option in selected:
        selected.remove(option)
    else:
        selected.append(option)
    return selected


def parse_org_field(field: str, text: str) -> str | Invalid:
    text = " ".join(_clean(text).split())
    if field == "size_band":
        return text if text in SIZE_BANDS else Invalid("use_buttons")
    if not text:
        return Invalid("empty")
    if len(text) > ORG_MAX_LENGTH[field]:
        return Invalid("too_long", limit=ORG_MAX_LENGTH[field])
    return text


def answer_cells(question: Question, value: Any) -> tuple[float | None, str | None]:
    """How an answer is stored: (number, text)."""
    if question.scale is not None:
        return float(value), None
    if isinstance(value, list):
        return None, ";".join(value)
    return None, str(value)
