"""Fit the model that tells a headline opening another story from a subhead (``clean/split.py``).

    PYTHONPATH=. python -m eval.fit_splits [--write]

Candidates: every headline-like line of the pages of ``eval.splitting`` (one-story pages
from ECB+ and PolNeAR, and pages of two ECB+ documents, half of them with a headline line
between) with enough lines around it (``split.BREAK_BEFORE``, ``BREAK_AFTER``); label: the
line opens the second document. A logistic regression over ``split.BREAK_FEATURES``,
cross-validated by page (5 folds, 5 shuffles): for each threshold, the share of one-story
pages split anywhere and of two-story pages split at the join, mean and spread over the
shuffles. The threshold kept is the lowest with no false split in any fold of any shuffle.
``--write`` refits on every page and writes ``data/splits.toml``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from eval.splitting import pages
from manysides.clean.rules import headline_like
from manysides.clean.split import BREAK_AFTER, BREAK_BEFORE, BREAK_FEATURES, break_features

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
SHUFFLES, FOLDS = 5, 5


def candidates() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, int]]:
    """Features and labels of every candidate line, its page's id, and each page's kind
    (0 one story, 1 two of the same topic, 2 two of other topics)."""
    built = pages()
    if built is None:
        raise SystemExit("eval.fit_splits: ../shared/data (ecbplus, polnear) is absent")
    rows, labels, ids = [], [], []
    for pid, page in enumerate(built):
        text, offsets, pos = [], [], 0
        for line in page.text.split("\n"):
            if line.strip():
                text.append(line)
                offsets.append(pos)
            pos += len(line) + 1
        for k in range(BREAK_BEFORE, len(text) - BREAK_AFTER):
            if headline_like(text[k]):
                rows.append(break_features(text, k))
                labels.append(int(page.join is not None and abs(offsets[k] - page.join) <= 1))
                ids.append(pid)
    kind_of = {pid: ("single", "same-topic", "other-topic").index(p.kind) for pid, p in enumerate(built)}
    return np.array(rows), np.array(labels), np.array(ids), kind_of


def shipped_threshold() -> float:
    from manysides.clean.split import break_model

    return break_model().threshold


def cross_validate(x: np.ndarray, y: np.ndarray, pid: np.ndarray, kind_of: dict[int, int]) -> dict[float, Any]:
    every = np.array(sorted(kind_of))
    singles = [p for p in every if kind_of[p] == 0]
    results: dict[float, list[tuple[float, float, float]]] = {t: [] for t in THRESHOLDS}
    for shuffle in range(SHUFFLES):
        folds = np.array_split(np.random.RandomState(shuffle).permutation(every), FOLDS)
        scores = np.zeros(len(y))
        for fold in folds:
            test = np.isin(pid, fold)
            model = LogisticRegression(C=1.0, max_iter=1000).fit(x[~test], y[~test])
            scores[test] = model.predict_proba(x[test])[:, 1]
        for t in THRESHOLDS:
            false = sum(1 for p in singles if (scores[pid == p] >= t).any()) / len(singles)
            hits = {1: [0, 0], 2: [0, 0]}
            for p in every:
                if kind_of[p] == 0:
                    continue
                hits[kind_of[p]][1] += 1
                s, labels = scores[pid == p], y[pid == p]
                if len(s) and s.max() >= t and labels[int(np.argmax(s))] == 1:
                    hits[kind_of[p]][0] += 1
            results[t].append((false, hits[1][0] / hits[1][1], hits[2][0] / hits[2][1]))
    return {t: np.array(r) for t, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="refit on every page and write data/splits.toml")
    args = parser.parse_args()
    x, y, pid, kind_of = candidates()
    print(f"{len(y)} headline-like candidate lines, {int(y.sum())} of them open the second story")
    cv = cross_validate(x, y, pid, kind_of)
    chosen = None
    for t, r in cv.items():
        mean, spread = r.mean(axis=0), r.std(axis=0)
        print(
            f"  threshold {t}: one-story pages split {mean[0]:.4f} (+-{spread[0]:.4f}); two-story pages split at "
            f"the join: same topic {mean[1]:.3f} (+-{spread[1]:.3f}), other topic {mean[2]:.3f} (+-{spread[2]:.3f})"
        )
        if chosen is None and r[:, 0].max() == 0.0:
            chosen = t
    print(f"chosen threshold: {chosen} (the lowest with no false split in any fold)")
    if args.write and chosen is not None:
        model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
        r = cv[chosen].mean(axis=0)
        lines = [
            "# A headline that opens another story on a page (clean/split.py).",
            "# Written by `PYTHONPATH=. python -m eval.fit_splits --write`; do not edit by hand.",
            f'provenance = "fitted {dt.date.today()} on {len(y)} headline-like lines of pages built from ECB+ and '
            f"PolNeAR dev (eval/splitting.py); LogisticRegression C=1; threshold by 5x5-fold CV by page: no false "
            f"split of a one-story page in any fold; two-story pages cut at the join {r[1]:.3f} (same topic) and "
            f'{r[2]:.3f} (other topic)"',
            f"threshold = {chosen}",
            f"intercept = {float(model.intercept_[0])!r}",
            "",
            "[coefficients]",
            *(f"{name} = {float(c)!r}" for name, c in zip(BREAK_FEATURES, model.coef_[0], strict=True)),
        ]
        path = Path(str(resources.files("manysides"))) / "data" / "splits.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
