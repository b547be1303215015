"""Compact inverted lists: which documents and phrasings hold a key, and how strongly.

A large knowledge base has millions of (key, document) pairs, so they live in typed arrays
rather than Python objects, and each list is sorted by strength so that a very common key can
be read only down to its strongest documents (see `MAX_POSTINGS` in the index).
"""

from __future__ import annotations

from array import array
from collections import defaultdict

KEYWORD_WEIGHT = 0.7  # a keyword says less about an entry than its title or a question
BODY_WEIGHT = 0.45  # a query word found only in the answer body counts less than half
BODY_TF_BONUS = 0.0  # off: on the labelled set it traded answered top-1 for recall@3
K1, B = 1.2, 0.75  # BM25 term-frequency saturation and length normalisation
TITLE, KEYWORD, BODY = 0, 1, 2


class Postings:
    """key -> (document ids, strength by field, BM25 saturation); long lists strongest first."""

    def __init__(self, sort_above: int) -> None:
        self._sort_above = sort_above  # lists longer than this are read strongest first
        self._rows: dict[str, array] = {}  # document * 256 + tier * 64 + term frequency (capped)
        self._lengths: list[int] = []
        self.lists: dict[str, tuple[array, array, array]] = {}

    def add(self, doc: int, tiers: dict[str, int], counts: dict[str, int]) -> None:
        """One document: each key's best field and how often the whole text uses it."""
        self._lengths.append(sum(counts.values()))
        rows = self._rows
        base = doc * 256
        for key, tier in tiers.items():
            found = rows.get(key)
            if found is None:
                found = rows[key] = array("q")
            found.append(base + tier * 64 + min(counts[key], 63))

    def freeze(self) -> None:
        average = sum(self._lengths) / max(len(self._lengths), 1) or 1.0
        norms = [K1 * (1 - B + B * n / average) for n in self._lengths]
        tier_weight = (1.0, KEYWORD_WEIGHT, BODY_WEIGHT)
        for key, rows in self._rows.items():
            docs = array("i", [r >> 8 for r in rows])
            codes = [r & 255 for r in rows]
            saturation = [(c & 63) / ((c & 63) + norms[d]) for d, c in zip(docs, codes, strict=True)]
            strength = [tier_weight[c >> 6] + (BODY_TF_BONUS * s if c >> 6 == BODY else 0.0)
                        for c, s in zip(codes, saturation, strict=True)]
            if len(docs) > self._sort_above:
                order = sorted(range(len(docs)), key=lambda i: -strength[i])
                docs = array("i", [docs[i] for i in order])
                strength = [strength[i] for i in order]
                saturation = [saturation[i] for i in order]
            self.lists[key] = (docs, array("f", strength), array("f", saturation))
        self._rows.clear()

    def __contains__(self, key: str) -> bool:
        return key in self.lists


class PhrasePostings:
    """key -> phrasings (title, question or keyword) that hold it."""

    def __init__(self) -> None:
        self._building: dict[str, list[int]] = defaultdict(list)
        self.lists: dict[str, array] = {}

    def add(self, phrase: int, keys: tuple[str, ...]) -> None:
        for key in keys:
            self._building[key].append(phrase)

    def freeze(self) -> None:
        self.lists = {k: array("i", v) for k, v in self._building.items()}
        self._building.clear()

    def get(self, key: str) -> array:
        return self.lists.get(key, _EMPTY)


_EMPTY = array("i")
