"""Synonym and acronym groups: every term of a group becomes one canonical token.

"S3", "RIS3", "smart specialisation" and "specializzazione intelligente" all turn into the same
token on both the index and the query side, so any of them finds an entry written with another.
Terms match on any language's stem, so inflected forms ("specializzazioni intelligenti") count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.search.german import ge_position
from bot.search.normalize import query_variants, tokens, variants

CANONICAL_PREFIX = "~g"
SHADOW_PREFIX = "="
PREFIX = 3
MAX_CACHE = 500_000


class SynonymMap:
    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        # first-token variant -> [(variants of each term token, canonical token)]
        self._starts: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = defaultdict(list)
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
        self._cache: dict[str, tuple[tuple[tuple[frozenset[str], ...], str], ...]] = {}

    def _candidates(self, token: str) -> tuple[tuple[tuple[frozenset[str], ...], str], ...]:
        """The terms that may start at this token, longest first (cached per token)."""
        if not self._may_match(token):
            return ()  # most words: told apart faster than looked up, and not worth keeping
        found = self._cache.get(token)
        if found is None:
            hits = {c for v in variants(token) for c in self._starts.get(v, ())}
            found = tuple(sorted(hits, key=lambda c: (-len(c[0]), c[1])))
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
        for pattern, canonical in self._candidates(toks[i]):
            n = len(pattern)
            if i + n <= len(toks) and all(pattern[k] & query_variants(toks[i + k]) for k in range(1, n)):
                return n, canonical  # candidates come longest first
        return None

    def may_start(self, token: str) -> bool:
        return bool(self._candidates(token))

    def starters(self, words: Iterable[str]) -> list[str]:
        """The words a term may start with (`may_start` of many words)."""
        return [w for w in words if self._candidates(w)]

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
