"""Fit the model that tells a headline opening another story from a subhead (``clean/split.py``).

    PYTHONPATH=. python -m eval.fit_splits [--write]

Candidates: every headline-like line of the pages of ``eval.splitting`` (one-story pages
from ECB+ and PolNeAR dev and train; pages of two ECB+ documents and of two PolNeAR
articles, half of them with the second's headline line between) with enough lines
around it (``split.BREAK_BEFORE``, ``BREAK_AFTER``), among the lines the cleaner keeps
(``clean.page_reasons``: date lines, bylines and captions are gone, as in the product);
label: the line opens the second document. A logistic regression over ``split.BREAK_FEATURES``,
cross-validated by page (5 folds, 5 shuffles): for each threshold, the share of one-story
pages split anywhere and of two-story pages split at the join, mean and spread over the
shuffles. The threshold kept is the lowest with no false split in any fold of any shuffle.
``--write`` refits on every page and writes ``data/splits.toml``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from eval.common import write_model
from eval.splitting import pages
from manysides.clean import page_reasons
from manysides.clean.split import BREAK_FEATURES, DATED_REASONS, break_candidates, break_features, dated_after
from manysides.outlets import Registry, default_registry

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9)
SHUFFLES, FOLDS = 5, 5
KINDS = ("single", "same-topic", "other-topic", "campaign")


@dataclass(frozen=True)
class Candidates:
    """Features and labels of every candidate line, its page's id, and each page's kind
    (an index into ``KINDS``)."""

    x: np.ndarray
    y: np.ndarray
    pid: np.ndarray
    kind_of: dict[int, int]


def candidates() -> Candidates:
    built = pages()
    if built is None:
        raise SystemExit("eval.fit_splits: ../shared/data (ecbplus, polnear) is absent")
    rows: list[np.ndarray] = []
    labels: list[int] = []
    ids: list[int] = []
    registry = default_registry()
    for pid, page in enumerate(built):
        # The lines the splitter reads in the product: those the cleaner keeps.
        lines, reasons = page_reasons(page.text, registry, page.title or None)
        kept = [i for i, r in enumerate(reasons) if r is None]
        text = [lines[i] for i in kept]
        second = _opening(page.text[page.join :], registry) if page.join is not None else None
        ks = break_candidates(text)
        if ks:
            rows.append(break_features(text, ks, dated_after(reasons, kept, ks)))
            labels += [int(text[k] == second) for k in ks]
            ids += [pid] * len(ks)
    kind_of = {pid: KINDS.index(p.kind) for pid, p in enumerate(built)}
    return Candidates(np.vstack(rows), np.array(labels), np.array(ids), kind_of)


def _opening(text: str, registry: Registry) -> str:
    """The line that opens a document, past a date line or byline above its headline
    ("10:24 AM, MON 22 JUL 2013" / "Fire at Waitrose may have been arson"): where a reader
    sees the second story start."""
    lines, reasons = page_reasons(text, registry)
    i = 0
    while i < len(lines) - 1 and reasons[i] in DATED_REASONS:
        i += 1
    return lines[i]


def shipped_threshold() -> float:
    from manysides.clean.split import break_model

    return break_model().threshold


def cross_validate(c: Candidates) -> dict[float, np.ndarray]:
    """Per threshold, one row per shuffle: the share of one-story pages split anywhere, then
    for each two-story kind the share split at the join."""
    every = np.array(sorted(c.kind_of))
    singles = [p for p in every if c.kind_of[p] == 0]
    results: dict[float, list[list[float]]] = {t: [] for t in THRESHOLDS}
    for shuffle in range(SHUFFLES):
        folds = np.array_split(np.random.RandomState(shuffle).permutation(every), FOLDS)
        scores = np.zeros(len(c.y))
        for fold in folds:
            test = np.isin(c.pid, fold)
            model = LogisticRegression(C=1.0, max_iter=1000).fit(c.x[~test], c.y[~test])
            scores[test] = model.predict_proba(c.x[test])[:, 1]
        for t in THRESHOLDS:
            false = sum(1 for p in singles if (scores[c.pid == p] >= t).any()) / len(singles)
            hits = {k: [0, 0] for k in range(1, len(KINDS))}
            for p in every:
                if c.kind_of[p] == 0:
                    continue
                hits[c.kind_of[p]][1] += 1
                s, y = scores[c.pid == p], c.y[c.pid == p]
                if len(s) and s.max() >= t and y[int(np.argmax(s))] == 1:
                    hits[c.kind_of[p]][0] += 1
            results[t].append([false, *(h / n for h, n in hits.values())])
    return {t: np.array(r) for t, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="refit on every page and write data/splits.toml")
    args = parser.parse_args()
    c = candidates()
    print(f"{len(c.y)} headline-like candidate lines, {int(c.y.sum())} of them open the second story")
    cv = cross_validate(c)
    chosen = None
    for t, r in cv.items():
        mean, spread = r.mean(axis=0), r.std(axis=0)
        joins = ", ".join(f"{KINDS[i]} {mean[i]:.3f} (+-{spread[i]:.3f})" for i in range(1, len(KINDS)))
        print(f"  threshold {t}: one-story pages split {mean[0]:.4f} (+-{spread[0]:.4f}); at the join: {joins}")
        if chosen is None and r[:, 0].max() == 0.0:
            chosen = t
    print(f"chosen threshold: {chosen} (the lowest with no false split in any fold)")
    if args.write and chosen is not None:
        model = LogisticRegression(C=1.0, max_iter=1000).fit(c.x, c.y)
        r = cv[chosen].mean(axis=0)
        joins = ", ".join(f"{KINDS[i]} {r[i]:.3f}" for i in range(1, len(KINDS)))
        lines = [
            "# A headline that opens another story on a page (clean/split.py).",
            "# Written by `PYTHONPATH=. python -m eval.fit_splits --write`; do not edit by hand.",
            f'provenance = "fitted {dt.date.today()} on {len(c.y)} headline-like lines of pages built from ECB+ and '
            f"PolNeAR dev and train (eval/splitting.py); LogisticRegression C=1; threshold by 5x5-fold CV by page: "
            f'no false split of a one-story page in any fold; two-story pages cut at the join: {joins}"',
            f"threshold = {chosen}",
            f"intercept = {float(model.intercept_[0])!r}",
            "",
            "[coefficients]",
            *(f"{name} = {float(v)!r}" for name, v in zip(BREAK_FEATURES, model.coef_[0], strict=True)),
        ]
        write_model("splits.toml", lines)


if __name__ == "__main__":
    main()
