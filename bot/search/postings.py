"""Compact inverted lists: which documents and phrasings hold a key, and how strongly.

A large knowledge base has millions of (key, document) pairs, so they never become Python
objects: while building, every word of a document is one row (its key id and its field) in
flat typed arrays, appended with C-level calls; freezing counts and groups them in a few
vectorised passes (one sort of packed integers, no Python loop per row) into three flat numpy
arrays (documents, field strength, BM25 term-frequency saturation), with each key's slice.
Each list is sorted by strength so that a very common key can be read only down to its
strongest documents (see `MAX_POSTINGS`).
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

KEYWORD_WEIGHT = 0.7  # a keyword says less about an entry than its title or a question
BODY_WEIGHT = 0.45  # a query word found only in the answer body counts less than half
K1, B = 1.2, 0.75  # BM25 term-frequency saturation and length normalisation
TITLE, KEYWORD, BODY = 0, 1, 2
_TIER_BITS = 2  # a row's field, packed below its (key, document) pair


class Postings:
    """key -> (document ids, strength by field, BM25 saturation); long lists strongest first.

    Strength is the weight of the best field holding the key (a term-frequency bonus for the
    body was tried: on the labelled set it traded answered top-1 for recall@3); the saturation
    tf / (tf + K1 * length norm) is BM25's share of a word's idf, for the body-level ranking.
    """

    def __init__(self, sort_above: int) -> None:
        self._sort_above = sort_above  # lists longer than this are read strongest first
        # While building: one row per use of a key, documents in id order.
        self._row_keys = array("i")
        self._row_tiers = array("b")
        self._doc_rows = array("q")  # rows per document
        self._removed_keys = array("i")  # uses taken back (a synonym term took the word over)
        self._removed_docs = array("i")
        self._spans = _Spans()
        self._docs = self._strengths = self._saturations = np.zeros(0)
        self.frequencies_by_id = np.zeros(0, dtype=np.int64)

    def add(self, keys: array, tiers: array, removed: Sequence[int] = ()) -> None:
        """The next document (ids 0, 1, ...): the key id of every use of a key in its whole
        text (-1 for a word that makes no key), each use's field (TITLE, KEYWORD or BODY), and
        the ids of uses to take back again (one per use)."""
        if len(keys) != len(tiers):
            raise ValueError("one field per key use")
        doc = len(self._doc_rows)
        self._row_keys.extend(keys)
        self._row_tiers.extend(tiers)
        self._doc_rows.append(len(keys))
        if removed:
            self._removed_keys.extend(removed)
            self._removed_docs.extend([doc] * len(removed))

    def freeze(self, names: Sequence[str]) -> None:
        """Count and group the rows; `names[i]` is the key of key id i."""
        n_docs = len(self._doc_rows)
        width = max(n_docs, 1)
        keys = np.frombuffer(self._row_keys, dtype=np.int32).astype(np.int64)
        docs = np.repeat(np.arange(n_docs, dtype=np.int64), np.frombuffer(self._doc_rows, dtype=np.int64))
        tiers = np.frombuffer(self._row_tiers, dtype=np.int8)
        used = keys >= 0
        # One sorted array of (key, document, field) packed in an integer: equal pairs end up
        # side by side, grouped by key with documents in order, the best field first.
        packed = np.sort(((keys[used] * width + docs[used]) << _TIER_BITS) | tiers[used])
        pairs = packed >> _TIER_BITS
        firsts = np.flatnonzero(np.diff(pairs, prepend=-1))
        tf = np.diff(np.append(firsts, len(pairs)))
        best_tiers = (packed[firsts] & ((1 << _TIER_BITS) - 1)).astype(np.int8)
        pairs = pairs[firsts]
        if len(self._removed_keys):
            removed = (np.frombuffer(self._removed_keys, dtype=np.int32).astype(np.int64) * width
                       + np.frombuffer(self._removed_docs, dtype=np.int32))
            taken, times = np.unique(removed, return_counts=True)
            at = np.searchsorted(pairs, taken)
            if not np.array_equal(pairs[np.minimum(at, len(pairs) - 1)], taken):
                raise ValueError("a use was taken back that was never added")
            np.subtract.at(tf, at, times)
            kept = tf > 0
            pairs, tf, best_tiers = pairs[kept], tf[kept], best_tiers[kept]
        pair_keys, docs = np.divmod(pairs, width)
        docs = docs.astype(np.int32)
        lengths = np.bincount(pair_keys, minlength=len(names))
        starts = np.cumsum(lengths) - lengths
        doc_lengths = np.bincount(docs, weights=tf, minlength=n_docs).astype(np.float32)
        average = float(doc_lengths.mean()) if len(doc_lengths) else 0.0
        norms = K1 * (1 - B + B * doc_lengths / (average or 1.0))
        tf = tf.astype(np.float32)
        saturations = tf / (tf + norms[docs])
        tier_weights = np.array((1.0, KEYWORD_WEIGHT, BODY_WEIGHT), dtype=np.float32)
        strengths = tier_weights[best_tiers]
        for i in np.flatnonzero(lengths > self._sort_above).tolist():
            span = slice(int(starts[i]), int(starts[i] + lengths[i]))
            strongest = np.argsort(-strengths[span], kind="stable")
            docs[span], strengths[span], saturations[span] = (
                docs[span][strongest], strengths[span][strongest], saturations[span][strongest])
        self._docs, self._strengths, self._saturations = docs, strengths, saturations
        self._spans = _Spans(names, lengths, starts)
        self.frequencies_by_id = lengths  # documents per key id (0 for a key no document keeps)
        self._row_keys, self._row_tiers, self._doc_rows = array("i"), array("b"), array("q")
        self._removed_keys, self._removed_docs = array("i"), array("i")

    def __contains__(self, key: str) -> bool:
        return key in self._spans

    def document_frequencies(self) -> dict[str, int]:
        return self._spans.lengths()

    def read(self, key: str, limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Up to `limit` documents holding `key` (strongest first), their strengths and saturations."""
        start, end = self._spans.get(key)
        end = min(end, start + limit)
        return self._docs[start:end], self._strengths[start:end], self._saturations[start:end]


