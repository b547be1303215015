"""Splitting a long Telegram HTML text into messages that each parse on their own.

Telegram rejects a message whose tags do not balance, so every part closes the tags still open
at its end, and the next part opens them again (a bold answer over three lines, a quote, a
`<pre>` block). Cuts fall at paragraph breaks, then line breaks, then spaces; never inside a
tag or an entity such as `&amp;`.
"""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 4096
_RESERVE = 200  # at most this much of a part is kept free for tags closed and reopened at a cut
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>")
_ENTITY_START = 10  # an entity (&amp; &#x27; &quot;) is shorter than this


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split a Telegram HTML text into messages of at most `limit` characters."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    # Room for the tags that close and reopen around a cut (none in a text without tags).
    reserve = min(_RESERVE, 2 * sum(len(tag.group(0)) for tag in _TAG.finditer(text)))
    parts: list[str] = []
    current, reopen, state = "", "", []  # reopen: the tags the current part starts with
    for paragraph in re.split(r"(\n\n)", text):
        for piece in _pieces(paragraph, max(limit - reserve, limit // 2)):
            after = _open_tags(state, piece)
            if current.strip() and len(reopen) + len(current) + len(piece) + len(_closing(after)) > limit:
                parts.append(reopen + current.strip() + _closing(state))
                current, reopen = "", "".join(state)
            current += piece
            state = after
    if current.strip():
        parts.append(reopen + current.strip() + _closing(state))
    return parts


def _pieces(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph]
    pieces: list[str] = []
    for line in paragraph.split("\n"):
        while len(line) + 1 > limit:
            cut = _cut(line, limit)
            pieces.append(line[:cut] + "\n")
            line = line[cut:].lstrip(" ")
        pieces.append(line + "\n")
    return pieces


def _cut(line: str, limit: int) -> int:
    """Where to cut an over-long line: at its last space that fits, else at the limit; never
    inside a tag or an entity ("&am" + "p;" would parse as neither)."""
    cut = line.rfind(" ", 0, limit - 1)
    cut = cut if cut > limit // 2 else limit - 1
    if line.rfind("<", 0, cut) > line.rfind(">", 0, cut):
        cut = line.rfind("<", 0, cut)
    entity = line.rfind("&", max(cut - _ENTITY_START, 0), cut)
    if entity >= 0 and ";" not in line[entity:cut]:
        cut = entity
    return cut if cut > 0 else limit - 1  # (a tag longer than a message: nothing sane is left)


def _open_tags(stack: list[str], html: str) -> list[str]:
    """The opening tags (their whole markup) still open after `html`, given those open before."""
    stack = list(stack)
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if not match.group(1):
            stack.append(match.group(0))
            continue
        for i in range(len(stack) - 1, -1, -1):  # close it and whatever it encloses
            if _name(stack[i]) == name:
                del stack[i:]
                break
    return stack


def _closing(stack: list[str]) -> str:
    return "".join(f"</{_name(tag)}>" for tag in reversed(stack))


def _name(opening: str) -> str:
    return _TAG.match(opening).group(2).lower()  # type: ignore[union-attr]
