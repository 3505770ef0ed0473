"""Speed and memory, side by side in one run (never timed tests).

    python -m bench [--articles N] [--quick]

1. Start-up: ``manysides --help`` wall time and the slowest imports of ``manysides.pipeline``.
2. Sentence embeddings: every backend on real news sentences (``bench.embeddings``), and
   the multilingual encoder beside the English model (``bench.multilingual``).
3. Whole pipeline on a corpus of ``--articles`` real articles (ingest to digest, models
   loaded before the clock starts), with the default settings and with the torch reference
   embedder, one after the other in this run: articles/s, time per stage, peak memory.
   The same on a corpus in four languages (MEANTIME) against English text of its size.
4. Collection ingest through the CLI (``manysides ingest``, import included), without and
   with article embeddings, on the ECB+ documents.
5. A story's whole analysis cold and from stored features (``bench.story_page``).
6. HTML cleaning speed; one story's alignment cost, with and without shared claims
   (``bench.story``); quote finding with and without the speaker model (``bench.quotes``);
   story assignment and
   its scaling curve to 1M articles (``bench.stories``, about an hour; skipped by --quick).
7. Batch runs on Dask (``bench.batch``): stories equal to the one-process engine's on 20,000
   synthetic articles; scaling by workers (1, 2) and data (10k, and 100k unless --quick).

The real corpus comes from ../shared/data; without it the bench stops, unless
MANYSIDES_BENCH_SYNTHETIC=1 asks for synthetic text (and then says so).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench import batch, embeddings, multilingual, quotes, stories, story, story_page
from bench.corpus import ecb_articles, html_pages, real_articles, require_real, synthetic_articles
from manysides.clean import clean
from manysides.clean.html import extract_html
from manysides.model import RawDocument
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.pipeline import compare
from manysides.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
#: The command as a user runs it (through this interpreter, so PYTHONPATH applies).
MANYSIDES = [sys.executable, "-m", "manysides"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="skip the hour-long story scaling curve")
    args = parser.parse_args()
    real = require_real()
    articles = real_articles(args.articles) if real else None
    kind = "ECB+ and PolNeAR news (../shared/data)"
    if articles is None:
        articles = synthetic_articles(args.articles, ROOT / "examples" / "nato-2024-04-04")
        kind = "SYNTHETIC text (MANYSIDES_BENCH_SYNTHETIC=1; ../shared/data absent)"
    print(f"bench corpus: {len(articles)} articles, {kind}; {os.cpu_count()} cores")
    _startup()
    if real:
        embeddings.run(2000, 2)
        multilingual.embeddings(2000, 2)
    _pipeline(articles, {"default settings": {}, "torch embedder (reference)": {"embedding_backend": "torch"}})
    if real:
        multilingual.pipeline()
    _cli_ingest()
    story_page.run([10, 50, 200])
    _html_cleaning()
    models = Models(load_settings())
    story.run(models, [10, 50, 200])
    quotes.run(models, 200)
    stories.run(scaling=not args.quick)
    batch.equality(20_000)
    batch.scaling([10_000] if args.quick else [10_000, 100_000], [1, 2])


def _startup() -> None:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([*MANYSIDES, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    print(f"start-up: `manysides --help` {min(times):.2f} s (best of 3)")
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import manysides.pipeline"], capture_output=True, text=True
    ).stderr
    rows = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].strip()))
    total = max(rows)[0] if rows else 0
    top = sorted((r for r in rows if not r[1].startswith("manysides")), reverse=True)[:5]
    print(
        f"  import manysides.pipeline: {total / 1e6:.2f} s; slowest: " + ", ".join(f"{n} {t / 1e6:.2f}" for t, n in top)
    )


def _pipeline(articles: list[dict[str, str]], variants: dict[str, dict[str, str]]) -> None:
    """Each variant in a fresh process, one after the other: its own peak memory, no shared caches."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
        results = {}
        for name, overrides in variants.items():
            code = f"from bench.__main__ import one_pipeline; one_pipeline({str(path)!r}, {overrides!r})"
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            results[name] = json.loads(out.strip().splitlines()[-1])
    names = list(results)
    base = results[names[-1]]
    first = results[names[0]]
    print(f"whole pipeline, {len(articles)} articles ({first['sentences']} sentences), each in its own process:")
    print(f"  {'stage':<10}" + "".join(f"{n[:26]:>28}" for n in names))
    for stage in first["stages"]:
        print(f"  {stage:<10}" + "".join(f"{results[n]['stages'].get(stage, 0.0):>26.2f} s" for n in names))
    print(f"  {'total':<10}" + "".join(f"{results[n]['total']:>26.2f} s" for n in names))
    print(f"  {'art/s':<10}" + "".join(f"{len(articles) / results[n]['total']:>28.1f}" for n in names))
    print(f"  {'vs last':<10}" + "".join(f"{base['total'] / results[n]['total']:>27.2f}x" for n in names))
    print(f"  {'peak MB':<10}" + "".join(f"{results[n]['peak_mb']:>28.0f}" for n in names))
    print(f"  {'+workers':<10}" + "".join(f"{results[n]['children_mb']:>28.0f}" for n in names))
    print("  (peak MB: max RSS of the process, models loaded; +workers: the largest spaCy worker process)")


def one_pipeline(path: str, overrides: dict[str, str]) -> None:
    """Run in a fresh process by ``_pipeline``: prints one JSON line of timings and memory."""
    models = Models(load_settings(**overrides))
    models.ner, models.parser, models.sentencizer  # load before the clock starts  # noqa: B018
    models.embed(["warm up"])
    models.embed_multilingual(["warm up"])  # (a corpus in several languages needs it)
    models.ner_for("fr")
    stages: list[tuple[str, float]] = []
    started = time.perf_counter()
    report = compare([path], models=models, progress=lambda s: stages.append((s, time.perf_counter())))
    total = time.perf_counter() - started
    ends = [t for _, t in stages[1:]] + [started + total]
    result = {
        "total": total,
        "sentences": sum(len(a.sentences) for a in report.articles),
        "stages": {s: e - t for (s, t), e in zip(stages, ends, strict=True)},
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    print(json.dumps(result))


def _cli_ingest() -> None:
    docs = ecb_articles()
    if not docs:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ecb.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        print(f"collection ingest through the CLI, {len(docs)} ECB+ documents (process start and imports included):")
        for label, extra in (("without embeddings", []), ("with embeddings", ["--embeddings"])):
            db = f"sqlite:///{Path(tmp) / (label.replace(' ', '-') + '.db')}"
            t0 = time.perf_counter()
            subprocess.run([*MANYSIDES, "ingest", str(path), "--db", db, "-q", *extra], check=True)
            seconds = time.perf_counter() - t0
            print(f"  {label:<19} {seconds:6.1f} s = {len(docs) / seconds:6.0f} articles/s")


def _html_cleaning() -> None:
    """Cleaning speed on raw news HTML: trafilatura alone (its precision and default runs),
    then the whole clean stage."""
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
        f"({1000 * whole / len(pages):.0f} ms/page, "
        f"of which trafilatura, two runs, {1000 * extract / len(pages):.0f} ms)"
    )


if __name__ == "__main__":
    main()
