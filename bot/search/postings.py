"""Compact inverted lists: which documents and phrasings hold a key, and how strongly.

A large knowledge base has millions of (key, document) pairs, so they live in typed arrays
rather than Python objects: while building, one array of packed integers per key; once
frozen, three flat numpy arrays (documents, field strength, BM25 term-frequency saturation)
computed in one vectorised pass, with each key's slice. Each list is sorted by strength so that
a very common key can be read only down to its strongest documents (see `MAX_POSTINGS`).
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from itertools import filterfalse, repeat

import numpy as np

KEYWORD_WEIGHT = 0.7  # a keyword says less about an entry than its title or a question
BODY_WEIGHT = 0.45  # a query word found only in the answer body counts less than half
K1, B = 1.2, 0.75  # BM25 term-frequency saturation and length normalisation
TITLE, KEYWORD, BODY = 0, 1, 2


class Postings:
    """key -> (document ids, strength by field, BM25 saturation); long lists strongest first.

    Strength is the weight of the best field holding the key (a term-frequency bonus for the
    body was tried: on the labelled set it traded answered top-1 for recall@3); the saturation
    tf / (tf + K1 * length norm) is BM25's share of a word's idf, for the body-level ranking.
    """

    def __init__(self, sort_above: int) -> None:
        self._sort_above = sort_above  # lists longer than this are read strongest first
        # While building, one row per (document, key), in document order, in flat arrays
        # filled by C-level look-ups rather than a Python loop per row.
        self._key_ids: dict[str, int] = {}
        self._row_keys = array("i")
        self._row_tiers = array("b")
        self._row_counts = array("i")
        self._doc_rows: list[int] = []  # rows per document
        self._lengths: list[int] = []
        self._spans: dict[str, tuple[int, int]] = {}
        self._docs = self._strengths = self._saturations = np.zeros(0)

    def add(self, doc: int, tiers: dict[str, int], counts: dict[str, int]) -> None:
        """The next document (documents come in id order): how often its whole text uses each
        key, and the keys' best fields (a key missing from `tiers` is in the body only)."""
        key_ids = self._key_ids
        for key in filterfalse(key_ids.__contains__, counts):
            key_ids[key] = len(key_ids)
        self._row_keys.extend(map(key_ids.__getitem__, counts))
        self._row_tiers.extend(map(tiers.get, counts, repeat(BODY)))
        self._row_counts.extend(counts.values())
        self._doc_rows.append(len(counts))
        self._lengths.append(sum(counts.values()))

    def freeze(self) -> None:
        keys = np.frombuffer(self._row_keys, dtype=np.int32)
        order = np.argsort(keys, kind="stable")  # grouped by key, documents in order
        lengths = np.bincount(keys, minlength=len(self._key_ids))
        ends = np.cumsum(lengths)
        starts = ends - lengths
        docs = np.repeat(np.arange(len(self._doc_rows), dtype=np.int32), self._doc_rows)[order]
        tf = np.frombuffer(self._row_counts, dtype=np.int32)[order].astype(np.float32)
        doc_lengths = np.array(self._lengths, dtype=np.float32)
        average = float(doc_lengths.mean()) if len(doc_lengths) else 0.0
        norms = K1 * (1 - B + B * doc_lengths / (average or 1.0))
        saturations = tf / (tf + norms[docs])
        tier_weights = np.array((1.0, KEYWORD_WEIGHT, BODY_WEIGHT), dtype=np.float32)
        strengths = tier_weights[np.frombuffer(self._row_tiers, dtype=np.int8)[order]]
        for i in np.flatnonzero(lengths > self._sort_above).tolist():
            span = slice(int(starts[i]), int(ends[i]))
            strongest = np.argsort(-strengths[span], kind="stable")
            docs[span], strengths[span], saturations[span] = (
                docs[span][strongest], strengths[span][strongest], saturations[span][strongest])
        self._docs, self._strengths, self._saturations = docs, strengths, saturations
        self._spans = dict(zip(self._key_ids, zip(starts.tolist(), ends.tolist(), strict=True), strict=True))
        self._key_ids = {}
        self._row_keys, self._row_tiers, self._row_counts = array("i"), array("b"), array("i")

    def __contains__(self, key: str) -> bool:
        return key in self._spans

    def document_frequencies(self) -> dict[str, int]:
        return {key: end - start for key, (start, end) in self._spans.items()}

    def read(self, key: str, limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Up to `limit` documents holding `key` (strongest first), their strengths and saturations."""
        start, end = self._spans[key]
        end = min(end, start + limit)
        return self._docs[start:end], self._strengths[start:end], self._saturations[start:end]


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
