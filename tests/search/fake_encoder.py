"""A deterministic stand-in for a sentence-embedding model, for tests of the semantic layer.

Texts that mention the same concept get the same direction, whatever words they use and in
whatever language; other texts get a hashed bag of their words, so they resemble only texts
with the same words.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

CONCEPTS: dict[str, tuple[str, ...]] = {
    "fund": ("erdf", "regional development fund", "fesr", "cash", "who pays", "geld"),
    "edp": ("entrepreneurial discovery", "edp", "scoperta imprenditoriale", "firms tell the region"),
    "cluster": ("what a cluster is", "cluster", "bunch of firms"),
    "label": ("gold label", "silver label", "badge"),
}

WORD_DIMS = 512


class ConceptEncoder:
    name = "concept-test-model"

    def __init__(self) -> None:
        self.calls: list[str] = []  # every text embedded, to check what the cache spares

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.extend(texts)
        rows = []
        for text in texts:
            lowered = text.lower()
            row = np.zeros(len(CONCEPTS) + WORD_DIMS, dtype=np.float32)
            for i, triggers in enumerate(CONCEPTS.values()):
                row[i] = sum(t in lowered for t in triggers)
            if not row.any():
                for word in lowered.split():
                    row[len(CONCEPTS) + zlib.crc32(word.encode()) % WORD_DIMS] += 1.0
                row[len(CONCEPTS)] += 0.01  # never all zero, even for an empty text
            rows.append(row / np.linalg.norm(row))
        return np.array(rows, dtype=np.float32)
