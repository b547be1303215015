"""The answer engine: a long-lived index over every entry's title, questions and keywords.

How a query is scored (all parts in [0, 1]):
- Tokens are folded, synonym groups collapse to one token, stop words go, and each remaining
  token is looked up in every language's stemmed form; unknown words of four letters or more
  may be read as a typo of a known word, at a discount.
- Documents (one per entry and language) and their phrasings (title, questions, keywords) are
  reached through compact inverted indexes (postings.py), so the cost follows the query's
  words, not the size of the knowledge base; a very common word is read only down to its
  strongest documents.
- `coverage`: how much of the query (weighted by rarity, idf) the document explains; a word
  counts fully in the title or a question, less in keywords, less again in the body (a little
  more when the body keeps coming back to it, BM25-style). Words
  that no entry knows weigh fully, so "pasta recipe with clusters" does not look like a
  cluster question.
- `phrase`: the best single phrasing of the entry, balancing how much of the query it covers
  and how much of the phrasing the query covers (an F-measure).
- `fuzzy`: rapidfuzz similarity of the stemmed query with the best phrasing, for word order
  and near-misses; computed for the best candidates only.
The thresholds in `Thresholds` turn the best scores into answered / ambiguous / no_match; a
confident answer also needs a clear margin over the runner-up, because a wrong confident
answer costs more than an honest "I don't know".
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.knowledge.markdown import to_plain_text
from bot.knowledge.model import DEFAULT_LANG, EntryText, KnowledgeBase
from bot.search.normalize import is_stop_word, query_variants, stem, tokens
from bot.search.postings import BODY, KEYWORD, KEYWORD_WEIGHT, TITLE, PhrasePostings, Postings
from bot.search.results import NO_MATCH, Match, SearchResult, Thresholds, decide
from bot.search.stopwords import STOP_WORDS
from bot.search.synonyms import SHADOW_PREFIX, SynonymMap, shadow_group
from bot.search.typos import TypoIndex

TYPO_DISCOUNT = 0.85
MAX_CANDIDATES = 40
MAX_QUERY_CHARS = 500
MAX_POSTINGS = 2000  # documents read per query word; common words are read strongest first
SHADOW_WEIGHT = 0.25  # the exact wording of a synonym, on top of its group
UNKNOWN_WEIGHT = 1.0  # a word no entry knows, relative to the rarest known word
SHORT_UNKNOWN_WEIGHT = 0.3  # ... unless it is one or two letters: a particle, not a topic
W_COVERAGE, W_PHRASE, W_FUZZY = 0.5, 0.35, 0.15


@dataclass(slots=True)
class _Phrase:
    doc: int
    keys: tuple[str, ...]
    weight: float  # 1 for the title and questions, KEYWORD_WEIGHT for keywords
    text: str  # the keys joined, for fuzzy comparison
    idf: float = 0.0  # total weight of its keys


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
        self._doc_entry: list[str] = []
        self._doc_lang: list[str] = []
        self._doc_phrases: list[range] = []
        self._phrases: list[_Phrase] = []
        self._postings = Postings(sort_above=MAX_POSTINGS)
        self._phrase_postings = PhrasePostings()
        self._raw_words: set[str] = set(STOP_WORDS)  # every word the knowledge uses
        phrase_words: set[str] = set(STOP_WORDS)  # the words typos are corrected to
        key_cache: dict[str, dict[str, tuple[str, bool]]] = defaultdict(dict)  # lang -> word -> key
        for entry in kb.entries.values():
            for text in entry.texts.values():
                self._add_doc(entry.id, text, phrase_words, key_cache[text.lang])
        for group in kb.synonyms:
            for term in group:
                phrase_words.update(tokens(term))
        self._raw_words |= phrase_words
        self._postings.freeze()
        self._phrase_postings.freeze()
        total = max(len(self._doc_entry), 1)
        lists = self._postings.lists
        self._idf = {k: math.log(1 + total / len(p[0])) for k, p in lists.items()}
        for key in self._idf:  # the exact wording of a synonym weighs a share of its group
            if key[0] == SHADOW_PREFIX:
                self._idf[key] = SHADOW_WEIGHT * self._idf.get(shadow_group(key), 0.0)
        for phrase in self._phrases:
            phrase.idf = sum(self._idf[k] for k in phrase.keys)
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + total)
        self._typos = TypoIndex(phrase_words)
        self.build_seconds = time.perf_counter() - started

    def _add_doc(self, entry_id: str, text: EntryText, phrase_words: set[str],
                 cache: dict[str, tuple[str, bool]]) -> None:
        doc_id = len(self._doc_entry)
        self._doc_entry.append(entry_id)
        self._doc_lang.append(text.lang)
        first = len(self._phrases)
        tiers: dict[str, int] = {}
        counts: Counter[str] = Counter()
        fields = [(text.title, 1.0)] + [(q, 1.0) for q in text.questions]
        fields += [(k, KEYWORD_WEIGHT) for k in text.keywords]
        for phrase, weight in fields:
            raw = tokens(phrase)
            phrase_words.update(raw)
            all_keys = self._text_keys(raw, text.lang, cache)
            counts.update(all_keys)
            keys = tuple(dict.fromkeys(all_keys))
            if not keys:
                continue
            tier = TITLE if weight == 1.0 else KEYWORD
            for key in keys:
                if tiers.get(key, BODY) > tier:
                    tiers[key] = tier
            self._phrase_postings.add(len(self._phrases), keys)
            self._phrases.append(_Phrase(doc_id, keys, weight, " ".join(keys)))
        raw = tokens(to_plain_text(text.body))
        self._raw_words.update(raw)
        body_keys = self._text_keys(raw, text.lang, cache)
        counts.update(body_keys)
        for key in body_keys:
            tiers.setdefault(key, BODY)
        self._doc_phrases.append(range(first, len(self._phrases)))
        self._postings.add(doc_id, tiers, counts)

    @property
    def size(self) -> int:
        return len(self.kb.entries)

    def _content(self, raw: list[str]) -> list[str]:
        """Synonym terms collapsed (with shadows), stop words dropped."""
        return [t for t in self.synonyms.apply(raw, shadows=True) if not is_stop_word(t)]

    def _keys(self, raw: list[str], lang: str) -> list[str]:
        return [stem(t, lang) for t in self._content(raw)]

    def _text_keys(self, raw: list[str], lang: str, cache: dict[str, tuple[str, bool]]) -> list[str]:
        """`_keys` for a build, one dictionary look-up per ordinary word.

        The cache holds each word's key ("" for a stop word) and whether a synonym term may
        start with it; only those few words go through the synonym matcher.
        """
        keys: list[str] = []
        synonyms = self.synonyms
        i, n = 0, len(raw)
        while i < n:
            tok = raw[i]
            info = cache.get(tok)
            if info is None:
                info = cache[tok] = ("" if is_stop_word(tok) else stem(tok, lang),
                                     synonyms.may_start(tok))
            if info[1] and (found := synonyms.match(raw, i)) is not None:
                keys += (found[1], synonyms.shadow(found[1], raw[i : i + found[0]]))
                i += found[0]
                continue
            if info[0]:
                keys.append(info[0])
            i += 1
        return keys

    def signature(self, text: str, lang: str) -> frozenset[str]:
        """The set of index keys a text comes down to; equal sets match the same entries."""
        return frozenset(self._keys(tokens(text), lang))

    def _is_known(self, token: str) -> bool:
        return token in self._raw_words or any(v in self._postings for v in query_variants(token))

    def _query_tokens(self, text: str) -> list[_QueryToken]:
        raw = tokens(text)
        quality: dict[str, float] = {}
        for i, tok in enumerate(raw):
            if is_stop_word(tok) or self._is_known(tok):
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
            elif len(tok) <= 2:
                weight = SHORT_UNKNOWN_WEIGHT * self._unknown_idf
            else:
                weight = self._unknown_idf
            out.append(_QueryToken(weight, found))
        return out

    def search(self, question: str, lang: str = DEFAULT_LANG, limit: int = 5) -> SearchResult:
        query = self._query_tokens(question[:MAX_QUERY_CHARS])
        total = sum(q.weight for q in query)
        if not query or total == 0 or not any(q.matches for q in query):
            return SearchResult(question, lang, NO_MATCH, ())
        coverage = self._coverage(query)
        phrase_scores = self._phrase_scores(query, total)
        partial: dict[int, float] = {}
        for doc_id, value in coverage.items():
            partial[doc_id] = W_COVERAGE * value / total + W_PHRASE * phrase_scores.get(
                doc_id, (0.0, False))[0]
        ranked = sorted(partial, key=partial.__getitem__, reverse=True)[:MAX_CANDIDATES]
        query_text = " ".join(min(q.matches, key=len) if q.matches else "?" for q in query)
        best: dict[str, tuple[float, str, bool]] = {}
        phrases = self._phrases
        for doc_id in ranked:
            fuzzy = max((fuzz.token_sort_ratio(query_text, phrases[p].text) / 100
                         * phrases[p].weight for p in self._doc_phrases[doc_id]), default=0.0)
            score = partial[doc_id] + W_FUZZY * fuzzy
            doc_lang = self._doc_lang[doc_id]
            if doc_lang == lang:
                score += 0.01  # prefer the user's language on ties (capped below)
            exact = phrase_scores.get(doc_id, (0.0, False))[1]
            entry_id = self._doc_entry[doc_id]
            if score > best.get(entry_id, (0.0, "", False))[0]:
                best[entry_id] = (score, doc_lang, exact)
        matches = sorted(
            (Match(eid, self.kb.entries[eid].text(lang).title, round(min(s, 1.0), 4), dl, exact)
             for eid, (s, dl, exact) in best.items()),
            key=lambda m: (-m.score, m.id),
        )
        status, suggestions = decide(matches, self.thresholds)
        return SearchResult(question, lang, status, tuple(matches[:limit]), suggestions)

    def _coverage(self, query: list[_QueryToken]) -> dict[int, float]:
        """Per document: the query weight it explains, each word by where the document has it."""
        coverage: dict[int, float] = defaultdict(float)
        lists = self._postings.lists
        for q in query:
            best_per_doc: dict[int, float] = {}
            for key, quality in q.matches.items():
                docs, strengths, _ = lists[key]
                for doc_id, strength in zip(docs[:MAX_POSTINGS], strengths[:MAX_POSTINGS], strict=True):
                    value = quality * strength
                    if value > best_per_doc.get(doc_id, 0.0):
                        best_per_doc[doc_id] = value
            for doc_id, value in best_per_doc.items():
                coverage[doc_id] += q.weight * value
        return coverage

    def _phrase_scores(self, query: list[_QueryToken], total: float) -> dict[int, tuple[float, bool]]:
        """Per document: its best phrasing's F-measure, and whether one matched exactly."""
        hit: dict[int, float] = defaultdict(float)
        for q in query:
            best_in_phrase: dict[int, float] = {}
            for key, quality in q.matches.items():
                for pid in self._phrase_postings.get(key):
                    if quality > best_in_phrase.get(pid, 0.0):
                        best_in_phrase[pid] = quality
            for pid, quality in best_in_phrase.items():
                hit[pid] += q.weight * quality
        matched_keys = {k for q in query for k in q.matches}
        covered: dict[int, float] = defaultdict(float)
        for key in matched_keys:
            for pid in self._phrase_postings.get(key):
                covered[pid] += self._idf[key]
        best: dict[int, tuple[float, bool]] = {}
        for pid, value in hit.items():
            phrase = self._phrases[pid]
            recall = value / total
            precision = covered[pid] / phrase.idf if phrase.idf else 0.0
            f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
            exact = f1 > 0.999 and phrase.weight == 1.0
            weighted = f1 * phrase.weight
            current = best.get(phrase.doc, (0.0, False))
            best[phrase.doc] = (max(current[0], weighted), current[1] or exact)
        return best