class PhrasePostings:
    """key -> phrasings (title, question or keyword) that hold it, in phrasing order."""

    def __init__(self) -> None:
        self._row_keys = array("i")  # while building: the key ids of each phrasing ...
        self._sizes = array("q")  # ... and how many each has
        self._flat = array("i")  # once frozen: every list, one after the other
        self._spans = _Spans()

    def add(self, first: int, keys: Iterable[int], sizes: Sequence[int]) -> None:
        """Phrasings `first`, `first + 1`, ... (the next ids): each one's distinct key ids, one
        phrasing after another, and how many each has."""
        if first != len(self._sizes):
            raise ValueError("phrasings come in id order")
        self._row_keys.extend(keys)
        self._sizes.extend(sizes)

    def totals(self, per_key: np.ndarray) -> np.ndarray:
        """Before freezing: for each phrasing, the sum of `per_key[key id]` over its keys."""
        sizes = np.frombuffer(self._sizes, dtype=np.int64)
        phrases = np.repeat(np.arange(len(sizes)), sizes)
        keys = np.frombuffer(self._row_keys, dtype=np.int32)
        return np.bincount(phrases, weights=per_key[keys], minlength=len(sizes))

    def freeze(self, names: Sequence[str]) -> None:
        width = max(len(self._sizes), 1)
        phrases = np.repeat(np.arange(len(self._sizes), dtype=np.int64),
                            np.frombuffer(self._sizes, dtype=np.int64))
        keys = np.frombuffer(self._row_keys, dtype=np.int32).astype(np.int64)
        pairs = np.sort(keys * width + phrases)  # grouped by key, phrasings in order
        pair_keys, pair_phrases = np.divmod(pairs, width)
        lengths = np.bincount(pair_keys, minlength=len(names))
        starts = np.cumsum(lengths) - lengths
        self._flat = array("i", pair_phrases.astype(np.int32).tobytes())
        self._spans = _Spans(names, lengths, starts)
        self._row_keys, self._sizes = array("i"), array("q")

    def get(self, key: str) -> array:
        if key not in self._spans:
            return _EMPTY
        start, end = self._spans.get(key)
        return self._flat[start:end]


_EMPTY = array("i")


class _Spans:
    """key -> the slice of a flat array that holds its list (the lists lie one after another).

    A dict of key -> number and one list of bounds, rather than a (start, end) tuple per key:
    no object per key for the cyclic garbage collector to walk.
    """

    def __init__(self, names: Sequence[str] = (), lengths: np.ndarray | None = None,
                 starts: np.ndarray | None = None) -> None:
        present = np.flatnonzero(lengths) if lengths is not None else np.zeros(0, dtype=np.int64)
        self._slots = dict(zip([names[i] for i in present.tolist()], range(len(present)), strict=True))
        bounds = starts[present].tolist() if starts is not None else []
        if len(present):
            bounds.append(int(starts[present[-1]] + lengths[present[-1]]))
        self._bounds = bounds  # the lists are contiguous: list i ends where list i + 1 starts

    def __contains__(self, key: str) -> bool:
        return key in self._slots

    def get(self, key: str) -> tuple[int, int]:
        slot = self._slots[key]
        return self._bounds[slot], self._bounds[slot + 1]

    def lengths(self) -> dict[str, int]:
        bounds = self._bounds
        return {key: bounds[slot + 1] - bounds[slot] for key, slot in self._slots.items()}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a build makes millions of small objects.

    They hold no reference cycles, yet every few thousand of them would start a collection
    that walks them all again: a third of the build time of a large knowledge base.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def idf_of_keys(frequencies: np.ndarray, total: int) -> np.ndarray:
    """log(1 + N / df) for each key id, from its document frequency; 0 where df is 0."""
    return np.log(1 + total / np.maximum(frequencies, 1)) * (frequencies > 0)


def top_positions(values: np.ndarray, n: int) -> list[int]:
    """The positions of the n largest positive values, largest first."""
    found = np.flatnonzero(values > 0)
    if len(found) > n:
        found = found[np.argpartition(-values[found], n - 1)[:n]]
    return found[np.argsort(-values[found], kind="stable")].tolist()
