"""The answer engine: normalisation, synonyms, typo tolerance and the search index."""

from bot.search.hybrid import HybridIndex
from bot.search.index import SearchIndex
from bot.search.results import (
    AMBIGUOUS,
    ANSWERED,
    NO_MATCH,
    Match,
    SearchResult,
    Thresholds,
)

AnswerIndex = SearchIndex | HybridIndex  # the lexical engine, or it with the semantic layer

__all__ = ["AMBIGUOUS", "ANSWERED", "NO_MATCH", "AnswerIndex", "HybridIndex", "Match", "SearchIndex",
           "SearchResult", "Thresholds"]
