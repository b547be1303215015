"""The answer engine: a long-lived index over every entry's title, questions and keywords.

How a query is scored (all parts in [0, 1]):
- Tokens are folded, synonym groups collapse to one token, stop words go, and each remaining
  token is looked up in every language's stemmed form; unknown words of four letters or more
  may be read as a typo of a known word, at a discount.
- Candidate documents (one per entry and language) come from an inverted index, so the cost
  follows the query's words, not the size of the knowledge base.
- `coverage`: how much of the query (weighted by rarity, idf) the document explains. Words that
  no entry knows weigh fully, so "pasta recipe with clusters" does not look like a cluster
  question.
- `phrase`: the best single phrasing of the entry, balancing how much of the query it covers
  and how much of the phrasing the query covers (an F-measure).
- `fuzzy`: rapidfuzz similarity of the stemmed query with the best phrasing, for word order
  and near-misses.
The thresholds in `Thresholds` turn the best scores into answered / ambiguous / no_match; a
confident answer also needs a clear margin over the runner-up, because a wrong confident
answer costs more than an honest "I don't know".
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.knowledge.markdown import to_plain_text
from bot.knowledge.model import DEFAULT_LANG, EntryText, KnowledgeBase
from bot.search.normalize import is_stop_word, query_variants, stem, tokens
from bot.search.stopwords import STOP_WORDS
from bot.search.synonyms import SHADOW_PREFIX, SynonymMap, shadow_group
from bot.search.typos import TypoIndex

ANSWERED, AMBIGUOUS, NO_MATCH = "answered", "ambiguous", "no_match"
TYPO_DISCOUNT = 0.85
MAX_CANDIDATES = 40
MAX_QUERY_CHARS = 500
KEYWORD_WEIGHT = 0.7  # a keyword says less about an entry than its title or a question
BODY_WEIGHT = 0.45  # a query word found only in the answer body counts less than half
SHADOW_WEIGHT = 0.25  # the exact wording of a synonym, on top of its group
UNKNOWN_WEIGHT = 1.0  # a word no entry knows, relative to the rarest known word
W_COVERAGE, W_PHRASE, W_FUZZY = 0.5, 0.35, 0.15


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


@dataclass(slots=True)
class _Doc:
    entry_id: str
    lang: str
    phrases: list[tuple[tuple[str, ...], float]] = field(default_factory=list)  # keys, weight
    keys: set[str] = field(default_factory=set)  # keys of the title and questions
    keyword_keys: set[str] = field(default_factory=set)  # keys only in keywords
    body: set[str] = field(default_factory=set)  # keys found only in the answer body

    def tier(self, key: str) -> float:
        """How much a query word says about this entry, by where the entry has it."""
        if key in self.keys:
            return 1.0
        return KEYWORD_WEIGHT if key in self.keyword_keys else BODY_WEIGHT


@dataclass(frozen=True, slots=True)
class _QueryToken:
    weight: float  # idf, lowered for synonym shadows
    matches: dict[str, float]  # index key -> match quality (1 exact, < 1 typo)


class SearchIndex:
    """Immutable after construction; build a new one to reload knowledge."""

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        started = time.perf_counter()
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.synonyms = SynonymMap(kb.synonyms)
        self._docs: list[_Doc] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        raw_words: set[str] = set(STOP_WORDS)
        for entry in kb.entries.values():
            for text in entry.texts.values():
                doc = self._doc(entry.id, text, raw_words)
                doc_id = len(self._docs)
                self._docs.append(doc)
                for key in doc.keys | doc.keyword_keys | doc.body:
                    self._postings[key].append(doc_id)
        for group in kb.synonyms:
            for term in group:
                raw_words.update(tokens(term))
        total = max(len(self._docs), 1)
        self._idf = {k: math.log(1 + total / len(p)) for k, p in self._postings.items()}
        for key in self._idf:  # the exact wording of a synonym weighs a share of its group
            if key[0] == SHADOW_PREFIX:
                self._idf[key] = SHADOW_WEIGHT * self._idf.get(shadow_group(key), 0.0)
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + total)
        self._known_forms = {v for word in raw_words for v in query_variants(word)}
        self._typos = TypoIndex(raw_words)
        self.build_seconds = time.perf_counter() - started

    def _doc(self, entry_id: str, text: EntryText, raw_words: set[str]) -> _Doc:
        doc = _Doc(entry_id, text.lang)
        fields = [(text.title, 1.0)] + [(q, 1.0) for q in text.questions]
        fields += [(k, KEYWORD_WEIGHT) for k in text.keywords]
        for phrase, weight in fields:
            raw = tokens(phrase)
            raw_words.update(raw)
            keys = tuple(dict.fromkeys(self._keys(raw, text.lang)))
            if keys:
                doc.phrases.append((keys, weight))
                (doc.keys if weight == 1.0 else doc.keyword_keys).update(keys)
        doc.keyword_keys -= doc.keys
        raw = tokens(to_plain_text(text.body))
        raw_words.update(raw)
        doc.body = set(self._keys(raw, text.lang)) - doc.keys - doc.keyword_keys
        return doc

    @property
    def size(self) -> int:
        return len(self.kb.entries)

    def _content(self, raw: list[str]) -> list[str]:
        """Synonym terms collapsed (with shadows), stop words dropped."""
        return [t for t in self.synonyms.apply(raw, shadows=True) if not is_stop_word(t)]

    def _keys(self, raw: list[str], lang: str) -> list[str]:
        return [stem(t, lang) for t in self._content(raw)]

    def _query_tokens(self, text: str) -> list[_QueryToken]:
        raw = tokens(text)
        quality: dict[str, float] = {}
        for i, tok in enumerate(raw):
            if is_stop_word(tok) or query_variants(tok) & self._known_forms:
                continue
            corrections = self._typos.corrections(tok)
            if corrections:  # a misspelt stop word is corrected, then dropped like one
                word, similarity = corrections[0]
                raw[i] = word
                quality[word] = min(quality.get(word, 1.0), TYPO_DISCOUNT * similarity)
        out = []
        for tok in dict.fromkeys(self._content(raw)):  # unique, in order
            q = quality.get(tok, 1.0)
            found = {v: q for v in query_variants(tok) if v in self._postings}
            if found:
                weight = max(self._idf[k] for k in found)
            elif tok[0] == SHADOW_PREFIX:
                weight = SHADOW_WEIGHT * self._idf.get(shadow_group(tok), self._unknown_idf)
            else:
                weight = self._unknown_idf
            out.append(_QueryToken(weight, found))
        return out

    def search(self, question: str, lang: str = DEFAULT_LANG, limit: int = 5) -> SearchResult:
        query = self._query_tokens(question[:MAX_QUERY_CHARS])
        total_weight = sum(q.weight for q in query)
        if not query or total_weight == 0:
            return SearchResult(question, lang, NO_MATCH, ())
        # Pass 1: coverage of the query per document, from the postings.
        coverage: dict[int, float] = defaultdict(float)
        docs = self._docs
        for q in query:
            best_per_doc: dict[int, float] = {}
            for key, quality in q.matches.items():
                for doc_id in self._postings[key]:
                    value = quality * docs[doc_id].tier(key)
                    if value > best_per_doc.get(doc_id, 0.0):
                        best_per_doc[doc_id] = value
            for doc_id, value in best_per_doc.items():
                coverage[doc_id] += q.weight * value
        if not coverage:
            return SearchResult(question, lang, NO_MATCH, ())
        ranked = sorted(coverage, key=coverage.__getitem__, reverse=True)[:MAX_CANDIDATES]
        # Pass 2: finer scores for the best candidates only; keep the best document per entry.
        query_text = " ".join(min(q.matches, key=len) if q.matches else "?" for q in query)
        best: dict[str, tuple[float, str]] = {}
        for doc_id in ranked:
            doc = docs[doc_id]
            score = self._score(doc, query, total_weight, coverage[doc_id] / total_weight,
                                query_text)
            if doc.lang == lang:
                score = min(1.0, score + 0.01)  # prefer the user's language on ties
            if score > best.get(doc.entry_id, (0.0, ""))[0]:
                best[doc.entry_id] = (score, doc.lang)
        matches = sorted(
            (Match(eid, self.kb.entries[eid].text(lang).title, round(s, 4), dl)
             for eid, (s, dl) in best.items()),
            key=lambda m: (-m.score, m.id),
        )
        status = self._status(matches)
        suggestions: tuple[Match, ...] = ()
        if status == AMBIGUOUS:
            floor = max(self.thresholds.suggest, matches[0].score - self.thresholds.suggest_window)
            suggestions = tuple(m for m in matches[:3] if m.score >= floor)
        return SearchResult(question, lang, status, tuple(matches[:limit]), suggestions)

    def _score(self, doc: _Doc, query: list[_QueryToken], total_weight: float,
               coverage: float, query_text: str) -> float:
        best_phrase = 0.0
        best_fuzzy = 0.0
        idf = self._idf
        for keys, field_weight in doc.phrases:
            hit = sum(q.weight * max((v for k, v in q.matches.items() if k in keys), default=0.0)
                      for q in query)
            if hit == 0:
                continue
            recall = hit / total_weight
            phrase_weight = sum(idf.get(k, 0.0) for k in keys)
            covered = sum(idf.get(k, 0.0) for k in keys if any(k in q.matches for q in query))
            precision = covered / phrase_weight if phrase_weight else 0.0
            f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
            best_phrase = max(best_phrase, f1 * field_weight)
            fuzzy = fuzz.token_sort_ratio(query_text, " ".join(keys)) / 100
            best_fuzzy = max(best_fuzzy, fuzzy * field_weight)
        return W_COVERAGE * coverage + W_PHRASE * best_phrase + W_FUZZY * best_fuzzy

    def _status(self, matches: list[Match]) -> str:
        t = self.thresholds
        if not matches or matches[0].score < t.suggest:
            return NO_MATCH
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        if matches[0].score >= t.answer and matches[0].score - runner_up >= t.margin:
            return ANSWERED
        return AMBIGUOUS
