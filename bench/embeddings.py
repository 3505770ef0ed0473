"""Sentence-embedding backends side by side in one run, on real news sentences.

    python -m bench.embeddings [--sentences 2000] [--repeat 2]

For each backend of ``manysides.embedding`` (torch fp32 = the reference, ONNX Runtime fp32,
ONNX Runtime int8 per channel): sentences per second (best of ``--repeat`` passes, each
over all sentences, the backends interleaved so that load on a shared machine hits them
alike), the ratio to torch, and how close the vectors are to torch's: mean and minimum
cosine, and the overlap of each sentence's 10 nearest neighbours.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from bench.corpus import news_sentences, require_real
from manysides.embedding import BACKENDS, load_embedder


def run(n: int = 2000, repeat: int = 2) -> dict[str, dict[str, float]]:
    sentences = news_sentences(n)
    embedders = {b: load_embedder("all-MiniLM-L6-v2", b) for b in BACKENDS}
    for e in embedders.values():
        e.encode(sentences[:64])  # warm up: first calls allocate
    best = {b: float("inf") for b in BACKENDS}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(repeat):
        for b, e in embedders.items():
            started = time.perf_counter()
            vectors[b] = e.encode(sentences)
            best[b] = min(best[b], time.perf_counter() - started)
    ref = vectors["torch"]
    out: dict[str, dict[str, float]] = {}
    print(f"sentence embeddings, {len(sentences)} real news sentences, {os.cpu_count()} cores, best of {repeat}:")
    print(f"  {'backend':<10} {'sent/s':>8} {'vs torch':>8} {'mean cos':>9} {'min cos':>8} {'10-NN overlap':>14}")
    for b in BACKENDS:
        cos = np.sum(vectors[b] * ref, axis=1)
        rate = len(sentences) / best[b]
        row = {
            "sentences_per_s": rate,
            "ratio": best["torch"] / best[b],
            "mean_cos": float(cos.mean()),
            "min_cos": float(cos.min()),
            "knn_overlap": _knn_overlap(vectors[b], ref),
        }
        out[b] = row
        print(
            f"  {b:<10} {rate:8.0f} {row['ratio']:7.2f}x {row['mean_cos']:9.4f} {row['min_cos']:8.4f} "
            f"{row['knn_overlap']:14.3f}"
        )
    return out


def _knn_overlap(a: np.ndarray, b: np.ndarray, k: int = 10) -> float:
    def knn(m: np.ndarray) -> np.ndarray:
        sims = m @ m.T
        np.fill_diagonal(sims, -2)
        return np.argsort(-sims, axis=1)[:, :k]

    ka, kb = knn(a), knn(b)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(ka, kb, strict=True)]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    require_real()
    run(args.sentences, args.repeat)
