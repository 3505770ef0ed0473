"""Fit the speaker model (``src/manysides/data/speakers.toml``) on PolNeAR's train split.

    PYTHONPATH=. python -m eval.fit_speakers [--write]

Every quote in quote marks that the extractor finds and a gold attribution with a source
matches gives its candidates (``quotes.speakers.candidates``, from the rules' own
extraction), labelled by whether they overlap the gold source. A conditional logit (the
candidates of one quote compete in a softmax; L2, ``PENALTY``) over ``speakers.FEATURES``
and the ``speakers.LEXICAL`` features seen with ``MIN_COUNT`` or more training candidates
(the vocabulary is counted on each fold's training part alone), cross-validated by
article (5 folds, 3 shuffles): speaker accuracy as ``make eval`` measures it (the chosen
speaker's words overlap the gold source; none and none is right), mean and spread, next
to the rules' alone. The dev split is never read here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from eval.common import dataset, read_jsonl, write_model
from eval.quotes import _gold, _match, _speaker_right
from manysides.annotate import annotate
from manysides.model import Article
from manysides.nlp import Models
from manysides.quotes.extract import candidate_sentences, extract, parse
from manysides.quotes.speakers import FEATURES, Candidate, MentionLabels, SpeakerModel, candidates, pick
from manysides.segment import split_sentences
from manysides.settings import load_settings

FOLDS, SHUFFLES = 5, 3
#: L2 penalty of the conditional logit (per coefficient, on the summed log-likelihood).
PENALTY = 1.0
#: A lexical feature gets a weight when this many training candidates have it. Chosen on
#: train, 5-fold CV by article x 3 against the model without lexical features (0.8867),
#: same folds (2026-12-04): 5 -> 0.8945 (5,204 features), 10 -> 0.8949 (2,687), 20 ->
#: 0.8945 (1,388; better in 14 of 15 folds, worse in none): the smallest model that keeps
#: the gain.
MIN_COUNT = 20


@dataclass(frozen=True)
class Case:
    """One matched quote: its article, its candidates, the gold source and the rules' speaker."""

    doc: int
    options: list[Candidate]
    source: tuple[int, int] | None
    rule: tuple[int, int] | None

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [c.span for c in self.options]


def cases(split: str = "train") -> list[Case]:
    folder = dataset("polnear")
    if folder is None:
        raise SystemExit("eval.fit_speakers: ../shared/data/polnear is absent")
    models = Models(load_settings())
    out = []
    for n, d in enumerate(read_jsonl(folder / f"polnear_{split}.jsonl")):
        text = d["text"]
        article = Article(
            id=d["id"], source=d["id"], outlet=None, url=None, title=None, published=None, language="en",
            byline=(), credits=(), text=text, sentences=split_sentences(text, models),
        )  # fmt: skip
        [article] = annotate([article], models)  # the mentions, as the features stage has them
        docs = parse(models.parser, article, candidate_sentences(article))
        found = extract(article, docs, choose_speakers=False)
        spans = [(f.start, f.end) for f in found]
        quoted = [f for f in found if f.kind != "indirect"]
        labels = MentionLabels.of(article)
        for content, source, has_marks in _gold(d):
            if not has_marks:
                continue
            hits = [f for f in quoted if _match((f.start, f.end), content)]
            if not hits:
                continue
            f = hits[0]
            i = quoted.index(f)
            options = candidates(article, docs, f, quoted[i - 1] if i else None, spans, labels)
            out.append(Case(n, options, source, f.speaker))
    return out


def _right(span: tuple[int, int] | None, source: tuple[int, int] | None) -> bool:
    from manysides.model import QuoteFind

    return _speaker_right(QuoteFind(0, 0, 0, "direct", None, span), source)


def _label(span: tuple[int, int], source: tuple[int, int] | None) -> int:
    return int(source is not None and min(span[1], source[1]) > max(span[0], source[0]))


def accuracy(model: SpeakerModel, test: list[Case]) -> float:
    """As ``speakers.choose`` picks (``speakers.pick``)."""
    return sum(_right(pick(c.options, model), c.source) for c in test) / max(1, len(test))


def fit(train: list[Case]) -> SpeakerModel:
    """The conditional logit: each quote with a right candidate is one softmax over its
    candidates, the right ones sharing the target; dense ``FEATURES`` and the lexical
    features that ``MIN_COUNT`` or more of ``train``'s candidates have."""
    counts = Counter(f for c in train for option in c.options for f in option.lexical)
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    width = len(FEATURES) + len(vocabulary)
    groups = []
    for c in train:
        y = np.array([_label(s, c.source) for s in c.spans], dtype=np.float64)
        if y.sum():
            x = np.zeros((len(c.options), width))
            for j, option in enumerate(c.options):
                x[j, : len(FEATURES)] = option.features
                for f in option.lexical:
                    if f in vocabulary:
                        x[j, len(FEATURES) + vocabulary[f]] = 1.0
            groups.append((x, y / y.sum()))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = PENALTY * float(w @ w), 2 * PENALTY * w
        for x, y in groups:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            total -= float(y @ np.log(p + 1e-12))
            grad = grad - x.T @ (y - p)
        return total, grad

    w = np.asarray(minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B").x)
    lexical = {f: float(w[len(FEATURES) + i]) for f, i in vocabulary.items()}
    return SpeakerModel(tuple(float(v) for v in w[: len(FEATURES)]), "", lexical)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="refit on all of train and write data/speakers.toml")
    args = parser.parse_args()
    every = cases("train")
    docs = np.array(sorted({c.doc for c in every}))
    rules = np.mean([_right(c.rule, c.source) for c in every])
    reachable = np.mean([any(_label(s, c.source) for s in c.spans) or c.source is None for c in every])
    print(f"{len(every)} matched quotes of PolNeAR train; the rules' speakers right {rules:.3f}; "
          f"a right candidate among the candidates {reachable:.3f}")  # fmt: skip
    results = []
    for shuffle in range(SHUFFLES):
        for fold in np.array_split(np.random.RandomState(shuffle).permutation(docs), FOLDS):
            held = set(fold.tolist())
            model = fit([c for c in every if c.doc not in held])
            results.append(accuracy(model, [c for c in every if c.doc in held]))
    r = np.array(results)
    print(f"  held-out accuracy {r.mean():.3f} (+-{r.std():.3f}; folds {r.min():.3f}-{r.max():.3f})")
    if args.write:
        model = fit(every)
        lines = [
            "# Who said a quote (quotes/speakers.py): a conditional logit over speakers.FEATURES",
            "# and the lexical features (speakers.LEXICAL) seen with MIN_COUNT or more training candidates.",
            "# Written by `PYTHONPATH=. python -m eval.fit_speakers --write`; do not edit by hand.",
            f'provenance = "fitted {dt.date.today()} on the candidates of {len(every)} quotes of PolNeAR train; '
            f"conditional logit, L2 {PENALTY}, lexical features seen {MIN_COUNT} times or more "
            f"({len(model.lexical)}); {FOLDS}-fold CV by article x {SHUFFLES}: held-out speaker accuracy "
            f'{r.mean():.3f} (+-{r.std():.3f}) against the rules alone {rules:.3f}"',
            "",
            "[coefficients]",
            *(f"{name} = {float(v)!r}" for name, v in zip(FEATURES, model.coefficients, strict=True)),
            "",
            "[lexical]",
            *(f"{json.dumps(name, ensure_ascii=False)} = {v!r}" for name, v in sorted(model.lexical.items())),
        ]
        write_model("speakers.toml", lines)


if __name__ == "__main__":
    main()
