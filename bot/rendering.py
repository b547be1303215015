"""Every text a user sees, rendered from Jinja2 templates in Telegram HTML.

Templates live in `bot/templates/<lang>/`; a template or a button label missing in a language
falls back to English. Short texts such as button labels are macros in `<lang>/labels.html`
and, per feature, `<lang>/labels_<feature>.html`.
Autoescape is on: curated HTML (entry bodies) is passed in as `Markup` on purpose.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup, escape

# Re-exported: rendering a text and splitting it into messages go together for callers.
from bot.splitting import MAX_MESSAGE_CHARS as MAX_MESSAGE_CHARS
from bot.splitting import split_message as split_message

TEMPLATES_DIR = Path(__file__).parent / "templates"
FALLBACK_LANG = "en"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["markup"] = Markup
    env.filters["quoted"] = quoted
    return env


def quoted(items: Any, open_quote: str = "“", close_quote: str = "”") -> Markup:
    """Items as a comma-separated list of quotations, each escaped."""
    return Markup(", ").join(Markup(open_quote) + escape(i) + Markup(close_quote) for i in items)


def _template(lang: str, name: str):  # type: ignore[no-untyped-def]
    env = environment()
    try:
        return env.get_template(f"{lang}/{name}")
    except TemplateNotFound:
        return env.get_template(f"{FALLBACK_LANG}/{name}")


def render(lang: str, template: str, /, **context: Any) -> str:
    """Render `<lang>/<template>.html` (English if missing) and tidy blank lines."""
    text = _template(lang, f"{template}.html").render(lang=lang, label=_labeler(lang), **context)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def label(lang: str, key: str, /, **kwargs: Any) -> str:
    """A short text (a button label) from `<lang>/labels.html`, English if missing there.

    Button labels are plain text for Telegram, so the escaped markup is turned back to text.
    """
    for candidate in (lang, FALLBACK_LANG):
        for module in _label_modules(candidate):
            macro = getattr(module, key, None)
            if macro is not None:
                return Markup(str(macro(**kwargs)).strip()).unescape()
    raise KeyError(f"no label {key!r}")


@lru_cache(maxsize=16)
def _label_modules(lang: str) -> tuple:  # type: ignore[type-arg]
    """`labels.html` and each feature's `labels_<feature>.html` of one language."""
    folder = TEMPLATES_DIR / lang
    names = sorted(p.name for p in folder.glob("labels*.html")) if folder.is_dir() else []
    return tuple(environment().get_template(f"{lang}/{name}").module for name in names)


def _labeler(lang: str):  # type: ignore[no-untyped-def]
    return lambda key, /, **kwargs: label(lang, key, **kwargs)
