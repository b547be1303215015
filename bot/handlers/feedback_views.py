"""How each survey step looks in chat: text from templates, buttons with compact callback data.

Callback data (at most 64 bytes): f<kind>:<draft id>:... where kind is
q answer · m toggle option · d multi done · k skip · b back · o organisation field ·
v review saved organisation · s summary action · e edit one answer · p pause.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.common import short
from bot.knowledge.surveys import Question, Service, Survey, localized
from bot.rendering import label, render
from bot.services import survey_logic as logic
from bot.services.feedback_flow import DraftView

STAGE_CODES = {"org": "o", "questions": "q", "summary": "s"}
STAGES = {v: k for k, v in STAGE_CODES.items()}
# Characters of one answer in the summary, counted as sent (escaped): a free-text answer may be
# up to 4000 characters and "<" escapes to four, yet the summary must stay one message.
SUMMARY_ANSWER_CHARS = 300
_LINE_COST = 10  # the tags, indent and line break around each line of an answer


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(short(text, 60), callback_data=data)


def services_markup(services: list[Service], lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(localized(s.name, lang), f"fbs:{s.id}")] for s in services])


def replace_markup(service: Service, lang: str, replacing: int | None = None
                   ) -> InlineKeyboardMarkup:
    """Answer again or keep; `replacing` is the open draft the user already chose to drop."""
    target = f"{replacing}:{service.id}" if replacing is not None else service.id
    return InlineKeyboardMarkup([[
        _button(label(lang, "fb_replace"), f"fbr:{target}"),
        _button(label(lang, "fb_keep"), "fbk"),
    ]])


def _text_label(lang: str, template: str) -> str:
    """A button text kept in a template: plain text for Telegram, so unescaped."""
    return Markup(render(lang, template)).unescape()


def switch_markup(open_id: int, service: Service, lang: str) -> InlineKeyboardMarkup:
    """Continue the open draft `open_id`, or start `service`'s survey instead (dropping it)."""
    return InlineKeyboardMarkup([
        [_button(_text_label(lang, "feedback_button_continue"), "fbc")],
        [_button(_text_label(lang, "feedback_button_start_new"), f"fbn:{open_id}:{service.id}")],
    ])


