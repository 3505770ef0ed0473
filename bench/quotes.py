"""Quote finding: what the speaker model costs beside the parse it reads.

    python -m bench.quotes [--articles 200]

PolNeAR train articles (real news with many quotes) go through sentence splitting and
named entities first (not timed); then, side by side in one run: the dependency parse of
the candidate sentences, quote finding with the rules' speakers alone, and quote finding
with the speaker model (``quotes/speakers.py``) choosing among the phrases around each
quote. Without the data the bench says so and stops.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench.corpus import DATA, _jsonl
from manysides.annotate import annotate
from manysides.model import Article
from manysides.nlp import Models
from manysides.quotes.extract import candidate_sentences, extract, parse
from manysides.segment import split_sentences
from manysides.settings import load_settings


def run(models: Models, n: int) -> None:
    path = DATA / "polnear" / "polnear_train.jsonl"
    if not path.exists():
        print(f"quote finding: skipped ({path} is absent)")
        return
    articles = []
    for d in list(_jsonl(path))[:n]:
        text = str(d["text"])
        empty = Article.from_sentences(str(d["id"]), [])
        articles.append(replace(empty, text=text, sentences=split_sentences(text, models)))
    articles = annotate(articles, models)
    t0 = time.perf_counter()
    docs = [parse(models.parser, a, candidate_sentences(a)) for a in articles]
    t1 = time.perf_counter()
    rules = [extract(a, d, choose_speakers=False) for a, d in zip(articles, docs, strict=True)]
    t2 = time.perf_counter()
    chosen = [extract(a, d) for a, d in zip(articles, docs, strict=True)]
    t3 = time.perf_counter()
    quotes = sum(len(q) for q in chosen)
    changed = sum(x.speaker != y.speaker for r, c in zip(rules, chosen, strict=True) for x, y in zip(r, c, strict=True))
    print(f"Quote finding on {len(articles)} PolNeAR articles ({quotes} quotes; {changed} speakers the model changed):")
    print(
        f"  parse {t1 - t0:.2f} s; finding with the rules' speakers {t2 - t1:.2f} s; with the speaker model "
        f"{t3 - t2:.2f} s: the model adds {(t3 - t2 - (t2 - t1)) / (t2 - t0):.1%} to parse + finding"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    models = Models(load_settings())
    models.parser  # noqa: B018
    run(models, args.articles)


if __name__ == "__main__":
    main()
