"""The retrieval benchmark runs end to end on the fixture knowledge, with and without --scale."""

from __future__ import annotations

import json

from bench import build, retrieval
from bench.metrics import Query, best_threshold, load_queries, mark_copies, rule_threshold, score
from bench.synthetic import generate
from bench.systems import EngineSystem, FuzzBaseline, Ranked
from bot.knowledge import load_knowledge
from bot.search import Thresholds
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
    for label in ("top-1 (answered)", "recall@3", "MRR", "rejection (out + near scope)",
                  "confidently wrong", "answered out of scope", "top-1, fresh wording",
                  "at the engine's rule: threshold", "  typo", "  it", "build (s)", "index memory (MB)",
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


def test_out_of_scope_answers_and_fresh_wording_are_counted_apart():
    queries = [Query("a", "x", "keywords", copied=True), Query("b", "y", "paraphrase"),
               Query("c", None, "near_scope"), Query("d", None, "out_of_scope")]
    answers = [Ranked(("x",), (0.9,), "answered"), Ranked(("z",), (0.8,), "answered"),
               Ranked(("x",), (0.8,), "answered"), Ranked(("x",), (0.2,), "no_match")]
    scores = score(queries, answers)
    assert scores.top1 == 0.5 and scores.wrong == 0.5
    assert scores.out_answered == 0.5 and scores.rejection == 0.5
    assert scores.fresh == 1 and scores.fresh_top1 == 0.0  # only "b" is freshly worded


def test_a_query_worded_like_a_phrasing_of_its_entry_is_marked_as_copied():
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    title = kb.entries["edp"].text("en").title
    marked = mark_copies([Query(title.upper() + " !", "edp", "keywords"),
                          Query(title, "erdf", "keywords"),
                          Query("how do firms join the discovery", "edp", "paraphrase")], kb)
    assert [q.copied for q in marked] == [True, False, False]


def test_the_engine_rule_holds_a_baseline_to_few_wrong_answers():
    queries = [Query(str(i), "x", "keywords") for i in range(40)] + [Query("o", None, "out_of_scope")]
    # Sure answers score 0.9 and are right; unsure ones score 0.6 and are wrong one time in two.
    answers = [Ranked(("x",), (0.9,)) for _ in range(30)]
    answers += [Ranked(("x" if i % 2 else "y",), (0.6,)) for i in range(10)] + [Ranked(("x",), (0.1,))]
    assert best_threshold(queries, answers) == 0.6  # most right: 35 of 41
    assert rule_threshold(queries, answers) == 0.9  # five wrong answers cost more than five right


def test_a_fuzz_baseline_decides_with_extract_one_and_ranks_apart():
    baseline = FuzzBaseline("token_set_ratio")
    baseline.build(load_knowledge(FIXTURE_KNOWLEDGE))
    decision = baseline.query("entrepreneurial discovery process", "en")
    ranking = baseline.ranking("entrepreneurial discovery process", "en")
    assert len(decision.ids) == 1 and decision.ids[0] == ranking.ids[0] == "edp"
    assert decision.scores[0] == ranking.scores[0]


def test_the_benchmark_says_when_the_shipped_thresholds_are_not_the_tuners_pick(tmp_path, monkeypatch):
    engine = EngineSystem()
    engine.build(load_knowledge(FIXTURE_KNOWLEDGE))
    queries = _write_queries(tmp_path)
    monkeypatch.setattr(retrieval, "best_thresholds", lambda rankings, qs: Thresholds())
    assert retrieval.check_thresholds(engine, queries).startswith("shipped thresholds: the tuner's choice")
    monkeypatch.setattr(retrieval, "best_thresholds", lambda rankings, qs: Thresholds(answer=0.99))
    assert retrieval.check_thresholds(engine, queries).startswith("WARNING: the tuner now picks")
