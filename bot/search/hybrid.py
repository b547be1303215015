"""The lexical engine and the semantic layer together: one ranking, one decision.

The lexical engine is precise where the question shares words with an entry (keywords, typos,
exact terms); the embeddings catch paraphrases and other languages. Each candidate's score is a
weighted sum of its lexical score and its cosine similarity rescaled from the model's "unrelated"
floor to 1, so the two speak in the same units. The answer is confident when the lexical engine
was already confident about the same entry; when both sides, each on its own, rank the same
entry first (two independent opinions agreeing) and its fused score is fair; or when the fused
score alone is high with a clear lead. The settings come from `python -m bench.tune_fusion`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.knowledge.model import KnowledgeBase
from bot.search.index import SearchIndex
from bot.search.results import AMBIGUOUS, ANSWERED, NO_MATCH, Match, SearchResult, Thresholds
from bot.search.semantic import EmbeddingCache, Encoder, SemanticIndex

CANDIDATES = 10  # from each side


@dataclass(frozen=True, slots=True)
class Fusion:
    lexical_weight: float = 0.4  # the semantic score weighs the rest
    floor: float = 0.88  # cosine of unrelated sentences for this model; rescaled to 0
    answer: float = 0.5  # fused score needed for a confident answer
    margin: float = 0.04  # ... and its lead over the next entry
    agree_answer: float = 0.4  # ... when both sides rank the entry first on their own
    agree_margin: float = 0.0
    suggest: float = 0.4  # lowest fused score offered as "did you mean"
    suggest_window: float = 0.15


class HybridIndex:
    """Same interface as `SearchIndex`; immutable after construction."""

    def __init__(self, kb: KnowledgeBase, encoder: Encoder, cache_dir: Path | None = None,
                 thresholds: Thresholds | None = None, fusion: Fusion | None = None,
                 lexical: SearchIndex | None = None) -> None:
        """`lexical`: an index of the same knowledge already built, to reuse."""
        self.kb = kb
        self.lexical = lexical if lexical is not None else SearchIndex(kb, thresholds)
        self.semantic = SemanticIndex(kb, encoder, EmbeddingCache(cache_dir, encoder.name))
        self.fusion = fusion or Fusion()
        self._position = {eid: i for i, eid in enumerate(self.semantic.entry_ids)}
        self.build_seconds = self.lexical.build_seconds  # embedding time depends on the cache

    @property
    def size(self) -> int:
        return self.lexical.size

    def signature(self, text: str, lang: str) -> frozenset[str]:
        return self.lexical.signature(text, lang)

    def search(self, question: str, lang: str = "en", limit: int = 5) -> SearchResult:
        lexical = self.lexical.search(question, lang, limit=CANDIDATES)
        return self.combine(lexical, self.semantic.similarities(question), limit)

    def combine(self, lexical: SearchResult, cosines: np.ndarray, limit: int = 5,
                fusion: Fusion | None = None) -> SearchResult:
        """The fused result from both sides' findings (`fusion` only to try other settings)."""
        f = fusion or self.fusion
        semantic = np.clip((cosines - f.floor) / (1 - f.floor), 0.0, 1.0)
        lexical_of = {m.id: m for m in lexical.matches}
        candidates = dict.fromkeys([*lexical_of, *(self.semantic.entry_ids[i]
                                                    for i in np.argsort(-semantic)[:CANDIDATES])])
        matches = []
        for eid in candidates:
            found = lexical_of.get(eid)
            dense = float(semantic[self._position[eid]]) if eid in self._position else 0.0
            score = f.lexical_weight * (found.score if found else 0.0) + (1 - f.lexical_weight) * dense
            if score <= 0:
                continue
            entry = self.kb.entries[eid]
            shown_lang = lexical.lang if lexical.lang in entry.texts else "en"
            matches.append(Match(eid, entry.text(lexical.lang).title, round(min(score, 1.0), 4),
                                 found.lang if found else shown_lang, found.exact if found else False))
        matches.sort(key=lambda m: (-m.score, m.id))
        top = int(np.argmax(semantic)) if len(semantic) else -1
        dense_first = self.semantic.entry_ids[top] if top >= 0 and semantic[top] > 0 else None
        status, suggestions = _decide(matches, lexical, dense_first, f)
        return SearchResult(lexical.question, lexical.lang, status, tuple(matches[:limit]), suggestions)


def _decide(matches: list[Match], lexical: SearchResult, dense_first: str | None,
            f: Fusion) -> tuple[str, tuple[Match, ...]]:
    if not matches:
        return NO_MATCH, ()
    best = matches[0]
    lead = best.score - (matches[1].score if len(matches) > 1 else 0.0)
    lexical_first = lexical.best.id if lexical.best else None
    confirmed = lexical.status == ANSWERED and lexical_first == best.id
    agreed = dense_first is not None and lexical_first == dense_first == best.id
    if (confirmed or (agreed and best.score >= f.agree_answer and lead >= f.agree_margin)
            or (best.score >= f.answer and lead >= f.margin)):
        return ANSWERED, ()
    if best.score < f.suggest:
        return NO_MATCH, ()
    floor = max(f.suggest, best.score - f.suggest_window)
    return AMBIGUOUS, tuple(m for m in matches[:3] if m.score >= floor)
