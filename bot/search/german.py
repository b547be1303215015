"""German verb forms that the Snowball stemmer leaves apart from their nouns.

Snowball's German stemmer strips noun and adjective endings, but chat questions use verbs
("was wird gefördert", "wer überwacht die S3", "wie wählt man") where the knowledge uses
nouns ("Förderung", "Überwachung", "Wahl"), and several of those forms keep stems of their
own: fördern → "ford" but fördert → "fordert", gefördert → "gefordert", Förderung → "forder".
`refine` brings them together, on the knowledge and the query side alike:

- a participle's "ge" goes, at the start or after a separable prefix ("gefördert",
  "gegründet", "umgesetzt", "ausgewählt"), when four letters are left; a few nouns and
  adjectives that merely start with "ge" keep it ("Gebiet", "Gericht", "gerecht");
- "-ert" goes (fördert, finanziert → as fördern, finanzieren), except in a few nouns;
- a final "-t" after a consonant other than "s" goes (überwacht, stärkt, erreicht → as
  überwachen, stärken, erreichen; Projekt and Projekte alike), "-zt" and "-lt" already from
  five letters (wählt → as wählen); "-st" stays (Stresstest is not Stress);
- "-ung" goes where Snowball leaves it on a short stem (Gründung, Leitung → as gründen, leiten);
- the "-er" that Snowball leaves before "-ung" goes (Förderung, Steuerung → as fördern,
  steuern) where four letters are left (Änderung is not "andere").

A rule that merges two words merges them for every entry, so each is kept narrow; verbs that
themselves start with "ge" (gewähren, genehmigen) are also looked up without the rule on the
query side (see `normalize.variants`).
"""

from __future__ import annotations

# Separable verb prefixes, after which a participle puts its "ge" (um-ge-setzt); "" first.
_SEPARABLE = ("", "ab", "an", "auf", "aus", "bei", "dar", "durch", "ein", "fest", "her", "hin",
              "mit", "nach", "uber", "um", "unter", "vor", "weg", "weiter", "wieder", "zu",
              "zuruck", "zusammen")
GE_WITHIN = max(map(len, _SEPARABLE)) + 2  # a participle's "ge" ends within these letters
_MIN_REST = 4  # letters of the stem left after a "ge" is taken out
_GE_WORDS = ("gebiet", "gedicht", "gehalt", "gericht", "gerecht", "gesamt", "geschicht",
             "gesicht", "gewalt", "gewicht")  # not participles
_ERT_NOUNS = ("expert", "konzert", "wert")  # nouns, not verbs: Experte, Konzert, Mehrwert
_PARTICIPLE_ENDS = ("t", "te", "ten", "ter", "tes", "tem")
_CONSONANTS = frozenset("bcdfghjklmnpqrtvwxz")  # not "s": Stresstest is not Stress


def ge_position(word: str) -> int | None:
    """Where a participle's "ge" would sit in the word (0, or after a separable prefix)."""
    if "ge" not in word[:GE_WITHIN]:  # most words, told apart in C: this runs for every word
        return None
    for prefix in _SEPARABLE:
        at = len(prefix)
        if word.startswith(prefix) and word.startswith("ge", at) and len(word) - at - 2 >= _MIN_REST:
            return at
    return None


def _without_ge(stem: str, word: str) -> str:
    at = ge_position(stem)
    if at is None or stem.startswith(_GE_WORDS, at):
        return stem
    if stem.endswith("t") or word.endswith(_PARTICIPLE_ENDS):  # gefördert(e), gegründet
        return stem[:at] + stem[at + 2:]
    return stem


def refine(stem: str, word: str, *, participles: bool = True) -> str:
    """A Snowball German stem of `word` with the verb forms above brought to their family's."""
    if participles:
        stem = _without_ge(stem, word)
    if stem.endswith("ert") and len(stem) >= 7 and not stem.endswith(_ERT_NOUNS):
        return stem[:-3]
    if len(stem) >= 5 and stem.endswith(("zt", "lt")):
        return stem[:-1]
    if len(stem) >= 6 and stem[-1] == "t" and stem[-2] in _CONSONANTS:
        return stem[:-1]
    if len(stem) >= 7 and stem.endswith("ung"):  # short stems Snowball leaves: Gründung, Leitung
        return stem[:-3]
    if len(stem) >= 6 and stem.endswith("er") and word.endswith(("erung", "erungen", "erungs")):
        return stem[:-2]
    return stem
