"""Quick quality check of the shipped engine on the labelled query set.

    python -m bench.evaluate [--knowledge DIR] [--queries FILE] [--show-errors]

Prints top-1 accuracy on in-scope queries, recall@3, confidently wrong answers, out-of-scope
rejection and per-kind accuracy.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge import load_knowledge
from bot.search import ANSWERED, NO_MATCH, SearchIndex

HERE = Path(__file__).parent
LANG_KINDS = {"it", "de", "fr", "sl"}


def load_queries(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(index: SearchIndex, queries: list[dict], show_errors: bool = False) -> dict:  # type: ignore[type-arg]
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    top1 = recall3 = wrong = in_scope = rejected = out_scope = 0
    for q in queries:
        lang = q["kind"] if q["kind"] in LANG_KINDS else "en"
        result = index.search(q["q"], lang)
        ids = [m.id for m in result.matches]
        answered = result.status == ANSWERED
        if q["expected"] is None:
            out_scope += 1
            ok = result.status == NO_MATCH
            rejected += ok
        else:
            in_scope += 1
            ok = answered and ids[0] == q["expected"]
            top1 += ok
            recall3 += q["expected"] in ids[:3]
            if answered and ids[0] != q["expected"]:
                wrong += 1
        per_kind[q["kind"]][0] += ok
        per_kind[q["kind"]][1] += 1
        if show_errors and not ok:
            got = [(m.id, m.score) for m in result.matches[:3]]
            print(f"  [{q['kind']}] {q['q']!r} expected={q['expected']} got={result.status} {got}")
    return {
        "top1": top1 / max(in_scope, 1),
        "recall@3": recall3 / max(in_scope, 1),
        "confidently_wrong": wrong / max(in_scope, 1),
        "oos_rejection": rejected / max(out_scope, 1),
        "per_kind": {k: v[0] / v[1] for k, v in sorted(per_kind.items())},
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE)
    parser.add_argument("--queries", type=Path, default=HERE / "queries.jsonl")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    index = SearchIndex(load_knowledge(args.knowledge))
    report = evaluate(index, load_queries(args.queries), args.show_errors)
    print(f"queries {report['queries']}  top-1 {report['top1']:.3f}  recall@3 {report['recall@3']:.3f}  "
          f"confidently wrong {report['confidently_wrong']:.3f}  "
          f"out-of-scope rejection {report['oos_rejection']:.3f}")
    print("  ".join(f"{k} {v:.2f}" for k, v in report["per_kind"].items()))


if __name__ == "__main__":
    main()
