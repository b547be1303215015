"""What a search returns, and the thresholds that decide its status."""

from __future__ import annotations

from dataclasses import dataclass

ANSWERED, AMBIGUOUS, NO_MATCH = "answered", "ambiguous", "no_match"


@dataclass(frozen=True, slots=True)
class Thresholds:
    answer: float = 0.45  # best score needed for a confident answer
    margin: float = 0.11  # ... and its lead over the best other entry
    suggest: float = 0.40  # lowest score offered as "did you mean"
    suggest_window: float = 0.15  # offer entries within this distance of the best


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    title: str
    score: float
    lang: str  # language of the phrasing that matched
    exact: bool = False  # the query says exactly what one of the entry's questions says


@dataclass(frozen=True, slots=True)
class SearchResult:
    question: str
    lang: str
    status: str
    matches: tuple[Match, ...]
    suggestions: tuple[Match, ...] = ()  # the "did you mean" options of an ambiguous result

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


def decide(matches: list[Match], t: Thresholds) -> tuple[str, tuple[Match, ...]]:
    """Status and suggestions from ranked matches.

    A confident answer needs a high score and a clear lead; a query that is word for word one
    of the entry's own questions (and no other entry's) counts as a clear lead.
    """
    if not matches or matches[0].score < t.suggest:
        return NO_MATCH, ()
    best = matches[0]
    runner_up = matches[1] if len(matches) > 1 else None
    lead = best.score - (runner_up.score if runner_up else 0.0)
    sole_exact = best.exact and not (runner_up and runner_up.exact)
    if best.score >= t.answer and (lead >= t.margin or sole_exact):
        return ANSWERED, ()
    floor = max(t.suggest, best.score - t.suggest_window)
    return AMBIGUOUS, tuple(m for m in matches[:3] if m.score >= floor)
