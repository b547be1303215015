"""Typo tolerance for single words (symmetric-delete lookup, as in SymSpell).

Every vocabulary word of four letters or more is stored under itself and each of its one-letter
deletions; a query word looks up itself and its own deletions. Hits are then confirmed with a
real edit distance. This finds substitutions, insertions, deletions and transpositions in
constant time per word, whatever the size of the knowledge base.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import DamerauLevenshtein

MIN_LENGTH = 5  # shorter words have too many neighbours to guess safely


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoIndex:
    def __init__(self, words: Iterable[str]) -> None:
        self._by_key: dict[str, set[str]] = defaultdict(set)
        self._short: set[str] = set()
        for word in words:
            if len(word) == MIN_LENGTH - 1:
                self._short.add(word)
            if len(word) < MIN_LENGTH or not word.isalpha():
                continue
            self._by_key[word].add(word)
            for key in _deletes(word):
                self._by_key[key].add(word)

    def corrections(self, word: str) -> list[tuple[str, float]]:
        """Known words within a small edit distance, with a similarity in (0, 1).

        Four-letter words are only read as two swapped letters ("waht", "erfd"): any other
        single edit of so short a word is as likely to be a different word ("york", "work").
        """
        if len(word) == MIN_LENGTH - 1 and word.isalpha():
            swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
            return [(w, 0.75) for w in sorted(swaps) if w != word and w in self._short]
        if len(word) < MIN_LENGTH or not word.isalpha():
            return []
        found: set[str] = set()
        for key in (word, *_deletes(word)):
            found.update(self._by_key.get(key, ()))
        found.discard(word)
        limit = 1 if len(word) < 7 else 2
        out = []
        for candidate in found:
            distance = DamerauLevenshtein.distance(word, candidate, score_cutoff=limit)
            if distance <= limit:
                out.append((candidate, 1.0 - distance / max(len(word), len(candidate))))
        out.sort(key=lambda c: -c[1])
        return out[:3]
