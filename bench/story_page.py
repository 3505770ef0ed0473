"""A story's whole analysis (what ``show`` and a story page run) cold and from stored features.

    python -m bench.story_page [--sizes 10 50 200]

Each story is made as in ``bench.story`` (real ECB+ text, half of it rewritten as reprints).
Its articles are put in a SQLite collection, then analysed twice with the same code path as
``manysides show``: first cold (segmentation, names, quotes and sentence vectors computed and
stored), then with fresh models from the stored features (no model runs). Printed: both
times, their ratio, and the stages of the stored run.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from pathlib import Path

from bench.corpus import require_real
from bench.story import story_texts
from manysides.clean import clean
from manysides.model import RawDocument
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.pipeline import analyse_articles
from manysides.settings import load_settings
from manysides.store import Collection


def _mark(stages: list[tuple[str, float]], stage: str) -> None:
    stages.append((stage, time.perf_counter()))


def run(sizes: list[int]) -> list[dict[str, float]]:
    settings = load_settings()
    warm = Models(settings)
    warm.ner, warm.parser, warm.sentencizer  # noqa: B018  (loading is not what is measured)
    warm.embed(["warm up"])
    print("A story's whole analysis (show / story page): cold, then from the features stored in the collection")
    print("story size | sentences | cold s | stored s | cold/stored | stored run by stage")
    out = []
    for n in sizes:
        registry = default_registry()
        raws = [RawDocument(source=f"story{k:04d}.txt", content=t, format="text") for k, t in enumerate(story_texts(n))]
        articles = [a for r in raws for a in clean(r, registry)]
        with tempfile.TemporaryDirectory() as tmp, Collection(f"sqlite:///{Path(tmp) / 'b.db'}") as collection:
            group = [("bench", [a.id for a in articles], {})]
            t0 = time.perf_counter()
            report = analyse_articles(
                articles, [], settings=settings, models=warm, progress=lambda _s: None, groups=group, cache=collection
            )
            cold = time.perf_counter() - t0
            stages: list[tuple[str, float]] = []
            t1 = time.perf_counter()
            analyse_articles(
                articles,
                [],
                settings=settings,
                models=Models(settings),
                progress=functools.partial(_mark, stages),
                groups=group,
                cache=collection,
            )
            stored = time.perf_counter() - t1
        ends = [t for _, t in stages[1:]] + [t1 + stored]
        by_stage = ", ".join(f"{s} {e - t:.2f}" for (s, t), e in zip(stages, ends, strict=True) if e - t >= 0.01)
        sentences = sum(len(a.sentences) for a in report.articles)
        print(f"{n:>10} | {sentences:>9} | {cold:6.2f} | {stored:8.2f} | {cold / stored:10.1f}x | {by_stage}")
        out.append({"size": n, "cold": cold, "stored": stored})
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    args = parser.parse_args()
    require_real()
    run(args.sizes)
