"""The answer engine: a long-lived index over every entry's title, questions and keywords.

How a query is scored (all parts in [0, 1]):
- Tokens are folded, synonym groups collapse to one token, stop words go, and each remaining
  token is looked up in every language's stemmed form; an unknown word may be read as a typo
  of a known word or as a compound of known words, at a discount (compounds.py).
- Documents (one per entry and language) and their phrasings (title, questions, keywords) are
  reached through compact inverted indexes (postings.py), so the cost follows the query's
  words, not the size of the knowledge base; a very common word is read only down to its
  strongest documents.
- `coverage`: how much of the query (weighted by rarity, idf) the document explains; a word
  counts fully in the title or a question, less in keywords, less again in the body. Words
  that no entry knows weigh fully, so "pasta recipe with clusters" does not look like a
  cluster question.
- `phrase`: the best single phrasing of the entry, balancing how much of the query it covers
  and how much of the phrasing the query covers (an F-measure).
- `fuzzy`: rapidfuzz similarity of the stemmed query with the best phrasing, for word order
  and near-misses; computed for the best candidates only.
The thresholds in `Thresholds` turn the best scores into answered / ambiguous / no_match; a
confident answer also needs a clear margin over the runner-up, because a wrong confident
answer costs more than an honest "I don't know". A second, independent ranking (BM25 over each
document's whole text, which counts how often a text uses the query's words) serves as a
second opinion: when it puts the same entry first by a clear lead of its own, a lower score
and a smaller margin suffice. (Added to the score instead, BM25 made the ranking worse.)
"""

from __future__ import annotations

import math
import time
from array import array
from dataclasses import dataclass
from itertools import chain

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.model import DEFAULT_LANG, EntryText, KnowledgeBase
from bot.search.compounds import read_unknown
from bot.search.keys import KeyMaker
from bot.search.normalize import LANGUAGES, body_tokens, is_stop_word, query_variants, stem, tokens
from bot.search.postings import (
    BODY,
    KEYWORD,
    KEYWORD_WEIGHT,
    TITLE,
    PhrasePostings,
    Postings,
    collector_paused,
    idf_of_keys,
    top_positions,
)
from bot.search.results import Match, SearchResult, Thresholds, decide
from bot.search.stopwords import STOP_WORDS
from bot.search.synonyms import SHADOW_PREFIX, SynonymMap, carry_quality, shadow_group
from bot.search.typos import TypoIndex

