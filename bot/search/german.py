"""German endings the Snowball stemmer leaves alone.

Snowball's German stemmer strips noun and adjective endings but not the verb endings of the
third person and the participle ("fördert", "gefördert", "voraussetzt"), and it strips "-ung"
after "-er", so "Förderung" keeps a stem ("forder") that "fördern" ("ford") does not reach.
Chat questions use exactly those verb forms ("was wird gefördert", "wer steuert die S3"), while
the knowledge speaks in nouns, so both sides go through `refine` after Snowball:

- a final "-t" goes (and "-et" after d or t: "arbeitet", "bildet"), so the person forms and
  participles meet the infinitive and the noun;
- then a final "-er", which joins "forder" (Förderung) with "ford" (fördern);
- a participle "ge…t" of eight letters or more loses its "ge" ("gefördert", "gestärkt").

Stems keep at least five letters ("Markt", "Recht" stay), and the rules run on both the
knowledge and the query side, so a rule that merges two words merges them everywhere. A
query word starting with "ge" is also looked up without it (see `query_forms`): the index
cannot tell "gestalten" (a verb of its own) from a participle.
"""

from __future__ import annotations

_MIN_STEM = 5
_MIN_PARTICIPLE = 8


def refine(stem: str) -> str:
    """A Snowball German stem with the verb endings above removed."""
    if len(stem) > _MIN_STEM and stem[-1] == "t":
        cut = 2 if stem[-2] == "e" and stem[-3] in "dt" and len(stem) - 2 >= _MIN_STEM - 1 else 1
        stem = stem[:-cut]
        if len(stem) > _MIN_STEM and stem[-1] == "t":  # "arbeitet" -> "arbeit" -> "arbei", as "Arbeit"
            stem = stem[:-1]
    if len(stem) > _MIN_STEM and stem.endswith("er"):
        stem = stem[:-2]
    return stem


def is_participle(word: str) -> bool:
    return len(word) >= _MIN_PARTICIPLE and word.startswith("ge") and word.endswith("t")


def without_ge(word: str) -> str | None:
    """The word less a leading "ge" that may be a participle prefix, if one is left."""
    return word[2:] if word.startswith("ge") and len(word) >= _MIN_PARTICIPLE - 1 else None
