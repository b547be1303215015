"""Index keys for the texts of a build: stems, with synonym terms collapsed.

A build turns every word of every entry into its key, so this is the hot path of a large
knowledge base. Each language keeps a map of word -> key ("" for a stop word) and of word ->
key id (-1), filled with all the new words of a text in one call into the stemmer; one set
holds the words a synonym term may start with (asked once per word, whatever the language),
and only those few words go through the synonym matcher. An answer body needs only how often
each key occurs, not the order, so its words become key ids with C-level look-ups, and the uses
a synonym term takes over are listed apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import compress, count, repeat

from bot.search.normalize import stem_many
from bot.search.stopwords import STOP_WORDS
from bot.search.synonyms import SynonymMap

_NEW = -2  # the id a word not yet learned looks up to (-1: a word with no key)


class KeyMaker:
    def __init__(self, synonyms: SynonymMap) -> None:
        self._synonyms = synonyms
        self.key_ids: dict[str, int] = {}  # every key made so far -> its id (ids in order)
        self._key_of: dict[str, dict[str, str]] = defaultdict(dict)  # lang -> word -> key
        self._id_of: dict[str, dict[str, int]] = defaultdict(dict)  # lang -> word -> key id
        self._words: set[str] = set()  # every word learned, in any language
        self._starters: set[str] = set()  # the words a synonym term may start with (any language)

    def learn(self, words: Iterable[str], lang: str) -> None:
        """Make the keys of the words not seen in this language before."""
        id_of = self._id_of[lang]
        self._learn_new({word for word in words if word not in id_of}, lang)

    def _learn_new(self, new: set[str], lang: str) -> None:
        if not new:
            return
        key_ids = self.key_ids
        words_in_order = list(new)
        keys = ["" if word in STOP_WORDS else key
                for word, key in zip(words_in_order, stem_many(words_in_order, lang), strict=True)]
        self._key_of[lang].update(zip(words_in_order, keys, strict=True))
        self._id_of[lang].update(zip(words_in_order, [key_ids.setdefault(key, len(key_ids)) if key else -1
                                                      for key in keys], strict=True))
        # Whether a term may start with a word does not depend on the language: ask once.
        if fresh := new.difference(self._words):
            self._words |= fresh
            self._starters.update(self._synonyms.starters(fresh))

    def words(self) -> set[str]:
        """Every word learned, in any language."""
        return set(self._words)

    def keys(self, raw: list[str], lang: str) -> list[str]:
        """The keys of a short text (title, question, keyword) in order; stop words dropped."""
        self.learn(set(raw), lang)
        return self.learned_keys(raw, lang)

    def learned_keys(self, raw: list[str], lang: str) -> list[str]:
        """`keys` of words already learned."""
        key_of, starters = self._key_of[lang], self._starters
        if starters.isdisjoint(raw):  # most texts: no synonym term, every word its own key
            return list(filter(None, map(key_of.__getitem__, raw)))
        synonyms = self._synonyms
        keys: list[str] = []
        i, n = 0, len(raw)
        while i < n:
            tok = raw[i]
            if tok in starters and (found := synonyms.match(raw, i)) is not None:
                term = (found[1], synonyms.shadow(found[1], raw[i : i + found[0]]))
                keys += term
                for key in term:
                    self.key_ids.setdefault(key, len(self.key_ids))
                i += found[0]
                continue
            if key := key_of[tok]:
                keys.append(key)
            i += 1
        return keys

    def body_ids(self, raw: list[str], lang: str) -> tuple[list[int], list[int]]:
        """The key ids of a long text, learning its new words: Counter(keys(raw, lang)) is the
        count of the ids (-1 aside) less the count of the second list, the uses that synonym
        terms take over (their canonical and shadow keys are at the end of the first list)."""
        id_of = self._id_of[lang]
        # Looked up first and learned only if a word is missing: a set of a long body's words
        # costs more than the look-ups, and in a large knowledge base most words are known.
        ids = list(map(id_of.get, raw, repeat(_NEW, len(raw))))
        if _NEW in ids:  # learn the missing words and fill in their places only
            missing = list(compress(count(), map(_NEW.__eq__, ids)))
            self._learn_new({raw[i] for i in missing}, lang)
            for i in missing:
                ids[i] = id_of[raw[i]]
        taken: list[int] = []
        if here := self._starters.intersection(raw):
            self._take_terms(raw, here, id_of, ids, taken)
        return ids, taken

    def _take_terms(self, raw: list[str], starters: set[str], id_of: dict[str, int],
                    ids: list[int], taken: list[int]) -> None:
        """Move the words of each synonym term occurrence to its canonical and shadow keys."""
        synonyms, key_ids = self._synonyms, self.key_ids
        taken_until = 0
        for i in _positions(raw, starters):
            if i < taken_until or (found := synonyms.match(raw, i)) is None:
                continue
            taken_until = i + found[0]
            taken += [key for key in map(id_of.__getitem__, raw[i:taken_until]) if key >= 0]
            for key in (found[1], synonyms.shadow(found[1], raw[i:taken_until])):
                ids.append(key_ids.setdefault(key, len(key_ids)))


def _positions(raw: list[str], words: set[str]) -> Iterator[int]:
    """Where the words occur in raw, in order (one C-level pass)."""
    return compress(count(), map(words.__contains__, raw))
