"""Refit the story pair model (``src/manysides/data/stories.toml``) on the ECB+ documents.

    PYTHONPATH=. python -m eval.fit_stories

Logistic regression (scikit-learn, L2, C=1) over the edges of the neighbour graph of all
772 documents (``eval.stories.fit_pairs``), once with article embeddings (``dense``) and
once without (``sparse``); the threshold by 5-fold cross-validation over topics
(``eval.stories.choose_threshold``). ``make eval`` reports the model only through
cross-validation (fitted without the fold it scores), never this in-sample fit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from eval.stories import FOLDS, choose_threshold, fit_pairs, load_docs
from manysides.cluster.engine import PAIR_FEATURES, load_story_model

TARGET = Path(__file__).resolve().parents[1] / "src" / "manysides" / "data" / "stories.toml"


def main() -> None:
    docs = load_docs()
    if docs is None:
        raise SystemExit("the ECB+ documents are absent from ../shared/data; nothing to fit")
    base = load_story_model()
    dense = fit_pairs(docs, True, base).dense
    sparse = fit_pairs(docs, False, base).sparse
    threshold = choose_threshold(docs, False, base, FOLDS)
    dense_threshold = choose_threshold(docs, True, base, FOLDS)
    print(f"threshold chosen by 5-fold CV over topics: sparse {threshold}, dense {dense_threshold}")
    model = replace(base, dense=dense, sparse=sparse, threshold=threshold, dense_threshold=dense_threshold)
    lines = [
        "# Story clustering (cluster/engine.py): the pair probability and the cut.",
        "# Written by `PYTHONPATH=. python -m eval.fit_stories`; do not edit the coefficients by hand.",
        f'provenance = "fitted {dt.date.today()} on the neighbour-graph edges of {len(docs)} ECB+ documents '
        "(label: same sub-topic, i.e. the same event), and for the model without embeddings also on the edges of "
        "articles left alone in their event (eval.stories.loner_edges); scikit-learn LogisticRegression C=1; "
        "threshold by "
        f'5-fold cross-validation over topics (sparse {threshold}, dense {dense_threshold})"',
        "# Mean pair probability two groups of articles need to be one story (capped average link).",
        f"threshold = {model.threshold}",
        f"dense_threshold = {model.dense_threshold}",
        "# Neighbours kept per article (and the rank cap of the pair features).",
        f"neighbours = {model.neighbours}",
        "# Articles further apart than this (both dated) are never neighbours: set by hand, ECB+ has",
        "# too few dates to fit it. A story quiet for longer starts again as a new one.",
        f"window_days = {model.window_days}",
        "# Word + name cosine two articles need to be neighbours at all. On ECB+ neighbour pairs, 1% of",
        "# same-event pairs fall below 0.13 and 85% of pairs from different topics below 0.2 (2026-11-24).",
        f"min_link = {model.min_link}",
        "# Stories larger than this are not cut again from scratch when an article arrives.",
        f"recluster_max = {model.recluster_max}",
    ]
    for name, coef in (("dense", dense), ("sparse", sparse)):
        lines += ["", f"[{name}]"] + [f"{k} = {coef[k]!r}" for k in PAIR_FEATURES if k in coef]
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
