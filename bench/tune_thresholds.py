"""Choose the lexical engine's decision thresholds on the even lines; check them on the odd ones.

    python -m bench.tune_thresholds [--knowledge DIR] [--queries FILE]

Each query is ranked once; every combination of the grid below then decides each ranking's
status (answered, ambiguous, no match), scored on the even-numbered lines only by `objective`
(bench/metrics.py). The best combination is printed with its figures on both
halves, next to the shipped `Thresholds` (bot/search/results.py), which come from this run;
the odd lines stay a held-out check.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

from bench.metrics import Query, Scores, line, load_queries, objective, score
from bench.systems import RANK_DEPTH, Ranked
from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge import load_knowledge
from bot.search import Match, SearchIndex, Thresholds
from bot.search.results import decide

HERE = Path(__file__).parent
GRID = {
    "answer": (0.45, 0.5, 0.55, 0.6, 0.65),
    "margin": (0.08, 0.1, 0.12, 0.14, 0.16),
    "suggest": (0.4, 0.45, 0.5, 0.55),
    "agree_lead": (0.05, 0.1, 0.15),
    "agree_answer": (0.35, 0.45, 0.55),
    "agree_margin": (0.03, 0.06),
}
Ranking = tuple[list[Match], tuple[str, float]]


def _evaluate(rankings: list[Ranking], queries: list[Query], thresholds: Thresholds) -> Scores:
    answers = []
    for matches, second_opinion in rankings:
        status, _ = decide(matches, thresholds, second_opinion)
        top = matches[:RANK_DEPTH]
        answers.append(Ranked(tuple(m.id for m in top), tuple(m.score for m in top), status))
    return score(queries, answers)


def best_thresholds(rankings: list[Ranking], queries: list[Query]) -> Thresholds:
    """The grid's best thresholds by `objective` for these rankings (the first on a tie)."""
    n_in = sum(q.expected is not None for q in queries)
    best, best_value = Thresholds(), float("-inf")
    for values in itertools.product(*GRID.values()):
        thresholds = replace(Thresholds(), **dict(zip(GRID, values, strict=True)))
        value = objective(_evaluate(rankings, queries, thresholds), n_in, len(queries) - n_in)
        if value > best_value:
            best, best_value = thresholds, value
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE)
    parser.add_argument("--queries", type=Path, default=HERE / "queries.jsonl")
    args = parser.parse_args(argv)
    index = SearchIndex(load_knowledge(args.knowledge))
    halves = {half: load_queries(args.queries, half) for half in ("even", "odd")}
    ranked = {half: [index.rank(q.q, q.lang) for q in queries] for half, queries in halves.items()}
    best = best_thresholds(ranked["even"], halves["even"])
    for name, thresholds in (("best on the even lines", best), ("shipped", Thresholds())):
        print(f"{name}: {thresholds}")
        for half, queries in halves.items():
            print(line(f"  {half}", _evaluate(ranked[half], queries, thresholds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
