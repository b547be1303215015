"""Synonym and acronym groups: every term of a group becomes one canonical token.

"S3", "RIS3", "smart specialisation" and "specializzazione intelligente" all turn into the same
token on both the index and the query side, so any of them finds an entry written with another.
Terms match on any language's stem, so inflected forms ("specializzazioni intelligenti") count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.search.normalize import query_variants, tokens

CANONICAL_PREFIX = "~g"
SHADOW_PREFIX = "="


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
            best: tuple[int, str] | None = None
            for variant in query_variants(toks[i]):
                for pattern, canonical in self._starts.get(variant, ()):
                    n = len(pattern)
                    if best is not None and n <= best[0]:
                        continue
                    if i + n <= len(toks) and all(
                        pattern[k] & query_variants(toks[i + k]) for k in range(1, n)
                    ):
                        best = (n, canonical)
            if best is None:
                out.append(toks[i])
                i += 1
            else:
                out.append(best[1])
                if shadows:
                    out.append(f"{SHADOW_PREFIX}{best[1]}:{'_'.join(toks[i : i + best[0]])}")
                i += best[0]
        return out


def shadow_group(token: str) -> str:
    """The canonical token a shadow token belongs to ("=~g0:ris3" -> "~g0")."""
    return token[len(SHADOW_PREFIX) :].split(":", 1)[0]
