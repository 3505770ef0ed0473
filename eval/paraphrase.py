"""Sentence-pair decision on news paraphrase pairs (sentence pairs from different outlets).

Only the training file is here (the test file is held back), so it is split once by a
hash of the pair id: one pair in five is the *report* split, never used for fitting or
choosing anything; the rest is the *fit* split (``fit_paraphrase`` fits on it). The
figures printed are on the report split, at the product's threshold, F1 with its 95 %
bootstrap interval over the report split's pairs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from eval.common import bootstrap, dataset, read_jsonl
from manysides.index.text import match_key
from manysides.nlp import Models
from manysides.reuse.pairs import is_paraphrase, pair_features, paraphrase_probability
from manysides.settings import load_settings


def is_report_split(pair_id: str) -> bool:
    return int(hashlib.sha1(pair_id.encode()).hexdigest(), 16) % 5 == 0


def load_pairs() -> list[dict[str, Any]] | None:
    root = dataset("mrpc")
    if root is None:
        return None
    return list(read_jsonl(root / "mrpc_train.jsonl"))


def features(pairs: list[dict[str, Any]], models: Models) -> np.ndarray:
    texts = sorted({p["s1"]["text"] for p in pairs} | {p["s2"]["text"] for p in pairs})
    vectors = dict(zip(texts, models.embed(texts), strict=True))
    rows = []
    for p in pairs:
        a, b = p["s1"]["text"], p["s2"]["text"]
        rows.append(pair_features(match_key(a), match_key(b), a, b, float(vectors[a] @ vectors[b])))
    return np.vstack(rows)


def evaluate(models: Models | None = None) -> dict[str, Any] | None:
    pairs = load_pairs()
    if pairs is None:
        return None
    report = [p for p in pairs if is_report_split(p["id"])]
    x = features(report, models or Models(load_settings()))
    gold = np.array([int(p["label"]) for p in report], dtype=bool)
    predicted = np.array([is_paraphrase(paraphrase_probability(row)) for row in x], dtype=bool)
    cosine_only = x[:, 0] >= 0.8
    decided = list(zip(predicted.tolist(), gold.tolist(), strict=True))
    interval = bootstrap(decided, lambda ds: _scores(np.array([p for p, _ in ds]), np.array([g for _, g in ds]))["f1"])
    return {
        "pairs": len(report),
        **_scores(predicted, gold),
        "f1_interval": interval,
        "cosine_0.8": _scores(cosine_only, gold),
    }


def _scores(predicted: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    tp = float(np.sum(predicted & gold))
    precision = tp / max(1.0, float(np.sum(predicted)))
    recall = tp / max(1.0, float(np.sum(gold)))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": float(np.mean(predicted == gold)), "precision": precision, "recall": recall, "f1": f1}


PAIR_MODEL = Path(__file__).resolve().parents[1] / "src" / "manysides" / "data" / "paraphrase.toml"
