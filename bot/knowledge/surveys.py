"""Feedback surveys (`surveys/<id>.yaml`) and piloted services (`services.yaml`).

A survey is data, so staff change questions without code:

    id: pilot-service                  # defaults to the file stem
    title: {en: ..., it: ...}          # per language; en required
    intro: {en: ..., it: ...}
    anonymous: false                   # true: answers are stored without the Telegram identity
    questions:
      - id: overall                    # [a-z0-9_]+, unique in the survey
        type: rating                   # rating (1-5) | nps (0-10) | choice | multi | text | yesno
        required: true                 # default true
        text: {en: ..., it: ...}
        low: {en: Not useful}          # rating only: labels of the ends
        high: {en: Very useful}
        options:                       # choice and multi
          - {id: time, text: {en: It saved us time}}
        max_length: 500                # text only (default 1000)
        show_if: {question: overall, in: [1, 2]}   # optional: shown only after such an answer
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.knowledge.model import DEFAULT_LANG, Problem
from bot.knowledge.yamlpos import LocatedYaml, load_located

QUESTION_TYPES = ("rating", "nps", "choice", "multi", "text", "yesno")
MAX_TEXT_LENGTH = 1000
_QID = re.compile(r"^[a-z0-9_]{1,24}$")
_SID = re.compile(r"^[a-z0-9-]{1,40}$")


def localized(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get(DEFAULT_LANG) or next(iter(texts.values()), "")


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: dict[str, str]


@dataclass(frozen=True, slots=True)
class Condition:
    question: str
    values: tuple[str, ...]  # answers (as text) that make the question visible

    def holds(self, answers: dict[str, Any]) -> bool:
        answer = answers.get(self.question)
        if isinstance(answer, list):
            return any(str(a) in self.values for a in answer)
        return answer is not None and str(answer) in self.values


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: str
    text: dict[str, str]
    required: bool = True
    options: tuple[Option, ...] = ()
    low: dict[str, str] | None = None
    high: dict[str, str] | None = None
    max_length: int = MAX_TEXT_LENGTH
    show_if: Condition | None = None

    @property
    def scale(self) -> tuple[int, int] | None:
        return {"rating": (1, 5), "nps": (0, 10)}.get(self.type)


@dataclass(frozen=True, slots=True)
class Survey:
    id: str
    title: dict[str, str]
    intro: dict[str, str]
    questions: tuple[Question, ...]
    anonymous: bool = False

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: dict[str, str]
    description: dict[str, str]
    region: str = ""
    cluster: str = ""
    round: int = 1
    start: date | None = None
    end: date | None = None
    active: bool = True
    survey: str | None = None  # survey id; the only/default survey when not given


class _Report:
    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path, self.problems = path, problems

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, "error"))


def _texts(value: Any, where: str, line: int | None, out: _Report, required: bool = True
           ) -> dict[str, str]:
    if value is None and not required:
        return {}
    if isinstance(value, str):
        value = {DEFAULT_LANG: value}
    if not isinstance(value, dict) or not str(value.get(DEFAULT_LANG) or "").strip():
        out.error(line, f"{where} needs an English text ({{en: ...}})")
        return {}
    return {str(k): str(v).strip() for k, v in value.items() if str(v).strip()}


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """The file's text, or None with an error recorded: one unreadable file must not stop the
    whole folder from loading (`kb check` lists it, /reload keeps the old index)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        _Report(path, problems).error(None, f"not UTF-8 text ({exc.reason})")
    except OSError as exc:  # a folder with a .yaml name, a dangling symlink, no permission
        _Report(path, problems).error(None, f"cannot be read: {exc.strerror or exc}")
    return None


def load_surveys(folder: Path, problems: list[Problem]) -> dict[str, Survey]:
    surveys: dict[str, Survey] = {}
    if not folder.is_dir():
        return surveys
    for path in sorted(folder.glob("*.yaml")):
        out = _Report(path, problems)
        text = read_text(path, problems)
        if text is None:
            continue
        data, error = load_located(text)
        if error:
            out.error(error[0], f"not valid YAML: {error[1]}")
            continue
        if data is None or not isinstance(data.value, dict):
            out.error(1, "a survey must be a mapping with title, intro and questions")
            continue
        survey = _survey(data, path.stem, out)
        if survey is not None:
            surveys[survey.id] = survey
    return surveys


def _survey(data: LocatedYaml, stem: str, out: _Report) -> Survey | None:
    before = len(out.problems)
    survey_id = str(data.get("id", stem))
    if not _SID.match(survey_id):
        out.error(data.line("id"), f"survey id {survey_id!r} must match [a-z0-9-]{{1,40}}")
    title = _texts(data.get("title"), "title", data.line("title"), out)
    intro = _texts(data.get("intro"), "intro", data.line("intro"), out, required=False)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        out.error(data.line("questions"), "questions must be a non-empty list")
        return None
    questions: list[Question] = []
    for i, raw in enumerate(raw_questions):
        line = data.item_line("questions", i)
        question = _question(raw, line, out, questions)
        if question is not None:
            questions.append(question)
    if len(out.problems) > before:
        return None
    return Survey(survey_id, title, intro, tuple(questions), bool(data.get("anonymous", False)))


