"""Text normalisation for matching: folding, tokens, stop words, stems.

Queries often arrive without accents, in another language than the user's setting, or with
typos, so matching works on accent-folded lower-case tokens and on Snowball stems. The
language of a query is not trusted: a query token is compared in every supported language's
stemmed form (see `query_variants`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from bot.search.stopwords import STOP_WORDS

LANGUAGES = ("en", "it", "de", "fr", "sl")
_SNOWBALL = {"en": "english", "it": "italian", "de": "german", "fr": "french"}
_SPECIAL_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})
_SPECIAL_RE = re.compile("[ßæœøđł]")
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_LINK_TARGET_RE = re.compile(r"\]\(https?://[^)\s]+\)")  # as in bot.knowledge.markdown
# The combining-mark blocks of Unicode: what NFKD splits off accented letters.
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Slovenian has no Snowball stemmer; strip the common inflection endings (longest first).
_SL_SUFFIXES = tuple(
    sorted(
        ["ega", "emu", "ima", "imi", "ami", "ih", "om", "em", "ov", "ev", "ah",
         "ja", "ju", "je", "jo", "ji", "ij", "a", "e", "i", "o", "u"],
        key=len,
        reverse=True,
    )
)


def fold(text: str) -> str:
    """Lower-case, strip accents, map ß/æ/œ; keeps letters, digits and spaces meaningful."""
    text = text.casefold()
    if text.isascii():  # most text: nothing to fold, and this is the hot path of a build
        return text
    if _SPECIAL_RE.search(text):
        text = text.translate(_SPECIAL_FOLD)
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def tokens(text: str) -> list[str]:
    """Folded word tokens (apostrophes split words: l'EDP -> l, edp)."""
    return _TOKEN_RE.findall(fold(text))


def body_tokens(markdown: str) -> list[str]:
    """The tokens of an answer body: its words, not its link targets.

    Every other piece of markup is punctuation, which `tokens` drops anyway, so this is
    `tokens(to_plain_text(markdown))` at a fraction of the cost.
    """
    if "](" in markdown:
        markdown = _LINK_TARGET_RE.sub("] ", markdown)
    return tokens(markdown)


def is_stop_word(token: str) -> bool:
    return token in STOP_WORDS


@lru_cache(maxsize=8)
def _stemmer(lang: str):  # type: ignore[no-untyped-def]
    return snowballstemmer.stemmer(_SNOWBALL[lang])


def _stem_sl(token: str) -> str:
    for suffix in _SL_SUFFIXES:
        if len(token) - len(suffix) >= 4 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=200_000)
def stem(token: str, lang: str) -> str:
    """The stem of a folded token in `lang`; numbers and short tokens stay as they are."""
    if len(token) <= 3 or token.isdigit() or not token.isalpha():
        return token
    if lang == "sl":
        return _stem_sl(token)
    if lang in _SNOWBALL:
        return _stemmer(lang).stemWord(token)
    return token


def stem_many(words: list[str], lang: str) -> list[str]:
    """`stem` of many words at once: one call into the stemmer, for index builds."""
    if lang not in _SNOWBALL:
        return [stem(w, lang) for w in words]
    stemmable = [w for w in words if len(w) > 3 and w.isalpha() and not w.isdigit()]
    stems = dict(zip(stemmable, _stemmer(lang).stemWords(stemmable), strict=True))
    return [stems.get(w, w) for w in words]


@lru_cache(maxsize=200_000)
def query_variants(token: str) -> frozenset[str]:
    """Every form a query token may take in the index: itself and its stem in each language."""
    return frozenset({token, *(stem(token, lang) for lang in LANGUAGES)})
