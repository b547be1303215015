"""Text normalisation for matching: folding, tokens, stop words, stems.

Queries often arrive without accents, in another language than the user's setting, or with
typos, so matching works on accent-folded lower-case tokens and on Snowball stems. The
language of a query is not trusted: a query token is compared in every supported language's
stemmed form (see `query_variants`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from bot.search.german import ge_position, refine
from bot.search.stopwords import STOP_WORDS

LANGUAGES = ("en", "it", "de", "fr", "sl")
_SNOWBALL = {"en": "english", "it": "italian", "de": "german", "fr": "french"}
_SPECIAL_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})
_SPECIAL_RE = re.compile("[ßæœøđł]")
_LINK_TARGET_RE = re.compile(r"\]\(https?://[^)\s]+\)")  # as in bot.knowledge.markdown
# The combining-mark blocks of Unicode: what NFKD splits off accented letters.
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# ASCII bytes -> themselves for [a-z0-9], lower case for [A-Z], a space for everything else.
_TOKEN_BYTES = bytes(ord(chr(c).lower()) if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
_FOLD_ERRORS = "s3bot-fold"  # the codec error handler that folds what ASCII cannot encode
_CACHED_RUN = 8  # runs of non-ASCII characters up to this long are remembered (accents, ß, ł)
# Slovenian has no Snowball stemmer; strip the common inflection endings (longest first).
_SL_SUFFIXES = ("ega", "emu", "ima", "imi", "ami", "ih", "om", "em", "ov", "ev", "ah",
                "ja", "ju", "je", "jo", "ji", "ij", "a", "e", "i", "o", "u")
_SL_ENDINGS = tuple(  # (length, the endings of that length), longest first
    (n, frozenset(s for s in _SL_SUFFIXES if len(s) == n))
    for n in sorted({len(s) for s in _SL_SUFFIXES}, reverse=True)
)
_SL_MIN_STEM = 4


def fold(text: str) -> str:
    """Lower-case, strip accents, map ß/æ/œ; keeps letters, digits and spaces meaningful."""
    text = text.casefold()
    if text.isascii():  # most text: nothing to fold
        return text
    # Compatibility forms may decompose to capitals (№ -> No, ℃ -> °C) or to æ (ǽ -> æ + ´).
    text = unicodedata.normalize("NFKD", text).casefold()
    if _SPECIAL_RE.search(text):
        text = text.translate(_SPECIAL_FOLD)
    return _COMBINING_RE.sub("", text)


def tokens(text: str) -> list[str]:
    """Folded word tokens (apostrophes split words: l'EDP -> l, edp).

    Equal to `re.findall("[a-z0-9]+", fold(text))` at a fraction of the cost, for this is the
    hot path of a build. Folding works character by character (a combining accent folds to
    nothing on its own), so the ASCII encoder does it: it copies ASCII as it is and hands each
    run of other characters to `_fold_run`; one byte translation then lower-cases and turns
    every byte but [a-z0-9] into a space.
    """
    return text.encode("ascii", _FOLD_ERRORS).translate(_TOKEN_BYTES).decode("ascii").split()


def _fold_run(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    # The same few accented letters recur everywhere; a long run (a query in another script)
    # is folded afresh rather than kept, so chat input cannot fill the cache with large strings.
    return (_folded_ascii(run) if len(run) <= _CACHED_RUN else _to_ascii(run)), error.end


def _to_ascii(run: str) -> str:
    """The fold of a run of non-ASCII characters, with what is still not ASCII as "?" (which
    separates tokens like any other punctuation)."""
    return fold(run).encode("ascii", "replace").decode("ascii")


_folded_ascii = lru_cache(maxsize=20_000)(_to_ascii)


codecs.register_error(_FOLD_ERRORS, _fold_run)


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
    stemmer = snowballstemmer.stemmer(_SNOWBALL[lang])
    if hasattr(stemmer, "maxCacheSize"):  # PyStemmer: its own cache only slows our cached callers
        stemmer.maxCacheSize = 0
    return stemmer


def _stem_sl(token: str) -> str:
    """The token less its longest common ending, if at least four letters remain."""
    for n, endings in _SL_ENDINGS:  # (two endings of one length cannot both end the token)
        if len(token) - n >= _SL_MIN_STEM and token[-n:] in endings:
            return token[:-n]
    return token


def _stemmable(token: str) -> bool:
    return len(token) > 3 and token.isalpha()  # (a token is [a-z0-9]+: no digits, no stem)


def _stem(token: str, lang: str) -> str:
    if not _stemmable(token):
        return token
    if lang == "sl":
        return _stem_sl(token)
    if lang == "de":
        return _stem_de(token)
    if lang in _SNOWBALL:
        return _stemmer(lang).stemWord(token)
    return token


def _stem_de(token: str) -> str:
    return refine(_stemmer("de").stemWord(token), token)


@lru_cache(maxsize=200_000)
def stem(token: str, lang: str) -> str:
    """The stem of a folded token in `lang`; numbers and short tokens stay as they are."""
    return _stem(token, lang)


def stem_many(words: list[str], lang: str) -> list[str]:
    """`stem` of many words at once (one call into the stemmer), for index builds; it leaves
    the caches of `stem` to queries."""
    if lang == "sl":
        return [_stem_sl(w) if len(w) > 3 and w.isalpha() else w for w in words]
    if lang not in _SNOWBALL:
        return list(words)
    if lang == "de":
        stems = list(map(refine, _stemmer(lang).stemWords(words), words))
    else:
        stems = _stemmer(lang).stemWords(words)
    return [s if len(w) > 3 and w.isalpha() else w for w, s in zip(words, stems, strict=True)]


def variants(token: str) -> frozenset[str]:
    """`query_variants`, not cached."""
    found = {token, *(_stem(token, lang) for lang in LANGUAGES)}
    if _stemmable(token) and ge_position(token) is not None:  # gewährt: as Gewährung too
        found.add(refine(_stemmer("de").stemWord(token), token, participles=False))
    return frozenset(found)


@lru_cache(maxsize=200_000)
def query_variants(token: str) -> frozenset[str]:
    """Every form a query token may take in the index: itself and its stem in each language."""
    return variants(token)