MAX_CANDIDATES = 40
MAX_QUERY_CHARS = 500
MAX_POSTINGS = 2000  # documents read per query word; common words are read strongest first
SHADOW_WEIGHT = 0.25  # the exact wording of a synonym, on top of its group
UNKNOWN_WEIGHT = 1.0  # a word no entry knows, relative to the rarest known word
SHORT_UNKNOWN_WEIGHT = 0.3  # ... unless it is one or two letters: a particle, not a topic
W_COVERAGE, W_PHRASE, W_FUZZY = 0.5, 0.35, 0.15


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
        # The phrasings (title, questions, keywords) of every document, in parallel arrays
        # rather than an object each: a large build would leave the collector 100,000s to walk.
        self._phrase_doc = array("i")
        self._phrase_weight = array("d")  # 1 for the title and questions, KEYWORD_WEIGHT for keywords
        self._phrase_text: list[str] = []  # its keys joined by spaces, for fuzzy comparison
        self._phrase_idf = array("d")  # the total weight of its keys
        self._postings = Postings(sort_above=MAX_POSTINGS)
        self._phrase_postings = PhrasePostings()
        phrase_words: set[str] = set(STOP_WORDS)  # the words typos are corrected to
        key_maker = KeyMaker(self.synonyms)
        with collector_paused():
            for entry in kb.entries.values():
                for text in entry.texts.values():
                    self._add_doc(entry.id, text, phrase_words, key_maker)
            for group in kb.synonyms:
                for term in group:
                    phrase_words.update(tokens(term))
            self._raw_words = phrase_words | key_maker.words()  # every word the knowledge uses
            names = list(key_maker.key_ids)
            self._postings.freeze(names)
            total = max(len(self._doc_entry), 1)
            idf = idf_of_keys(self._postings.frequencies_by_id, total)
            for i, name in enumerate(names):  # the exact wording of a synonym: a share of its group
                if name[0] == SHADOW_PREFIX:
                    group = key_maker.key_ids.get(shadow_group(name))
                    idf[i] = SHADOW_WEIGHT * idf[group] if group is not None else 0.0
            used = np.flatnonzero(self._postings.frequencies_by_id).tolist()
            self._idf = dict(zip([names[i] for i in used], idf[used].tolist(), strict=True))
            self._phrase_idf = array("d", self._phrase_postings.totals(idf).tobytes())
            self._phrase_postings.freeze(names)
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + total)
        self._typos = TypoIndex(phrase_words)
        self.build_seconds = time.perf_counter() - started

    def _add_doc(self, entry_id: str, text: EntryText, phrase_words: set[str],
                 key_maker: KeyMaker) -> None:
        doc_id = len(self._doc_entry)
        lang = text.lang
        self._doc_entry.append(entry_id)
        self._doc_lang.append(lang)
        first = len(self._phrase_text)
        strong = [tokens(text.title), *map(tokens, text.questions)]  # weigh fully
        weak = list(map(tokens, text.keywords))  # weigh KEYWORD_WEIGHT
        body = body_tokens(text.body)
        phrase_words.update(*strong, *weak)
        key_maker.learn(chain(*strong, *weak), lang)  # (the body's words: by body_ids)
        key_id = key_maker.key_ids.__getitem__
        field_keys: list[str] = []  # every key use of the title, questions and keywords
        phrase_keys: list[str] = []  # the distinct keys of each phrasing, one after another
        phrase_sizes: list[int] = []
        texts, weights = self._phrase_text, self._phrase_weight
        strong_uses = 0
        for raws, weight in ((strong, 1.0), (weak, KEYWORD_WEIGHT)):
            for raw in raws:
                if all_keys := key_maker.learned_keys(raw, lang):
                    field_keys += all_keys
                    keys = list(dict.fromkeys(all_keys))
                    phrase_keys += keys
                    phrase_sizes.append(len(keys))
                    texts.append(" ".join(keys))  # keys hold no spaces
                    weights.append(weight)
            if weight == 1.0:
                strong_uses = len(field_keys)
        self._phrase_doc.extend([doc_id] * len(phrase_sizes))
        self._phrase_postings.add(first, map(key_id, phrase_keys), phrase_sizes)
        uses = list(map(key_id, field_keys))
        body_ids, taken = key_maker.body_ids(body, lang)
        uses += body_ids
        tiers = (array("b", (TITLE,)) * strong_uses + array("b", (KEYWORD,)) * (len(field_keys) - strong_uses)
                 + array("b", (BODY,)) * len(body_ids))
        self._doc_phrases.append(range(first, len(texts)))
        self._postings.add(array("i", uses), tiers, taken)

    @property
    def size(self) -> int:
        return len(self.kb.entries)

    def _content(self, raw: list[str]) -> list[str]:
        """Synonym terms collapsed (with shadows), stop words dropped."""
        return [t for t in self.synonyms.apply(raw, shadows=True) if not is_stop_word(t)]

    def signature(self, text: str, lang: str) -> frozenset[str]:
        """The set of index keys a text comes down to; equal sets match the same entries."""
        return frozenset(stem(t, lang) for t in self._content(tokens(text)))

    def _is_known(self, token: str) -> bool:
        return token in self._raw_words or any(v in self._postings for v in query_variants(token))

    def _query_tokens(self, text: str) -> list[_QueryToken]:
        raw: list[str] = []
        quality: dict[str, float] = {}
        for tok in tokens(text):
            if is_stop_word(tok) or self._is_known(tok):
                raw.append(tok)
                continue
            fixes = read_unknown(tok, self._typos, self._is_known)  # typo, compound, or neither
            raw += [word for word, _ in fixes] or [tok]  # (a misspelt stop word then drops out)
            for word, q in fixes:
                quality[word] = min(quality.get(word, 1.0), q)
        out, content = [], list(dict.fromkeys(self._content(raw)))  # unique, in order
        carry_quality(content, quality)
        for tok in content:
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
        matches, second_opinion = self.rank(question, lang)
        status, suggestions = decide(matches, self.thresholds, second_opinion)
        return SearchResult(question, lang, status, tuple(matches[:limit]), suggestions)

    def rank(self, question: str, lang: str = DEFAULT_LANG) -> tuple[list[Match], tuple[str, float]]:
        """Candidate entries, best first; and the whole-text BM25 ranking's first entry and lead."""
        query = self._query_tokens(question[:MAX_QUERY_CHARS])
        total = sum(q.weight for q in query)
        if not query or total == 0 or not any(q.matches for q in query):
            return [], ("", 0.0)
        coverage, bm25 = self._coverage(query)
        phrase_docs, phrase_values, phrase_exact = self._phrase_scores(query, total)
        partial = coverage * (W_COVERAGE / total)
        partial[phrase_docs] += W_PHRASE * phrase_values
        exact_docs = set(phrase_docs[phrase_exact].tolist())
        ranked = top_positions(partial, MAX_CANDIDATES)
        partial_of = dict(zip(ranked, partial[ranked].tolist(), strict=True))
        query_text = " ".join(min(q.matches, key=len) if q.matches else "?" for q in query)
        best: dict[str, tuple[float, str, bool]] = {}
        for doc_id, fuzzy in zip(ranked, self._fuzzy(query_text, ranked), strict=True):
            score = partial_of[doc_id] + W_FUZZY * fuzzy
            doc_lang = self._doc_lang[doc_id]
            if doc_lang == lang:
                score += 0.01  # prefer the user's language on ties (capped below)
            exact = doc_id in exact_docs
            entry_id = self._doc_entry[doc_id]
            if score > best.get(entry_id, (0.0, "", False))[0]:
                best[entry_id] = (score, doc_lang, exact)
        matches = sorted(
            (Match(eid, self.kb.entries[eid].text(lang).title, round(min(s, 1.0), 4), dl, exact)
             for eid, (s, dl, exact) in best.items()),
            key=lambda m: (-m.score, m.id),
        )
        return matches, self._body_lead(bm25, total)

    def _fuzzy(self, query_text: str, docs: list[int]) -> list[float]:
        """Per document: rapidfuzz similarity of the query with its closest phrasing, in one C
        call; 0 for a document whose phrasings are all stop words (it ranks by its body)."""
        ranges = [self._doc_phrases[d] for d in docs]
        pids = [p for r in ranges for p in r]
        out = [0.0] * len(docs)
        if not pids:
            return out
        ratios = process.cdist([query_text], [self._phrase_text[p] for p in pids],
                               scorer=fuzz.token_sort_ratio, dtype=np.float64)[0]
        weighted = ratios * np.frombuffer(self._phrase_weight)[pids] / 100
        filled = [i for i, r in enumerate(ranges) if len(r)]
        starts = np.cumsum([0, *(len(ranges[i]) for i in filled[:-1])])
        for i, value in zip(filled, np.maximum.reduceat(weighted, starts).tolist(), strict=True):
            out[i] = value
        return out

    def _coverage(self, query: list[_QueryToken]) -> tuple[np.ndarray, np.ndarray]:
        """Per document: the query weight it explains, each word by where the document has it;
        and its BM25 score over the whole text (in the same units: a word's weight at most)."""
        coverage = np.zeros(len(self._doc_entry))
        bm25 = np.zeros(len(self._doc_entry))
        read = self._postings.read
        for q in query:
            if len(q.matches) == 1:  # most words: one index key, read straight in
                ((key, quality),) = q.matches.items()
                docs, strengths, saturations = read(key, MAX_POSTINGS)
                coverage[docs] += (q.weight * quality) * strengths
                bm25[docs] += (q.weight * quality) * saturations
                continue
            best = np.zeros(len(self._doc_entry))  # a word with several keys counts its best
            best_tf = np.zeros(len(self._doc_entry))
            for key, quality in q.matches.items():
                docs, strengths, saturations = read(key, MAX_POSTINGS)
                best[docs] = np.maximum(best[docs], quality * strengths)
                best_tf[docs] = np.maximum(best_tf[docs], quality * saturations)
            coverage += q.weight * best
            bm25 += q.weight * best_tf
        return coverage, bm25

    def _body_lead(self, bm25: np.ndarray, total: float) -> tuple[str, float]:
        """The entry whose whole text BM25 ranks first, and its lead over the next entry.

        BM25 weighs how often a text uses the query's words, which the field scores ignore, so
        when it picks the same entry on its own, that entry is more likely right.
        """
        best: dict[str, float] = {}
        top = top_positions(bm25, 2 * len(LANGUAGES))
        for doc_id, value in zip(top, bm25[top].tolist(), strict=True):
            best.setdefault(self._doc_entry[doc_id], value)  # an entry's best text comes first
        if not best:
            return "", 0.0
        values = list(best.values())
        return next(iter(best)), (values[0] - (values[1] if len(values) > 1 else 0.0)) / total

    def _phrase_scores(self, query: list[_QueryToken], total: float) -> tuple[np.ndarray, ...]:
        """The documents a phrasing reaches; each one's best phrasing F-measure; whether one
        of its phrasings matched exactly. Vectorised over phrasings: common words reach many."""
        n, get = len(self._phrase_text), self._phrase_postings.get
        hit, covered = np.zeros(n), np.zeros(n)
        for q in query:
            if len(q.matches) == 1:  # most words: one key, added straight in
                ((key, quality),) = q.matches.items()
                hit[np.frombuffer(get(key), dtype=np.int32)] += q.weight * quality
                continue
            best = np.zeros(n)  # a word with several keys counts its best in each phrasing
            for key, quality in q.matches.items():
                pids = np.frombuffer(get(key), dtype=np.int32)
                best[pids] = np.maximum(best[pids], quality)
            hit += q.weight * best
        for key in {k for q in query for k in q.matches}:
            covered[np.frombuffer(get(key), dtype=np.int32)] += self._idf[key]
        pids = np.flatnonzero(hit)
        recall = hit[pids] / total
        idf = np.frombuffer(self._phrase_idf)[pids]
        precision = np.divide(covered[pids], idf, out=np.zeros(len(pids)), where=idf > 0)
        f1 = np.divide(2 * recall * precision, recall + precision, out=np.zeros(len(pids)),
                       where=recall + precision > 0)
        weight = np.frombuffer(self._phrase_weight)[pids]
        docs, inverse = np.unique(np.frombuffer(self._phrase_doc, dtype=np.int32)[pids],
                                  return_inverse=True)
        values, exact = np.zeros(len(docs)), np.zeros(len(docs), dtype=bool)
        np.maximum.at(values, inverse, f1 * weight)
        np.logical_or.at(exact, inverse, (f1 > 0.999) & (weight == 1.0))
        return docs, values, exact