def answer_text(question: Question, value: Any, lang: str) -> str:
    """An answer as the user would read it."""
    if value in (None, "", []):
        return label(lang, "fb_skipped")
    if question.type in ("choice", "multi"):
        names = {o.id: localized(o.text, lang) for o in question.options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(names.get(v, v) for v in values)
    if question.type == "yesno":
        return label(lang, "fb_yes" if value == "yes" else "fb_no")
    return str(value)


def step(view: DraftView, survey: Survey, service: Service, lang: str
         ) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message for the draft's current step."""
    if view.stage == "org":
        return _org_step(view, lang)
    if view.stage == "org_review":
        markup = InlineKeyboardMarkup([[
            _button(label(lang, "fb_use_saved"), f"fv:{view.id}:use"),
            _button(label(lang, "fb_edit_org"), f"fv:{view.id}:edit"),
        ]])
        return render(lang, "feedback_org_review", org=view.organisation), markup
    if view.stage == "summary":
        return _summary(view, survey, service, lang)
    return _question_step(view, survey, lang)


def _nav(view: DraftView, lang: str, stage: str, skip_data: str | None) -> list[InlineKeyboardButton]:
    row = [_button(label(lang, "fb_back"), f"fb:{view.id}:{STAGE_CODES[stage]}:{view.position}")]
    if skip_data:
        row.append(_button(label(lang, "fb_skip"), skip_data))
    row.append(_button(label(lang, "fb_later"), f"fp:{view.id}"))
    return row


def _org_step(view: DraftView, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    field = logic.ORG_FIELDS[view.position]
    rows = []
    if field == "size_band":
        rows = [[_button(label(lang, "fb_size", band=b), f"fo:{view.id}:{view.position}:{i}")
                 for i, b in enumerate(logic.SIZE_BANDS)]]
    rows.append(_nav(view, lang, "org", f"fo:{view.id}:{view.position}:-"))
    text = render(lang, "feedback_org", field=field, number=view.position + 1,
                  saved=view.organisation.get(field))
    return text, InlineKeyboardMarkup(rows)


def _question_step(view: DraftView, survey: Survey, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    question = survey.questions[view.position]
    shown = logic.visible(survey, view.answers)
    prefix = f"{view.id}:{view.position}"
    rows: list[list[InlineKeyboardButton]] = []
    if question.type == "rating":
        rows.append([_button(str(n), f"fq:{prefix}:{n}") for n in range(1, 6)])
    elif question.type == "nps":
        rows += [[_button(str(n), f"fq:{prefix}:{n}") for n in range(0, 6)],
                 [_button(str(n), f"fq:{prefix}:{n}") for n in range(6, 11)]]
    elif question.type == "yesno":
        rows.append([_button(label(lang, "fb_yes"), f"fq:{prefix}:yes"),
                     _button(label(lang, "fb_no"), f"fq:{prefix}:no")])
    elif question.type == "choice":
        rows += [[_button(localized(o.text, lang), f"fq:{prefix}:{o.id}")] for o in question.options]
    elif question.type == "multi":
        chosen = view.answers.get(question.id) or []
        rows += [[_button(("✓ " if o.id in chosen else "") + localized(o.text, lang),
                          f"fm:{prefix}:{o.id}")] for o in question.options]
        rows.append([_button(label(lang, "fb_done"), f"fd:{prefix}")])
    rows.append(_nav(view, lang, "questions", None if question.required else f"fk:{prefix}"))
    selected = answer_text(question, view.answers.get(question.id), lang) \
        if question.type == "multi" and view.answers.get(question.id) else ""
    text = render(
        lang, "feedback_question", question=question, text=localized(question.text, lang),
        number=shown.index(view.position) + 1 if view.position in shown else 1, total=len(shown),
        low=localized(question.low, lang) if question.low else None,
        high=localized(question.high, lang) if question.high else None,
        selected=[selected] if selected else [],
    )
    return text, InlineKeyboardMarkup(rows)


def summary_lines(text: str, budget: int = SUMMARY_ANSWER_CHARS) -> list[str]:
    """An answer as the summary shows it: its non-empty lines, cut with "…" past `budget`.

    The template puts each line in its own tags, since messages are split at line breaks and
    a tag must never span one; the budget counts escaped characters and each line's markup.
    """
    lines: list[str] = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        kept = ""
        for ch in line:
            budget -= len(escape(ch))
            if budget < 0:
                if kept.strip() or not lines:
                    lines.append(kept.rstrip() + "…")
                else:
                    lines[-1] += " …"
                return lines
            kept += ch
        lines.append(kept)
        budget -= _LINE_COST
    return lines or [""]


def _summary(view: DraftView, survey: Survey, service: Service, lang: str
             ) -> tuple[str, InlineKeyboardMarkup]:
    items = [
        {"question": localized(survey.questions[i].text, lang),
         "lines": summary_lines(answer_text(survey.questions[i],
                                            view.answers.get(survey.questions[i].id), lang))}
        for i in logic.visible(survey, view.answers)
    ]
    markup = InlineKeyboardMarkup([
        [_button(label(lang, "fb_submit"), f"fs:{view.id}:submit")],
        [_button(label(lang, "fb_edit"), f"fs:{view.id}:edit"),
         _button(label(lang, "fb_cancel"), f"fs:{view.id}:cancel")],
        [_button(label(lang, "fb_back"), f"fb:{view.id}:s:{view.position}")],
    ])
    return render(lang, "feedback_summary", items=items, service=localized(service.name, lang)), markup


def edit_markup(view: DraftView, survey: Survey, lang: str) -> InlineKeyboardMarkup:
    rows = [[_button(localized(survey.questions[i].text, lang), f"fe:{view.id}:{i}")]
            for i in logic.visible(survey, view.answers)]
    rows.append([_button(label(lang, "fb_back"), f"fe:{view.id}:-")])
    return InlineKeyboardMarkup(rows)