def _question(raw: Any, line: int | None, out: _Report, earlier: list[Question]) -> Question | None:
    if not isinstance(raw, dict):
        out.error(line, "a question must be a mapping with id, type and text")
        return None
    qid, qtype = str(raw.get("id", "")), raw.get("type")
    if not _QID.match(qid):
        out.error(line, f"question id {qid!r} must match [a-z0-9_]{{1,24}}")
        return None
    if any(q.id == qid for q in earlier):
        out.error(line, f"question id {qid!r} is used twice")
    if qtype not in QUESTION_TYPES:
        out.error(line, f"question {qid!r}: type must be one of {', '.join(QUESTION_TYPES)}")
        return None
    text = _texts(raw.get("text"), f"question {qid!r} text", line, out)
    options: list[Option] = []
    if qtype in ("choice", "multi"):
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            out.error(line, f"question {qid!r}: {qtype} needs at least two options")
        else:
            for option in raw_options:
                oid = str(option.get("id", "")) if isinstance(option, dict) else ""
                if not _QID.match(oid) or any(o.id == oid for o in options):
                    out.error(line, f"question {qid!r}: option ids must be unique [a-z0-9_]")
                    continue
                options.append(Option(oid, _texts(option.get("text"), f"option {oid!r}", line, out)))
    elif "options" in raw:
        out.error(line, f"question {qid!r}: options are only for choice and multi")
    max_length = raw.get("max_length", MAX_TEXT_LENGTH)
    if not isinstance(max_length, int) or not 1 <= max_length <= 4000:
        out.error(line, f"question {qid!r}: max_length must be a number from 1 to 4000")
        max_length = MAX_TEXT_LENGTH
    condition = _condition(raw.get("show_if"), qid, line, out, earlier)
    unknown = set(raw) - {"id", "type", "text", "required", "options", "low", "high",
                          "max_length", "show_if"}
    if unknown:
        out.error(line, f"question {qid!r}: unknown keys {', '.join(sorted(unknown))}")
    return Question(
        id=qid, type=qtype, text=text, required=bool(raw.get("required", True)),
        options=tuple(options),
        low=_texts(raw.get("low"), "low", line, out, required=False) or None,
        high=_texts(raw.get("high"), "high", line, out, required=False) or None,
        max_length=max_length, show_if=condition,
    )


def _condition(raw: Any, qid: str, line: int | None, out: _Report, earlier: list[Question]
               ) -> Condition | None:
    if raw is None:
        return None
    target = raw.get("question") if isinstance(raw, dict) else None
    values = raw.get("in", [raw.get("equals")]) if isinstance(raw, dict) else None
    if not any(q.id == target for q in earlier):
        out.error(line, f"question {qid!r}: show_if must name an earlier question")
        return None
    if not isinstance(values, list) or not values or None in values:
        out.error(line, f"question {qid!r}: show_if needs `equals: value` or `in: [values]`")
        return None
    return Condition(str(target), tuple(_answer_text(v) for v in values))


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):  # YAML reads yes/no as booleans
        return "yes" if value else "no"
    return str(value)


def load_services(path: Path, problems: list[Problem]) -> dict[str, Service]:
    if not path.exists():
        return {}
    out = _Report(path, problems)
    text = read_text(path, problems)
    if text is None:
        return {}
    data, error = load_located(text)
    if error:
        out.error(error[0], f"not valid YAML: {error[1]}")
        return {}
    items = data.get("services") if data is not None else None
    if not isinstance(items, list):
        out.error(1, "services.yaml needs a `services:` list")
        return {}
    services: dict[str, Service] = {}
    for i, raw in enumerate(items):
        line = data.item_line("services", i)
        sid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        if not _SID.match(sid) or sid in services:
            out.error(line, f"service id {sid!r} must be unique and match [a-z0-9-]{{1,40}}")
            continue
        pilot = raw.get("pilot") or {}
        services[sid] = Service(
            id=sid,
            name=_texts(raw.get("name"), f"service {sid!r} name", line, out),
            description=_texts(raw.get("description"), "description", line, out, required=False),
            region=str(raw.get("region", "")), cluster=str(raw.get("cluster", "")),
            round=int(raw.get("round", 1) or 1),
            start=pilot.get("start") if isinstance(pilot.get("start"), date) else None,
            end=pilot.get("end") if isinstance(pilot.get("end"), date) else None,
            active=bool(raw.get("active", True)), survey=raw.get("survey"),
        )
    return services
