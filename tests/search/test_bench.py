"""The retrieval benchmark runs end to end on the fixture knowledge, with and without --scale."""

from __future__ import annotations

import json

from bench import build, retrieval
from bench.metrics import Query, best_threshold, load_queries, score
from bench.synthetic import generate
from bench.systems import Ranked
from bot.knowledge import load_knowledge
from tests.conftest import FIXTURE_KNOWLEDGE

QUERIES = [
    {"q": "what is the edp", "expected": "edp", "kind": "keywords"},
    {"q": "entrepreneurial discovrey", "expected": "edp", "kind": "typo"},
    {"q": "cos'è la scoperta imprenditoriale", "expected": "edp", "kind": "it"},
    {"q": "best pasta recipe", "expected": None, "kind": "out_of_scope"},
]


def _write_queries(tmp_path):
    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QUERIES), encoding="utf-8")
    return path


def test_benchmark_prints_every_figure_for_every_system(tmp_path, capsys):
    out = tmp_path / "figures.json"
    code = retrieval.main(["--knowledge", str(FIXTURE_KNOWLEDGE), "--queries",
                           str(_write_queries(tmp_path)), "--no-bm25", "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    for label in ("top-1 (answered)", "recall@3", "MRR", "out-of-scope rejection",
                  "confidently wrong", "  typo", "  it", "build (s)", "index memory (MB)",
                  "latency p95 (ms)", "rapidfuzz WRatio", "rapidfuzz token_set_ratio"):
        assert label in printed
    runs = {r["name"]: r for r in json.loads(out.read_text())}
    assert runs["engine"]["scores"]["top1"] == 1.0
    assert runs["engine"]["scores"]["rejection"] == 1.0
    assert runs["engine"]["scores"]["threshold"] is None  # shipped thresholds
    assert runs["rapidfuzz WRatio"]["scores"]["threshold"] is not None


def test_scale_mode_pads_the_knowledge_with_loadable_synthetic_entries(tmp_path, capsys):
    folder = generate(FIXTURE_KNOWLEDGE, tmp_path / "kb", 60)
    kb = load_knowledge(folder)
    assert len(kb.entries) == 60 and kb.errors == ()
    assert {"edp", "erdf"} <= set(kb.entries)
    code = retrieval.main(["--knowledge", str(FIXTURE_KNOWLEDGE), "--queries",
                           str(_write_queries(tmp_path)), "--scale", "40", "--engine-only"])
    assert code == 0
    assert "scale 40: 40 entries" in capsys.readouterr().out


def test_build_benchmark_times_every_build(capsys):
    assert build.main(["--knowledge", str(FIXTURE_KNOWLEDGE), "--scale", "50", "--repeat", "3"]) == 0
    printed = capsys.readouterr().out
    assert "50 entries" in printed and "loaded in" in printed
    [timings] = [line for line in printed.splitlines() if line.startswith("builds (s): ")]
    assert len(timings.split(": ")[1].split()) == 3
    assert "fastest" in printed and "median" in printed and "machine gauge" in printed


def test_best_threshold_maximises_right_decisions():
    queries = [Query("a", "x", "keywords"), Query("b", None, "out_of_scope"),
               Query("c", "y", "keywords")]
    answers = [Ranked(("x",), (0.9,)), Ranked(("x",), (0.5,)), Ranked(("z",), (0.7,))]
    threshold = best_threshold(queries, answers)
    assert 0.7 < threshold <= 0.9
    scores = score(queries, answers, threshold)
    assert scores.top1 == 0.5 and scores.rejection == 1.0 and scores.wrong == 0.0
    assert scores.recall3 == 0.5 and scores.mrr == 0.5


def test_shipped_query_set_has_the_required_composition():
    queries = load_queries(retrieval.HERE / "queries.jsonl")
    kinds = [q.kind for q in queries]
    assert len(queries) >= 300
    assert kinds.count("out_of_scope") / len(queries) >= 0.15
    assert kinds.count("near_scope") / len(queries) >= 0.05
    assert {"paraphrase", "keywords", "typo", "it", "de", "fr", "sl"} <= set(kinds)
    assert all((q.expected is None) == (q.kind in {"out_of_scope", "near_scope"}) for q in queries)


def test_splits_take_alternate_lines(tmp_path):
    path = _write_queries(tmp_path)
    odd, even = load_queries(path, "odd"), load_queries(path, "even")
    assert [q.q for q in odd] == [QUERIES[0]["q"], QUERIES[2]["q"]]
    assert [q.q for q in even] == [QUERIES[1]["q"], QUERIES[3]["q"]]
    assert len(load_queries(path, "all")) == len(QUERIES)
