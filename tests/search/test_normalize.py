"""Tokens: the fast path gives exactly the tokens of the folded text, whatever the characters."""

import random
import re
import sys

from bot.search import normalize
from bot.search.normalize import fold, tokens


def reference(text: str) -> list[str]:
    return re.findall("[a-z0-9]+", fold(text))


def test_accents_case_and_special_letters_fold():
    assert tokens("Straße der Öffentlichkeit, l'ÉCOLE ŁÓDŹ Æther") == [
        "strasse", "der", "offentlichkeit", "l", "ecole", "lodz", "aether"]
    assert tokens("e\u0301te\u0301 ² 𝟙𝟚 №5 ㎏") == ["ete", "2", "12", "no5", "kg"]
    assert tokens("") == [] and tokens(" \n\t—…") == []


def test_every_character_in_every_position_tokenises_like_the_folded_text():
    # Folding one run of non-ASCII characters at a time is only right if folding works
    # character by character; check every character of the first planes around letters,
    # accents and digits, and a sample of the rest.
    rng = random.Random(5)
    characters = [chr(c) for c in range(0x3400)] + [chr(c) for c in range(0xF900, 0x10000)]
    characters += [chr(rng.randrange(0x10000, sys.maxunicode + 1)) for _ in range(2000)]
    for ch in characters:
        for text in (f"a{ch}b", f"É{ch}1", f"{ch}\u0301x", f"x{ch}{ch}ß"):
            assert tokens(text) == reference(text), (hex(ord(ch)), text)


def test_random_mixed_texts_tokenise_like_the_folded_text():
    rng = random.Random(11)
    pool = [chr(c) for c in range(0x20, 0x250)] + list("\u0301\u0308\u200b\ufeff𝐀ﬁ") + [" "] * 40
    for _ in range(5000):
        text = "".join(rng.choices(pool, k=rng.randint(1, 30)))
        assert tokens(text) == reference(text), text


def test_a_lone_surrogate_is_a_separator_not_an_error():
    assert tokens("ab\ud800cd") == ["ab", "cd"]


def test_long_runs_of_other_scripts_are_not_remembered():
    normalize._folded_ascii.cache_clear()
    assert tokens("日本語のテキスト" * 60 + " cluster") == ["cluster"]
    assert tokens("\ufdfa" * 499 + "x") == ["x"]  # (each one folds to 18 Arabic letters)
    assert normalize._folded_ascii.cache_info().currsize == 0
    assert tokens("Wie lange dauert die Förderung?") == ["wie", "lange", "dauert", "die", "forderung"]
    assert normalize._folded_ascii.cache_info().currsize == 1  # a short accented run is remembered
