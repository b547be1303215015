"""The answer engine: normalisation, synonyms, typo tolerance and the search index."""

from bot.search.index import (
    AMBIGUOUS,
    ANSWERED,
    NO_MATCH,
    Match,
    SearchIndex,
    SearchResult,
    Thresholds,
)

__all__ = ["AMBIGUOUS", "ANSWERED", "NO_MATCH", "Match", "SearchIndex", "SearchResult", "Thresholds"]
