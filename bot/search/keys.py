"""Index keys for the texts of a build: stems, with synonym terms collapsed.

A build turns every word of every entry into its key, so this is the hot path of a large
knowledge base. Each language keeps a cache of word -> key ("" for a stop word) and the set of
words a synonym term may start with; only those few words go through the synonym matcher.
An answer body needs only how often each key occurs, not the order, so it is counted with
C-level look-ups over all its words, and then corrected where a synonym term occurs.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from bot.search.normalize import is_stop_word, stem_many
from bot.search.synonyms import SynonymMap


class KeyMaker:
    def __init__(self, synonyms: SynonymMap) -> None:
        self._synonyms = synonyms
        self._key_of: dict[str, dict[str, str]] = defaultdict(dict)  # lang -> word -> key
        self._starters: dict[str, set[str]] = defaultdict(set)  # lang -> words a term may start with
        self._known: dict[str, set[str]] = defaultdict(set)  # lang -> the words of key_of

    def _learn(self, words: set[str], lang: str) -> None:
        known = self._known[lang]
        if new := words - known:
            key_of, starters = self._key_of[lang], self._starters[lang]
            words_in_order = list(new)
            for word, key in zip(words_in_order, stem_many(words_in_order, lang), strict=True):
                key_of[word] = "" if is_stop_word(word) else key
                if self._synonyms.may_start(word):
                    starters.add(word)
            known |= new

    def keys(self, raw: list[str], lang: str) -> list[str]:
        """The keys of a short text (title, question, keyword) in order; stop words dropped."""
        self._learn(set(raw), lang)
        key_of, starters, synonyms = self._key_of[lang], self._starters[lang], self._synonyms
        keys: list[str] = []
        i, n = 0, len(raw)
        while i < n:
            tok = raw[i]
            if tok in starters and (found := synonyms.match(raw, i)) is not None:
                keys += (found[1], synonyms.shadow(found[1], raw[i : i + found[0]]))
                i += found[0]
                continue
            if key := key_of[tok]:
                keys.append(key)
            i += 1
        return keys

    def counts(self, raw: list[str], lang: str, seen: set[str]) -> Counter[str]:
        """How often each key occurs in a long text: Counter(keys(raw, lang)), only faster.

        Adds the text's distinct words to `seen`.
        """
        distinct = set(raw)
        seen.update(distinct)
        self._learn(distinct, lang)
        counts = Counter(map(self._key_of[lang].__getitem__, raw))
        counts.pop("", None)
        if here := distinct & self._starters[lang]:
            self._count_terms(raw, here, self._key_of[lang], counts)
        return counts

    def _count_terms(self, raw: list[str], starters: set[str], key_of: dict[str, str],
                     counts: Counter[str]) -> None:
        """Move the words of each synonym term occurrence to its canonical and shadow keys."""
        synonyms = self._synonyms
        taken_until = 0
        for i in [i for i, tok in enumerate(raw) if tok in starters]:
            if i < taken_until or (found := synonyms.match(raw, i)) is None:
                continue
            taken_until = i + found[0]
            for word in raw[i:taken_until]:
                if key := key_of[word]:
                    counts[key] -= 1
                    if not counts[key]:  # the term took over every use of the word
                        del counts[key]
            counts[found[1]] += 1
            counts[synonyms.shadow(found[1], raw[i:taken_until])] += 1
