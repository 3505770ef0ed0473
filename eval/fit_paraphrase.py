"""Refit the pair decision (``src/manysides/data/paraphrase.toml``) on the fit split.

    PYTHONPATH=. python -m eval.fit_paraphrase

Logistic regression (scikit-learn, L2, C=1) over ``pairs.FEATURES``. The threshold stays
at 0.5: inside a story, a false "paraphrase" link merges two facts, so the neutral point
is kept rather than the F1-optimal 0.40 that 5-fold cross-validation on the fit split
prefers (it is printed for the record).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from eval.paraphrase import PAIR_MODEL, features, is_report_split, load_pairs
from manysides.nlp import Models
from manysides.reuse.pairs import FEATURES
from manysides.settings import load_settings

THRESHOLD = 0.5


def main() -> None:
    pairs = load_pairs()
    if pairs is None:
        raise SystemExit("the paraphrase pairs are absent from ../shared/data; nothing to fit")
    fit = [p for p in pairs if not is_report_split(p["id"])]
    x = features(fit, Models(load_settings()))
    y = np.array([int(p["label"]) for p in fit])
    clf = LogisticRegression(C=1.0, max_iter=5000)
    cv = cross_val_predict(clf, x, y, cv=5, method="predict_proba")[:, 1]
    for t in (0.4, 0.5, 0.6):
        pred = cv >= t
        tp = float(np.sum(pred & (y == 1)))
        p, r = tp / max(1, pred.sum()), tp / max(1, (y == 1).sum())
        print(
            f"5-fold CV on the fit split, threshold {t}: F1 {2 * p * r / (p + r):.3f} accuracy {np.mean(pred == y):.3f}"
        )
    clf.fit(x, y)
    lines = [
        "# The sentence-pair decision of compare/pairs.py: logistic regression coefficients.",
        "# Written by `PYTHONPATH=. python -m eval.fit_paraphrase`; do not edit by hand.",
        f'provenance = "fitted {dt.date.today()} on {len(fit)} news sentence pairs from different outlets '
        "(the fit split: 4 in 5 of the paraphrase corpus training file, by hash of pair id); "
        'scikit-learn LogisticRegression C=1"',
        f"intercept = {float(clf.intercept_[0])!r}",
        f"threshold = {THRESHOLD}",
        "",
        "[coef]",
        *(f"{name} = {float(c)!r}" for name, c in zip(FEATURES, clf.coef_[0], strict=True)),
        "",
    ]
    PAIR_MODEL.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {PAIR_MODEL}")


if __name__ == "__main__":
    main()
