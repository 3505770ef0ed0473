"""Batch runs on Dask: equality with the one-process engine, and scaling by workers and data.

    python -m bench.batch [--equality 20000] [--sizes 10000,100000] [--workers 1,2]

1. Equality: the story bench's synthetic stream (``--equality`` articles, 2,000 a day) once
   through ``manysides ingest`` and once through ``manysides batch`` (2 workers): BCubed F1
   between the two runs' stories, and the stories of 2+ articles both made whole.
2. Scaling: synthetic streams of each ``--sizes`` (2,000 articles a day), each through
   ``manysides batch`` on a LocalCluster of each ``--workers`` processes (without the
   analyses: they are per story and scale with the stories), side by side in this run:
   articles per second in all and per worker, peak memory of a worker process, bytes
   shuffled per 1,000 articles (the LSH bucket rows and candidate pairs the stages write
   for each other), task seconds per 1,000 articles (all stages), the work folder's and the
   SQLite collection's size per 1,000 articles, and each stage's share of the task time.
   The one-process ingest of the smallest size is timed beside it, for the ratio.

3. Analyses: a small stream through ``batch`` with every story of 2+ articles analysed:
   task time per article of the analyse stage.

Machine: 2 cores; a third worker process would only share them. Numbers for
``docs/scale.md``'s capacity plan.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval.batch import compare_runs

from bench.corpus import sentence_pool, synthetic_stream
from manysides import batch
from manysides.batch.files import folder_bytes
from manysides.pipeline import ingest_into
from manysides.settings import load_settings
from manysides.store import Collection

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "nato-2024-04-04"
PER_DAY = 2_000


def write_stream(path: Path, n: int, seed: int = 1) -> Path:
    pool = sentence_pool() or None
    with path.open("w", encoding="utf-8") as fh:
        for item in synthetic_stream(n, SEEDS, seed=seed, per_day=PER_DAY, pool=pool):
            fh.write(json.dumps(item) + "\n")
    return path


def equality(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_stream(Path(tmp) / "stream.jsonl", n)
        r = compare_runs(corpus, Path(tmp))
    print(
        f"equality, {r['articles']:,} synthetic articles ({PER_DAY:,} a day): batch (2 workers) vs one-process "
        f"ingest BCubed P {r['precision']:.4f} R {r['recall']:.4f} F1 {r['f1']:.4f}; {r['identical']:,} of "
        f"{r['stories']:,} stories of 2+ articles identical; ingest {r['single_seconds']:.0f} s, "
        f"batch {r['batch_seconds']:.0f} s"
    )


def scaling(sizes: list[int], workers: list[int]) -> None:
    print(f"scaling ({os.cpu_count()} cores; synthetic streams, {PER_DAY:,} articles a day; no analyses):")
    print(
        f"  {'articles':>9} {'workers':>7} {'wall s':>8} {'art/s':>7} {'art/s/worker':>12} {'peak MB/worker':>14} "
        f"{'shuffled KB/1k':>14} {'task s/1k':>9} {'work MB/1k':>10} {'db MB/1k':>8}  task time by stage"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus = write_stream(Path(tmp) / f"stream-{n}.jsonl", n)
            if n == sizes[0]:
                _single(corpus, Path(tmp), n)
            for w in workers:
                db = Path(tmp) / f"batch-{n}-{w}.db"
                started = time.perf_counter()
                r = batch.run(
                    [str(corpus)],
                    f"sqlite:///{db}",
                    settings=load_settings(),
                    options=batch.BatchOptions(workers=w, analyse=0, work=str(db) + ".batch"),
                )
                wall = time.perf_counter() - started
                total = sum(s.task_seconds for s in r.stages.values()) or 1.0
                shares = " ".join(f"{k} {s.task_seconds / total:.0%}" for k, s in r.stages.items() if s.task_seconds)
                peak = max(s.peak_rss for s in r.stages.values()) / 1e6
                work = folder_bytes(Path(r.work)) / r.articles
                print(
                    f"  {r.articles:>9,} {w:>7} {wall:>8.1f} {r.articles / wall:>7.0f} {r.articles / wall / w:>12.0f} "
                    f"{peak:>14.0f} {r.shuffled_bytes / r.articles:>14.1f} {1000 * total / r.articles:>9.2f} "
                    f"{work / 1000:>10.2f} {db.stat().st_size / r.articles / 1000:>8.2f}  {shares}"
                )


def analysis(n: int, workers: int = 2) -> None:
    """The analyse stage's cost per article: every story of 2+ articles of a small stream."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_stream(Path(tmp) / "stream.jsonl", n, seed=4)
        db = Path(tmp) / "analysed.db"
        r = batch.run(
            [str(corpus)],
            f"sqlite:///{db}",
            settings=load_settings(),
            options=batch.BatchOptions(workers=workers, work=str(db) + ".batch"),
        )
        with Collection(f"sqlite:///{db}") as c:
            members = sum(s.size for s in c.stories() if s.size >= 2)
    s = r.stages["analyse"]
    print(
        f"analyses: {r.analysed:,} stories of 2+ articles ({members:,} articles) in {s.seconds:.0f} s on {workers} "
        f"workers; {1000 * s.task_seconds / members:.0f} ms of task time per article (models loaded once per "
        f"worker); peak {s.peak_rss / 1e6:.0f} MB per worker"
    )


def _single(corpus: Path, folder: Path, n: int) -> None:
    started = time.perf_counter()
    with Collection(f"sqlite:///{folder / 'single.db'}") as c:
        ingest_into(c, [str(corpus)], settings=load_settings())
    wall = time.perf_counter() - started
    print(f"  {n:>9,} {'ingest':>7} {wall:>8.1f} {n / wall:>7.0f}   (one process, `manysides ingest`, for the ratio)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--equality", type=int, default=20_000, help="articles of the equality check (0: skip)")
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes of the scaling table")
    parser.add_argument("--workers", default="1,2", help="worker processes to compare")
    parser.add_argument("--analyses", type=int, default=2_000, help="articles of the analysis cost run (0: skip)")
    args = parser.parse_args()
    if args.equality:
        equality(args.equality)
    if args.analyses:
        analysis(args.analyses)
    scaling([int(s) for s in args.sizes.split(",") if s], [int(w) for w in args.workers.split(",") if w])


if __name__ == "__main__":
    main()
