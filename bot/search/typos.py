"""Typo tolerance for single words.

An unknown query word is compared (optimal string alignment distance, so two swapped letters
count as one edit) with the known words whose length is within the allowed distance, in
rapidfuzz's C loop. Only words that have one of the query's first k + 1 letters in one of
their own first k + 1 places are compared, where k is the number of edits allowed: k edits
cannot change or move all of those letters, so no neighbour is missed, and the comparisons
drop to a fraction of the vocabulary (a symmetric-delete table was tried: ten times the memory
and most of the build time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 5  # shorter words have too many neighbours to guess safely
MAX_EDITS = 2  # for words of 7 letters or more; 1 below


class TypoIndex:
    def __init__(self, words: Iterable[str]) -> None:
        # (length, place 0 to 2, letter) -> the words of that length with that letter there
        self._buckets: dict[tuple[int, int, str], set[str]] = defaultdict(set)
        self._short: set[str] = set()
        for word in words:
            if len(word) == MIN_LENGTH - 1:
                self._short.add(word)
            if len(word) >= MIN_LENGTH and word.isalpha():
                for place in range(MAX_EDITS + 1):
                    self._buckets[len(word), place, word[place]].add(word)

    def _neighbours(self, word: str, length: int, edits: int) -> list[str]:
        buckets, empty = self._buckets, frozenset[str]()
        found = set().union(*(buckets.get((length, place, letter), empty)
                              for place in range(edits + 1) for letter in word[: edits + 1]))
        return list(found)  # the caller orders its findings

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
        limit = 1 if len(word) < 7 else 2
        out = []
        for n in range(len(word) - limit, len(word) + limit + 1):
            for candidate, distance, _ in process.extract(
                word, self._neighbours(word, n, limit), scorer=OSA.distance,
                score_cutoff=limit, limit=None,
            ):
                if candidate != word:
                    out.append((candidate, 1.0 - distance / max(len(word), len(candidate))))
        out.sort(key=lambda c: (-c[1], c[0]))
        return out[:3]
