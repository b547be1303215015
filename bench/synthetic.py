"""A synthetic knowledge folder of any size, for measuring speed and memory at scale.

The folder holds the real entries and synonyms (so the labelled queries still have their
answers) plus generated filler entries up to the requested size. Filler text is drawn from
the real vocabulary and from made-up words with a Zipf-like frequency, so that postings
lists, idf and typo neighbourhoods look like those of a large real knowledge base: many
entries share the common domain words, and the vocabulary keeps growing with the size.
"""

from __future__ import annotations

import random
import re
import shutil
from itertools import accumulate
from pathlib import Path

WORD_RE = re.compile(r"[^\W\d_]{3,}")
SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti", "vo",
             "za", "tra", "ster", "lin", "mon", "pel", "quor", "sant", "dro", "fen", "gal")
LANGS = ("it", "de", "fr", "sl")
TRANSLATED_SHARE = 0.3  # like the shipped knowledge, about a third of entries are translated


def _vocabulary(source: Path, rng: random.Random, size: int) -> list[str]:
    real: dict[str, None] = {}
    for path in sorted((source / "entries").glob("*.md")):
        for word in WORD_RE.findall(path.read_text(encoding="utf-8").lower()):
            real.setdefault(word)
    made_up: set[str] = set()
    while len(made_up) < max(size - len(real), 0):
        made_up.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    words = list(real) + sorted(made_up)
    rng.shuffle(words)
    return words


class _Writer:
    def __init__(self, words: list[str], rng: random.Random) -> None:
        self.words, self.rng = words, rng
        self.cumulative = list(accumulate(1 / (rank + 1) for rank in range(len(words))))

    def phrase(self, low: int, high: int) -> str:
        n = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=n))

    def entry(self, entry_id: str, lang: str | None) -> str:
        questions = "\n".join(f"  - {self.phrase(3, 9)}?" for _ in range(self.rng.randint(3, 6)))
        keywords = ", ".join(self.phrase(1, 2) for _ in range(self.rng.randint(2, 5)))
        body = "\n\n".join(self.phrase(25, 60).capitalize() + "." for _ in range(self.rng.randint(2, 4)))
        head = f"id: {entry_id}\n" if lang else f"id: {entry_id}\ntags: [clusters]\n"
        return (f"---\n{head}title: {self.phrase(2, 6).capitalize()}\nquestions:\n{questions}\n"
                f"keywords: [{keywords}]\n---\n{body}\n")


def generate(source: Path, target: Path, size: int, seed: int = 7) -> Path:
    """Write a knowledge folder with `size` entries (real ones first) into `target`."""
    rng = random.Random(seed)
    entries = target / "entries"
    entries.mkdir(parents=True, exist_ok=True)
    real = [p for p in sorted((source / "entries").glob("*.md"))]
    for path in real:
        shutil.copy(path, entries / path.name)
    if (source / "synonyms.yaml").exists():
        shutil.copy(source / "synonyms.yaml", target / "synonyms.yaml")
    have = sum(1 for p in real if p.name.count(".") == 1)
    writer = _Writer(_vocabulary(source, rng, 20_000 + size * 3), rng)
    for n in range(max(size - have, 0)):
        entry_id = f"synthetic-{n:06d}"
        (entries / f"{entry_id}.md").write_text(writer.entry(entry_id, None), encoding="utf-8")
        if rng.random() < TRANSLATED_SHARE:
            lang = rng.choice(LANGS)
            (entries / f"{entry_id}.{lang}.md").write_text(writer.entry(entry_id, lang), encoding="utf-8")
    return target
