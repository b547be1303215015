"""Synonym and acronym groups: every term of a group becomes one canonical token.

"S3", "RIS3", "smart specialisation" and "specializzazione intelligente" all turn into the same
token on both the index and the query side, so any of them finds an entry written with another.
Terms match on any language's stem, so inflected forms ("specializzazioni intelligenti") count.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.search.german import GE_WITHIN, ge_position
from bot.search.normalize import query_variants, tokens, variants

CANONICAL_PREFIX = "~g"
SHADOW_PREFIX = "="
PREFIX = 3
MAX_CACHE = 500_000
_Term = tuple[tuple[frozenset[str], ...], str]  # the variants of each of its tokens, canonical token


class _Starts:
    """The terms that may start at one token, sorted for matching: those of two or more tokens
    (longest first) with the variants their second token may take, and the one-token term."""

    __slots__ = ("longer", "seconds", "single")

    def __init__(self, terms: list[_Term]) -> None:
        self.longer = tuple(t for t in terms if len(t[0]) > 1)
        self.seconds = frozenset().union(*(t[0][1] for t in self.longer))
        self.single = next((canonical for pattern, canonical in terms if len(pattern) == 1), "")

    def __bool__(self) -> bool:
        return bool(self.longer or self.single)


_NO_START = _Starts([])


class SynonymMap:
    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        # first-token variant -> [(variants of each term token, canonical token)]
        self._starts: dict[str, list[_Term]] = defaultdict(list)
        self.group_count = 0
        for gid, group in enumerate(groups):
            canonical = f"{CANONICAL_PREFIX}{gid}"
            self.group_count += 1
            for term in group:
                toks = tokens(term)
                if not toks:
                    continue
                pattern = tuple(query_variants(t) for t in toks)
                for variant in pattern[0]:
                    self._starts[variant].append((pattern, canonical))
        for candidates in self._starts.values():
            candidates.sort(key=lambda c: len(c[0]), reverse=True)  # longest term wins
        # A stem keeps the first letters of its word (Snowball only rewrites endings; a German
        # participle loses its "ge", see german.py), so a token whose first letters start no
        # term is skipped without stemming it: that is most of the words of a large knowledge base.
        self._prefixes = {v[:PREFIX] for v in self._starts}
        # The same test for many words at once, in C (a superset: the exact test follows).
        short, participle = f".{{0,{PREFIX - 1}}}$", f".{{0,{GE_WITHIN - 2}}}ge"
        self._may_match_many = re.compile(f"{_alternatives(self._prefixes)}|{short}|{participle}").match
        self._cache: dict[str, _Starts] = {}

    def _candidates(self, token: str) -> _Starts:
        """The terms that may start at this token, longest first (cached per token)."""
        if not self._may_match(token):
            return _NO_START  # most words: told apart faster than looked up, and not worth keeping
        found = self._cache.get(token)
        if found is None:
            hits = {c for v in variants(token) for c in self._starts.get(v, ())}
            found = _Starts(sorted(hits, key=lambda c: (-len(c[0]), c[1]))) if hits else _NO_START
            if len(self._cache) >= MAX_CACHE:  # queries may bring any number of new words
                self._cache.clear()
            self._cache[token] = found
        return found

    def apply(self, toks: list[str], shadows: bool = False) -> list[str]:
        """Replace every synonym term in a token list with its group's canonical token.

        With `shadows`, each replaced term also leaves a shadow token ("=~g0:ris3") after the
        canonical one, so that the exact wording still counts a little: "what is RIS3"
        then prefers the entry written about RIS3 over one written about S3.
        """
        if not self._starts:
            return toks
        out: list[str] = []
        i = 0
        while i < len(toks):
            found = self.match(toks, i)
            if found is None:
                out.append(toks[i])
                i += 1
            else:
                out.append(found[1])
                if shadows:
                    out.append(self.shadow(found[1], toks[i : i + found[0]]))
                i += found[0]
        return out

    def match(self, toks: list[str], i: int) -> tuple[int, str] | None:
        """The longest term starting at toks[i]: its length in tokens and its canonical token."""
        starts = self._candidates(toks[i])
        if starts.longer and i + 1 < len(toks) and not starts.seconds.isdisjoint(query_variants(toks[i + 1])):
            for pattern, canonical in starts.longer:  # longest first
                n = len(pattern)
                if i + n <= len(toks) and all(pattern[k] & query_variants(toks[i + k]) for k in range(1, n)):
                    return n, canonical
        return (1, starts.single) if starts.single else None

    def may_start(self, token: str) -> bool:
        return bool(self._candidates(token))

    def starters(self, words: Iterable[str]) -> list[str]:
        """The words a term may start with (`may_start` of many words)."""
        return [w for w in filter(self._may_match_many, words) if self._candidates(w)]

    def _may_match(self, token: str) -> bool:
        """Whether the token's first letters, or those it has without a participle's "ge"
        (geförderte, umgesetzt), start a term."""
        if len(token) < PREFIX or token[:PREFIX] in self._prefixes:
            return True
        at = ge_position(token)
        return at is not None and (token[:at] + token[at + 2:])[:PREFIX] in self._prefixes

    @staticmethod
    def shadow(canonical: str, words: list[str]) -> str:
        return f"{SHADOW_PREFIX}{canonical}:{'_'.join(words)}"


def _alternatives(prefixes: set[str]) -> str:
    """A regular expression for "starts with one of the prefixes", grouped by first letter
    (the regex engine then skips a whole group on one comparison)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for prefix in sorted(prefixes):
        groups[prefix[0]].append(re.escape(prefix[1:]))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items()) or "(?!)"


def shadow_group(token: str) -> str:
    """The canonical token a shadow token belongs to ("=~g0:ris3" -> "~g0")."""
    return token[len(SHADOW_PREFIX) :].split(":", 1)[0]


def carry_quality(tokens: list[str], quality: dict[str, float]) -> None:
    """A synonym term read from corrected words (a typo, a compound's part) keeps their
    discount: its canonical and shadow tokens get the mean quality of the words, which the
    shadow spells out (one mistyped word of three leaves the term mostly right)."""
    for token in tokens:
        if token[0] == SHADOW_PREFIX:
            words = token.split(":", 1)[1].split("_")
            q = sum(quality.get(word, 1.0) for word in words) / len(words)
            if q < 1.0:
                for key in (token, shadow_group(token)):
                    quality[key] = min(quality.get(key, 1.0), q)
