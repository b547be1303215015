"""The answer engine: normalisation, synonyms, typo tolerance and the search index."""

from bot.search.index import SearchIndex
from bot.search.results import (
    AMBIGUOUS,
    ANSWERED,
    NO_MATCH,
    Match,
    SearchResult,
    Thresholds,
)

__all__ = ["AMBIGUOUS", "ANSWERED", "NO_MATCH", "Match", "SearchIndex", "SearchResult", "Thresholds"]
