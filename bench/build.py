"""Knowledge load and index build time at scale, with repeated builds.

    python -m bench.build [--scale 10000] [--repeat 5] [--knowledge DIR]

The retrieval benchmark times one cold build; on a shared machine one build's wall time can
vary by a third from one minute to the next. This loads the synthetic folder once (timed),
builds the index `--repeat` times, and prints every build, the fastest and the median, with a
fixed pure-Python loop timed before and after as a gauge of the machine's speed at the moment.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

from bench.synthetic import generate
from bot.config import BUNDLED_KNOWLEDGE
from bot.knowledge import load_knowledge
from bot.search import SearchIndex
from bot.search.normalize import query_variants, stem


def gauge() -> float:
    """Seconds for a fixed mix of dict, string and list work (the build's kind of work)."""
    started = time.perf_counter()
    seen: dict[str, int] = {}
    for i in range(600_000):
        word = f"w{i % 50_000}"
        seen[word] = seen.get(word, 0) + len(word.split("0"))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE)
    parser.add_argument("--scale", type=int, default=10_000, help="pad the knowledge to N entries")
    parser.add_argument("--repeat", type=int, default=5, help="builds to time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(args.knowledge, Path(tmp) / "knowledge", args.scale)
        started = time.perf_counter()
        kb = load_knowledge(folder)
        print(f"{len(kb.entries)} entries ({sum(len(e.texts) for e in kb.entries.values())} texts) "
              f"loaded in {time.perf_counter() - started:.2f} s")
    before = gauge()
    builds = []
    for _ in range(max(args.repeat, 1)):
        stem.cache_clear()
        query_variants.cache_clear()
        gc.collect()
        index = SearchIndex(kb)
        builds.append(index.build_seconds)
        del index
    after = gauge()
    ordered = sorted(builds)
    print("builds (s): " + " ".join(f"{b:.2f}" for b in builds))
    print(f"fastest {ordered[0]:.2f} s, median {ordered[len(ordered) // 2]:.2f} s")
    print(f"machine gauge (fixed loop): {before:.2f} s before, {after:.2f} s after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
