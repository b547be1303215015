"""Helpers shared by the feedback survey tests: walking the survey, reading drafts, HTML checks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import select

from bot.db.feedback import SurveyDraft
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakebot import Call

TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


def last(harness, calls: list[Call]) -> Call:  # type: ignore[no-untyped-def]
    """The last message the bot sent or edited."""
    return harness.messages(calls)[-1]


def data(call: Call, prefix: str) -> str:
    """The callback data of the first button whose data starts with `prefix`."""
    return next(d for _, d in call.buttons if d.startswith(prefix))


def answer(call: Call, prefix: str, value: str) -> str:
    """The data of `prefix`'s button with another value (the last field)."""
    return data(call, prefix).rsplit(":", 1)[0] + f":{value}"


async def drafts(harness) -> list[SurveyDraft]:  # type: ignore[no-untyped-def]
    async with harness.runtime.sessionmaker() as s:
        return list((await s.scalars(select(SurveyDraft).order_by(SurveyDraft.id))).all())


def unbalanced(html: str) -> bool:
    """True when the tags of a Telegram HTML text do not nest and close properly."""
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-z-]+)[^>]*>", html):
        if match.group(1):
            if not stack or stack.pop() != match.group(2):
                return True
        else:
            stack.append(match.group(2))
    return bool(stack)


async def to_question_1(harness) -> Call:  # type: ignore[no-untyped-def]
    """Start the coaching survey and skip the organisation details."""
    await harness.ask("/feedback")
    step = last(harness, await harness.press("fbs:coaching"))
    for _ in range(4):  # name, sector, region, size band
        step = last(harness, await harness.press(data(step, "fo:")))
    assert "Question 1 of 6" in step.text, step.text
    return step


async def to_question_4(harness) -> Call:  # type: ignore[no-untyped-def]
    """Answer the first three questions of the coaching survey (rating, choice, multi)."""
    step = await to_question_1(harness)
    step = last(harness, await harness.press(answer(step, "fq:", "4")))
    step = last(harness, await harness.press(answer(step, "fq:", "above")))
    step = last(harness, await harness.press(data(step, "fd:")))
    assert "Question 4 of 6" in step.text, step.text
    return step


async def to_last_question(harness) -> Call:  # type: ignore[no-untyped-def]
    """Up to the free-text comment, the coaching survey's last question."""
    await to_question_4(harness)
    step = last(harness, await harness.say("10"))
    step = last(harness, await harness.press(answer(step, "fq:", "yes")))
    assert "Question 6 of 6" in step.text, step.text
    return step


def copy_knowledge(tmp_path: Path) -> Path:
    """A private copy of the fixture knowledge, for tests that change it and /reload."""
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    return folder
