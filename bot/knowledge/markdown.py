"""Convert the small Markdown subset of entry bodies to Telegram HTML.

Supported: **bold**, __bold__, _italic_, *italic*, `code`, [text](http...), "- "/"* " bullets,
"1. " numbered items, "#" headings (rendered bold). Everything else is escaped text.
Tags never span lines, so a message may be split at any newline without breaking markup.
"""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")
_BLANK_RUN = re.compile(r"\n{3,}")


def _inline(text: str, placeholders: list[str] | None = None) -> str:
    """Convert inline markup of one line; the input is raw (unescaped) text without NUL.

    Code spans and links are set aside as numbered NUL-delimited placeholders, so that no
    later pattern rewrites them; a link's text is converted with the same list, and the
    outermost call puts every piece back (a piece may hold earlier ones)."""
    outermost = placeholders is None
    stashed: list[str] = [] if placeholders is None else placeholders

    def stash(fragment: str) -> str:
        stashed.append(fragment)
        return f"\x00{len(stashed) - 1}\x00"

    # Each pattern runs only where its marker occurs: most lines are plain text, and every
    # body is rendered at each load of the knowledge.
    if outermost and "`" in text:  # (a link's text: its code spans are already set aside)
        text = _CODE.sub(lambda m: stash(f"<code>{html.escape(m.group(1))}</code>"), text)
    if "](" in text:
        text = _LINK.sub(
            lambda m: stash(
                f'<a href="{html.escape(m.group(2), quote=True)}">{_inline(m.group(1), stashed)}</a>'
            ),
            text,
        )
    text = html.escape(text, quote=False)
    if "**" in text or "__" in text:
        text = _BOLD.sub(lambda m: f"<b>{m.group(2)}</b>", text)
    if "*" in text or "_" in text:
        text = _ITALIC.sub(lambda m: f"<i>{m.group(2)}</i>", text)
    while outermost and "\x00" in text:  # a piece only holds pieces stashed before it
        text = _PLACEHOLDER.sub(lambda m: stashed[int(m.group(1))], text)
    return text


def _logical_lines(markdown: str) -> list[str]:
    """Join hard-wrapped lines: Telegram shows every newline, Markdown does not."""
    lines: list[str] = []
    for raw in markdown.strip().splitlines():
        stripped = raw.strip()
        continues = (
            stripped
            and lines
            and lines[-1].strip()
            and not _BULLET.match(raw)
            and not _HEADING.match(raw)
            and not _NUMBERED.match(raw)
            and not _HEADING.match(lines[-1])
        )
        if continues:
            lines[-1] = lines[-1].rstrip() + " " + stripped
        else:
            lines.append(raw.rstrip())
    return lines


def to_telegram_html(markdown: str) -> str:
    markdown = markdown.replace("\x00", "")  # NUL is no text, and it marks placeholders
    out: list[str] = []
    for line in _logical_lines(markdown):
        if _HEADING.match(line):
            out.append(f"<b>{_inline(_HEADING.sub('', line).strip())}</b>")
        elif _BULLET.match(line):
            out.append("• " + _inline(_BULLET.sub("", line).strip()))
        else:
            out.append(_inline(line.strip()))
    return _BLANK_RUN.sub("\n\n", "\n".join(out))


def to_plain_text(markdown: str) -> str:
    """Markdown without markup, for inline-mode descriptions and the terminal."""
    text = _LINK.sub(lambda m: m.group(1), markdown)
    text = _BOLD.sub(lambda m: m.group(2), text)
    text = _ITALIC.sub(lambda m: m.group(2), text)
    text = _CODE.sub(lambda m: m.group(1), text)
    text = _HEADING.sub("", text)
    return re.sub(r"(?m)^\s*[-*+]\s+", "• ", text).strip()
