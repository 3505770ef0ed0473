"""Refit how two articles in different languages are compared (``data/crosslingual.toml``).

    PYTHONPATH=. python -m eval.fit_crosslingual [--write]

Words in two languages cannot be compared, so the story engine estimates the word cosine of
such a pair from the cosine of the two articles' multilingual lead embeddings
(``engine.CrossLingual``). The line is fitted where the truth is known, on English pairs:
each ECB+ document and its ``CANDIDATES`` nearest documents by lead embedding (the pairs
the engine's cross-language search retrieves), word cosine regressed on lead cosine by
least squares. Nothing of MEANTIME is used: ``make eval`` scores the result there.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np

from eval.stories import load_docs
from manysides.index.text import lead_text
from manysides.nlp import Models
from manysides.settings import load_settings

TARGET = Path(__file__).resolve().parents[1] / "src" / "manysides" / "data" / "crosslingual.toml"
CANDIDATES = 20
#: A lead this far from the article's is not a candidate: below it, no ECB+ pair of the same
#: event (checked by ``main``, which prints the share of same-event pairs it would lose).
FLOOR = 0.3


def fit() -> tuple[float, float, str]:
    docs = load_docs(embed=False)
    if docs is None:
        raise SystemExit("the ECB+ documents are absent from ../shared/data; nothing to fit")
    models = Models(load_settings())
    leads = models.embed_multilingual([lead_text(d.article.title, d.article.text) for d in docs])
    sims = leads @ leads.T
    np.fill_diagonal(sims, -1.0)
    xs, ys, same = [], [], []
    for a in range(len(docs)):
        for b in np.argsort(-sims[a], kind="stable")[:CANDIDATES].tolist():
            fa, fb = docs[a].features, docs[b].features
            _, ia, ib = np.intersect1d(fa.word_keys, fb.word_keys, assume_unique=True, return_indices=True)
            xs.append(float(sims[a, b]))
            ys.append(float(fa.word_weights[ia] @ fb.word_weights[ib]) if len(ia) else 0.0)
            same.append(docs[a].subtopic == docs[b].subtopic)
    x, y, s = np.array(xs), np.array(ys), np.array(same)
    slope, intercept = np.polyfit(x, y, 1)
    below = float((x[s] < FLOOR).mean()) if s.any() else 0.0
    note = (
        f"fitted {dt.date.today()} on {len(x)} ECB+ pairs (each of {len(docs)} documents and its {CANDIDATES} "
        f"nearest by multilingual lead embedding): word cosine = {intercept:.4f} + {slope:.4f} x lead cosine "
        f"(least squares, correlation {np.corrcoef(x, y)[0, 1]:.3f}); same-event pairs below the floor "
        f"{FLOOR}: {below:.3f}"
    )
    return float(intercept), float(slope), note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {TARGET.name}")
    args = parser.parse_args()
    intercept, slope, note = fit()
    print(note)
    if args.write:
        TARGET.write_text(
            "# Articles in different languages (cluster/engine.py, CrossLingual).\n"
            "# Written by `PYTHONPATH=. python -m eval.fit_crosslingual --write`; do not edit by hand.\n"
            f'provenance = "{note}"\n'
            f"intercept = {intercept!r}\n"
            f"slope = {slope!r}\n"
            "# Nearest leads of each other language a new article is compared with.\n"
            f"candidates = {CANDIDATES}\n"
            f"floor = {FLOOR}\n",
            encoding="utf-8",
        )
        print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
