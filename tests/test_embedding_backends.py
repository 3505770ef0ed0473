"""Embedding backends: every one gives unit vectors close to the torch fp32 reference, the
ONNX export is built locally and reused, and the choice of backend is checked."""

from __future__ import annotations

import numpy as np
import pytest

import manysides.embedding as embedding
from conftest import seed_text
from manysides.errors import ModelError

SENTENCES = [*[s for s in seed_text("reuters").split("\n") if len(s.split()) > 6][:24], "Short.", "Kyiv"]
#: Minimum cosine to the torch fp32 vectors each backend must keep (bench.embeddings
#: measured min 1.0000 / 0.9999 / 0.980 on 2,000 news sentences).
CLOSE = {"onnx": 0.9999, "torch-bf16": 0.995, "onnx-int8": 0.95}


@pytest.mark.slow
@pytest.mark.parametrize("backend", sorted(CLOSE))
def test_embedding_backend_is_close_to_torch_fp32(backend: str) -> None:
    reference = embedding.load_embedder("all-MiniLM-L6-v2", "torch").encode(SENTENCES)
    found = embedding.load_embedder("all-MiniLM-L6-v2", backend).encode(SENTENCES)
    assert found.shape == reference.shape == (len(SENTENCES), 384) and found.dtype == np.float32
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-4)
    cosines = np.sum(found * reference, axis=1)
    assert cosines.min() >= CLOSE[backend], f"{backend}: min cosine {cosines.min():.4f}"


@pytest.mark.slow
def test_embedding_onnx_export_is_cached_and_order_free() -> None:
    path = embedding.model_path("all-MiniLM-L6-v2")
    first = embedding.build(path, quantized=False, quiet=True)
    stamp = first.stat().st_mtime_ns
    assert embedding.build(path, quantized=False, quiet=True) == first and first.stat().st_mtime_ns == stamp
    onnx = embedding.load_embedder("all-MiniLM-L6-v2", "onnx")
    together = onnx.encode(SENTENCES)
    alone = np.vstack([onnx.encode([s]) for s in SENTENCES[:5]])
    assert np.allclose(together[:5], alone, atol=1e-5)  # batching by length does not change a vector


def test_embedding_auto_takes_bf16_only_on_cpus_that_run_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "_native_bf16", lambda: True)
    assert embedding.resolve_backend("auto") == "torch-bf16"
    monkeypatch.setattr(embedding, "_native_bf16", lambda: False)
    assert embedding.resolve_backend("auto") == "onnx"
    assert embedding.resolve_backend("onnx-int8") == "onnx-int8"
    with pytest.raises(ModelError, match="choose auto or one of"):
        embedding.resolve_backend("gpu")
    with pytest.raises(ModelError, match="neither the packaged"):
        embedding.model_path("/no/such/model")


def test_embedding_nothing_to_embed_loads_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from manysides.nlp import Models
    from manysides.settings import Settings

    def refuse(*args: object) -> object:
        raise AssertionError("a model was loaded to embed nothing")

    monkeypatch.setattr("manysides.nlp.load_embedder", refuse)
    assert Models(Settings()).embed([]).shape == (0, 384)
