"""What a search returns, and the thresholds that decide its status."""

from __future__ import annotations

from dataclasses import dataclass

ANSWERED, AMBIGUOUS, NO_MATCH = "answered", "ambiguous", "no_match"


@dataclass(frozen=True, slots=True)
class Thresholds:
    # Chosen by `python -m bench.tune_thresholds` on the benchmark's even lines.
    answer: float = 0.6  # best score needed for a confident answer
    margin: float = 0.08  # ... and its lead over the best other entry
    suggest: float = 0.55  # lowest score offered as "did you mean"
    suggest_window: float = 0.15  # offer entries within this distance of the best
    # When BM25 over the whole text independently ranks the same entry first, by this lead:
    agree_lead: float = 0.10  # (a share of the query's weight)
    agree_answer: float = 0.45  # ... a lower score suffices for a confident answer
    agree_margin: float = 0.03  # ... with a smaller lead over the best other entry


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


def decide(matches: list[Match], t: Thresholds,
           second_opinion: tuple[str, float] = ("", 0.0)) -> tuple[str, tuple[Match, ...]]:
    """Status and suggestions from ranked matches.

    A confident answer needs a high score and a clear lead; a query that is word for word one
    of the entry's own questions (and no other entry's) counts as a clear lead. So does a
    smaller lead when an independent ranking (`second_opinion`: its first entry and that
    entry's lead) picks the same entry with a lead of its own.
    """
    if not matches:
        return NO_MATCH, ()
    best = matches[0]
    runner_up = matches[1] if len(matches) > 1 else None
    lead = best.score - (runner_up.score if runner_up else 0.0)
    agreed = second_opinion[0] == best.id and second_opinion[1] >= t.agree_lead
    if agreed and best.score >= t.agree_answer and lead >= t.agree_margin:
        return ANSWERED, ()
    if best.score < t.suggest:
        return NO_MATCH, ()
    sole_exact = best.exact and not (runner_up and runner_up.exact)
    if best.score >= t.answer and (lead >= t.margin or sole_exact):
        return ANSWERED, ()
    floor = max(t.suggest, best.score - t.suggest_window)
    return AMBIGUOUS, tuple(m for m in matches[:3] if m.score >= floor)
