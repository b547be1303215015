"""Unknown query words: a typo of a known word, or a compound of known words.

A word the index does not know is first compared with the known words (typos.py); a close
match (`SURE_TYPO`) is taken as a typo. Otherwise it may be a compound: German (and Slovenian
and Dutch, less often) writes a new idea as one long word, and chat users coin compounds the
knowledge never used ("Clusterförderung" asked, "Cluster" and "Förderung" known). The word
is read as a compound when it splits into two known words (the tail itself may be a
compound), with the linking "s" of German between them ("Innovations|gutschein"). Parts are
at least five letters, so short words inside long ones ("rede" in "redesigning") never make a
split, and the longest known head wins, as German puts the main word last. Failing both, a
looser typo correction is taken, if any.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.search.stopwords import STOP_WORDS
from bot.search.typos import TypoIndex

TYPO_DISCOUNT = 0.85  # a corrected word counts this much (times its similarity)
SURE_TYPO = 0.9  # a correction this close is preferred to reading the word as a compound
COMPOUND_DISCOUNT = 0.9  # the parts of a word read as a compound count a little less
MIN_PART = 5
MIN_COMPOUND = 2 * MIN_PART
MAX_COMPOUND = 60  # longer "words" are pasted junk: not worth the look-ups


def read_unknown(word: str, typos: TypoIndex,
                 is_known: Callable[[str], bool]) -> list[tuple[str, float]]:
    """The known words an unknown word stands for, each with its match quality; [] if none."""
    found = typos.corrections(word)[:1]
    if not (found and found[0][1] >= SURE_TYPO) and (parts := split_compound(word, is_known)):
        return [(part, COMPOUND_DISCOUNT) for part in parts]
    return [(known, TYPO_DISCOUNT * similarity) for known, similarity in found]


def split_compound(word: str, is_known: Callable[[str], bool]) -> list[str] | None:
    """The known words an unknown word is made of, or None."""
    if not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not word.isalpha():
        return None
    return _split(word, is_known, {})


def _split(word: str, is_known: Callable[[str], bool],
           seen: dict[str, list[str] | None]) -> list[str] | None:
    """`split_compound` with the splits of every tail tried so far (each tail is tried once,
    so the cost grows with the square of the length, not exponentially)."""
    if word in seen:
        return seen[word]
    found = None
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        if tail in STOP_WORDS:
            continue
        tail_parts = [tail] if is_known(tail) else _split(tail, is_known, seen)
        if tail_parts is None:
            continue
        for first in (head, head[:-1] if head.endswith("s") and cut > MIN_PART else None):
            if first and first not in STOP_WORDS and is_known(first):
                found = [first, *tail_parts]
                break
        if found:
            break
    seen[word] = found
    return found
