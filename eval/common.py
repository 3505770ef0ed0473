"""Shared helpers of the evaluations: where the data is, and clustering scores."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FLOORS = Path(__file__).resolve().parent / "floors.json"


def dataset(name: str) -> Path | None:
    path = DATA / name
    return path if path.exists() else None


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def bcubed(predicted: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 (Bagga & Baldwin 1998), averaged over items."""
    pairs = Counter(zip(predicted, gold, strict=True))
    pred_sizes, gold_sizes = Counter(predicted), Counter(gold)
    n = len(predicted)
    precision = sum(c * c / pred_sizes[p] for (p, _), c in pairs.items()) / n
    recall = sum(c * c / gold_sizes[g] for (_, g), c in pairs.items()) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


T = TypeVar("T")

#: Resamples per bootstrap interval (the article-extraction benchmark gives its ± from 1,000).
BOOTSTRAP_SAMPLES = 1000


def bootstrap(
    units: Sequence[T], statistic: Callable[[Sequence[T]], float], samples: int = BOOTSTRAP_SAMPLES, seed: int = 0
) -> tuple[float, float]:
    """The 95 % percentile interval of ``statistic`` over resamples of ``units`` (drawn with
    replacement, as many as there are, seeded): how much a figure owes to which pages,
    articles or pairs happen to be in the data. Resample the unit the data was drawn in (a
    page, an article), not what it holds (a quote), or the interval comes out too narrow."""
    if not units:
        raise ValueError("bootstrap needs at least one unit")
    rng = np.random.default_rng(seed)
    n = len(units)
    values = [statistic([units[i] for i in rng.integers(0, n, n)]) for _ in range(samples)]
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def floors() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(FLOORS.read_text())
    return data


def write_model(name: str, lines: Sequence[str]) -> None:
    """Write a fitted model's TOML (``lines``) to the package's ``data/<name>`` and say so."""
    from importlib import resources

    path = Path(str(resources.files("manysides"))) / "data" / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path}")
