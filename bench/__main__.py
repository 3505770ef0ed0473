"""Whole-pipeline throughput and peak memory on a corpus of at least 1,000 articles.

    python -m bench [--articles N]

Prints articles per second for the whole pipeline (ingest to compare, models loaded
before the clock starts), the time of each stage, and the process's peak resident memory;
then the story bench (``bench.story``: comparing one story of 10-200 articles) and the
story-assignment bench (``bench.stories``: throughput, and the scaling curve to 1M
articles, which takes about an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench import stories, story
from bench.corpus import html_pages, real_articles, synthetic_articles
from manysides.clean import clean
from manysides.clean.html import extract_html
from manysides.model import RawDocument
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.pipeline import compare
from manysides.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    articles = real_articles(args.articles)
    kind = "ECB+ and PolNeAR news (../shared/data)"
    if articles is None:
        articles = synthetic_articles(args.articles, ROOT / "examples" / "nato-2024-04-04")
        kind = "synthetic (../shared/data absent)"
    models = Models(load_settings())
    models.ner, models.sentencizer  # load before the clock starts  # noqa: B018
    models.embed(["warm up"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
        stages: list[tuple[str, float]] = []
        started = time.perf_counter()
        report = compare([str(path)], models=models, progress=lambda s: stages.append((s, time.perf_counter())))
        total = time.perf_counter() - started
    sentences = sum(len(a.sentences) for a in report.articles)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus: {len(articles)} articles, {sentences} sentences; {kind}")
    print(
        f"whole pipeline: {total:.1f} s = {len(report.articles) / total:.1f} articles/s "
        f"({sentences / total:.0f} sentences/s) on {os.cpu_count()} cores"
    )
    ends = [t for _, t in stages[1:]] + [started + total]
    for (stage, t0), t1 in zip(stages, ends, strict=True):
        print(f"  {stage:<9} {t1 - t0:7.2f} s  ({len(articles) / max(t1 - t0, 1e-9):8.1f} inputs/s)")
    print(f"stories: {len(report.stories)}, reuse records: {len(report.reuse)}")
    print(f"peak memory (max RSS, models included): {peak_mb:.0f} MB")
    _html_cleaning()
    story.run(models, [10, 50, 200])
    stories.run()


def _html_cleaning() -> None:
    """Cleaning speed on raw news HTML: trafilatura alone, then the whole clean stage."""
    pages = html_pages()
    if not pages:
        print("HTML cleaning: skipped (../shared/data/html_extraction is absent)")
        return
    started = time.perf_counter()
    for html in pages:
        extract_html(html)
    extract = time.perf_counter() - started
    started = time.perf_counter()
    for html in pages:
        clean(RawDocument(source="page.html", content=html, format="html"), default_registry())
    whole = time.perf_counter() - started
    print(
        f"HTML cleaning, {len(pages)} pages: {len(pages) / whole:.1f} pages/s "
        f"({1000 * whole / len(pages):.0f} ms/page, of which trafilatura {1000 * extract / len(pages):.0f} ms)"
    )


if __name__ == "__main__":
    main()
