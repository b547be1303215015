"""German verb forms that the Snowball stemmer leaves apart from their nouns.

Snowball's German stemmer strips noun and adjective endings, but chat questions use verbs
("was wird gefördert", "wer steuert die S3", "wie wählt man") where the knowledge uses nouns
("Förderung", "Steuerung", "Auswahl"), and several of those forms keep stems of their own:
fördern → "ford" but fördert → "fordert", gefördert → "gefordert", Förderung → "forder".
`refine` brings them together, on the knowledge and the query side alike:

- a participle's "ge" goes, at the start or after a separable prefix ("gefördert",
  "umgesetzt", "ausgewählt"), when the stem ends in "t" and four letters are left;
- "-ert" goes (fördert, finanziert → as fördern, finanzieren), and "-t" after "z" or "l"
  (unterstützt, wählt → as unterstützen, wählen);
- the "-er" that Snowball leaves before "-ung" goes (Förderung, Änderung → as fördern, ändern).

Each rule is narrow on purpose: a broad "-t" or "-er" rule merges unrelated words
(unternehmerisch with Unternehmen, Stresstest with Stress), and a rule that merges two words
merges them for every entry.
"""

from __future__ import annotations

# Separable verb prefixes, after which a participle puts its "ge" (um-ge-setzt); "" first.
_SEPARABLE = ("", "ab", "an", "auf", "aus", "bei", "dar", "durch", "ein", "fest", "her", "hin",
              "mit", "nach", "uber", "um", "unter", "vor", "weg", "weiter", "wieder", "zu",
              "zuruck", "zusammen")
_MIN_REST = 4  # letters left after a "ge" is taken out
_ERT_NOUNS = ("expert", "konzert", "wert")  # nouns, not verbs: Experte, Konzert, Mehrwert


def without_ge(word: str) -> str | None:
    """The word less the "ge" of a participle-shaped word ending in "t", if it has one."""
    if len(word) < 7 or word[-1] != "t":
        return None
    for prefix in _SEPARABLE:
        at = len(prefix)
        if word.startswith("ge", at) and word.startswith(prefix) and len(word) - at - 2 >= _MIN_REST:
            return prefix + word[at + 2:]
    return None


def refine(stem: str, word: str) -> str:
    """A Snowball German stem of `word` with the verb forms above brought to their family's."""
    stem = without_ge(stem) or stem
    if stem.endswith("ert") and len(stem) >= 6 and not stem.endswith(_ERT_NOUNS):
        return stem[:-3]
    if stem.endswith(("zt", "lt")) and len(stem) >= 5:  # (Inhalt and Inhalte alike)
        return stem[:-1]
    if stem.endswith("er") and word.endswith(("erung", "erungen")) and len(stem) >= 5:
        return stem[:-2]
    return stem
