"""Story assignment: throughput, and how cost and memory per article grow with the collection.

    python -m bench.stories [--max 1000000] [--skip-scaling]

1. Throughput without embeddings (the default): story features + neighbour search + cut,
   on the 772 real ECB+ documents, and on 20,000 synthetic articles dated 2,000 a day;
   then through a SQLite collection (``Collection.add``: the same plus the database).
2. With embeddings: the MiniLM embedding of each article's lead, then the same with the
   embedding as a feature; the embedding's share reported apart.
3. Scaling: one undated synthetic stream (every article in one time window, so the index
   holds them all: the worst case; 500 stories develop at once, so a story's articles are
   spread over thousands of others) built up to ``--max``; at 10k, 30k, 100k, 300k and 1M
   articles the next 2,000 additions are timed (CPU time of the adding process, so that
   other work on the machine does not count; features excluded: they cost the same at
   any size, and are computed in a second process while the main one adds), the
   process's resident memory per article is read, and the BCubed F1 of all stories so
   far against the stories the stream was made from (capping the index's work must not
   cost quality as it grows).
4. What order independence costs, on the first 10,000 articles of the scaling stream (CPU
   time, each variant run twice, interleaved): adding and cutting with the engine's
   ``RESETTLE`` against without it (a story cut again when a new article enters a member's
   neighbour list); and a cut of everything from scratch with and without a round of
   NN-descent first (``StoryIndex.descend``, ``DESCENT``: what each batch cut task adds).

Synthetic articles: ``bench.corpus.synthetic_stream`` over sentences of real news (ECB+
and PolNeAR, read from ../shared/data at run time) when present, else the seed coverage.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from eval.common import bcubed

from bench.corpus import ecb_articles, sentence_pool, synthetic_stream
from manysides.cluster.engine import DESCENT, RESETTLE, StoryIndex, load_story_model
from manysides.cluster.features import Features, story_features
from manysides.dates import day_number
from manysides.index.text import lead_text
from manysides.model import Article
from manysides.nlp import Models
from manysides.settings import load_settings
from manysides.store import Collection

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "nato-2024-04-04"
CHECKPOINTS = (10_000, 30_000, 100_000, 300_000, 1_000_000)
WINDOW = 2_000
BATCH = 100
#: Stories developing at once in the scaling stream (a story's articles spread over ~4,000).
CONCURRENT = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max", type=int, default=1_000_000, help="largest collection of the scaling curve")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--only-scaling", action="store_true")
    args = parser.parse_args()
    if args.only_scaling:
        _scaling(sentence_pool() or None, args.max)
    else:
        run(args.max, scaling=not args.skip_scaling)


def run(largest: int = 1_000_000, scaling: bool = True) -> None:
    pool = sentence_pool() or None
    kind = "sentences of real news (ECB+, PolNeAR)" if pool else "the seed coverage"
    print(f"story assignment ({os.cpu_count()} cores; synthetic articles from {kind}):")
    _throughput(pool)
    _collection(pool)
    _with_embeddings(pool)
    _order_cost(pool)
    if scaling:
        _scaling(pool, largest)


def _items(n: int, pool: list[str] | None, per_day: int = 0, seed: int = 1) -> list[dict[str, str]]:
    return list(synthetic_stream(n, SEEDS, seed=seed, per_day=per_day, pool=pool))


def _assign(index: StoryIndex, items: list[dict[str, str]], vectors: list[object] | None = None) -> float:
    """Seconds to compute features, add and cut ``items`` (cut every ``BATCH``)."""
    started = time.perf_counter()
    for k, item in enumerate(items):
        vec = None if vectors is None else vectors[k]
        index.add(
            item["id"],
            story_features(item.get("title"), item["text"], vec, published=item.get("published")),  # type: ignore[arg-type]
            day_number(item.get("published")),
        )
        if (k + 1) % BATCH == 0:
            index.cut()
    index.cut()
    return time.perf_counter() - started


def _throughput(pool: list[str] | None) -> None:
    real = ecb_articles()
    if real:
        seconds = _assign(StoryIndex(load_story_model()), [{"id": str(d["id"]), "text": d["text"]} for d in real])
        print(f"  without embeddings, {len(real)} ECB+ documents: {len(real) / seconds:,.0f} articles/s")
    items = _items(20_000, pool, per_day=2_000)
    seconds = _assign(StoryIndex(load_story_model()), items)
    print(
        f"  without embeddings, {len(items):,} synthetic articles (2,000 a day): {len(items) / seconds:,.0f} articles/s"
    )


def _collection(pool: list[str] | None) -> None:
    items = _items(5_000, pool, per_day=2_000, seed=2)
    articles = [
        Article.from_sentences(
            i["id"], i["text"].split("\n"), title=i["title"], published=i.get("published"), source=i["id"]
        )
        for i in items
    ]
    with tempfile.TemporaryDirectory() as tmp, Collection(f"sqlite:///{Path(tmp) / 'bench.db'}") as collection:
        result = collection.add(articles)
        again = collection.add(articles[:1000])
    print(
        f"  through a SQLite collection, {result.added:,} articles in batches of 100: "
        f"{result.added / result.seconds:,.0f} articles/s; re-ingesting 1,000 known ones: {1000 / again.seconds:,.0f}/s"
    )


def _with_embeddings(pool: list[str] | None) -> None:
    models = Models(load_settings())
    models.embed(["warm up"])
    items = _items(2_000, pool, per_day=2_000, seed=3)
    started = time.perf_counter()
    vectors = list(models.embed([lead_text(i.get("title"), i["text"]) for i in items]))
    embedding = time.perf_counter() - started
    seconds = _assign(StoryIndex(load_story_model(), dense=True), items, vectors)  # type: ignore[arg-type]
    total = embedding + seconds
    print(
        f"  with embeddings, {len(items):,} synthetic articles: {len(items) / total:,.0f} articles/s "
        f"(embedding the leads {len(items) / embedding:,.0f}/s, the rest {len(items) / seconds:,.0f}/s)"
    )


#: Articles of the scaling stream read for ``_order_cost``; a ``resettle`` that turns it off.
ORDER_ARTICLES, OFF = 10_000, 2.0


def _order_cost(pool: list[str] | None) -> None:
    """``RESETTLE`` on and off, and ``descend`` before a full cut or not, side by side."""
    stream = synthetic_stream(ORDER_ARTICLES, SEEDS, seed=4, pool=pool, concurrent=CONCURRENT)
    items = [_featurise(item) for item in stream]
    truth = [aid.split("-")[0] for aid, _ in items]

    def build(resettle: float) -> tuple[StoryIndex, float, float]:
        index = StoryIndex(load_story_model(), resettle=resettle)
        add = cut = 0.0
        for n, (aid, feats) in enumerate(items):
            t0 = time.process_time()
            index.add(aid, feats, None)
            t1 = time.process_time()
            add += t1 - t0
            if (n + 1) % BATCH == 0 or n + 1 == len(items):
                index.cut()
                cut += time.process_time() - t1
        return index, add, cut

    runs: dict[float, list[tuple[float, float]]] = {RESETTLE: [], OFF: []}
    scores: dict[float, float] = {}
    shipped: StoryIndex | None = None
    for _ in range(2):
        for resettle in runs:
            index, add, cut = build(resettle)
            runs[resettle].append((add, cut))
            scores[resettle] = bcubed([index.label[r] for r in range(len(index))], truth)[2]
            shipped = index if resettle == RESETTLE else shipped
    (on_add, on_cut), (off_add, off_cut) = (np.mean(runs[x], axis=0) for x in runs)
    print(
        f"  order independence, the first {len(items):,} articles of the scaling stream, cut every {BATCH}"
        f" (CPU seconds, mean of two runs each, interleaved):\n"
        f"    RESETTLE {RESETTLE} against off: add {on_add:.1f} / {off_add:.1f} s, cut {on_cut:.1f} / {off_cut:.1f} s"
        f" ({on_cut / off_cut:.2f}x), add + cut {(on_add + on_cut) / (off_add + off_cut):.2f}x;"
        f" BCubed F1 against the stream's stories {scores[RESETTLE]:.4f} / {scores[OFF]:.4f}"
    )
    assert shipped is not None
    timed: dict[bool, list[float]] = {False: [], True: []}
    found: dict[bool, float] = {}
    for _ in range(2):
        for descend in timed:
            index = copy.deepcopy(shipped)
            t0 = time.process_time()
            if descend:
                index.descend()
            index.recluster()
            timed[descend].append(time.process_time() - t0)
            found[descend] = bcubed([index.label[r] for r in range(len(index))], truth)[2]
    plain, with_descent = (float(np.mean(timed[x])) for x in (False, True))
    print(
        f"    one cut of all {len(items):,} from scratch, with a round of NN-descent ({DESCENT} + {DESCENT}) first"
        f" and without: {with_descent:.1f} / {plain:.1f} s ({with_descent / plain:.2f}x);"
        f" BCubed F1 {found[True]:.4f} / {found[False]:.4f}"
    )


def _featurise(item: dict[str, str]) -> tuple[str, Features]:
    return item["id"], story_features(item.get("title"), item["text"], published=item.get("published"))


def _scaling(pool: list[str] | None, largest: int) -> None:
    print(
        f"  scaling, one undated stream of {CONCURRENT} concurrent stories (every article in one window),"
        f" {WINDOW:,} additions timed at each size:"
    )
    print(
        f"    {'articles':>10}  {'ms/article':>10}  {'RSS MB':>8}  {'KB/article':>10}  {'index KB/article':>16}"
        f"  {'BCubed F1':>9}"
    )
    index = StoryIndex(load_story_model())
    base = _rss()
    stream = synthetic_stream(largest + WINDOW, SEEDS, seed=4, pool=pool, concurrent=CONCURRENT)
    marks = [c for c in CHECKPOINTS if c <= largest]
    first = None
    with multiprocessing.get_context("forkserver").Pool(1) as workers:
        timing_from = None
        for n, (aid, feats) in enumerate(_ahead(workers, stream)):
            if marks and n == marks[0]:
                timing_from, timed = time.process_time(), 0.0
            if timing_from is not None:
                t0 = time.process_time()
            index.add(aid, feats, None)
            if (n + 1) % BATCH == 0:
                index.cut()
                index.take_dirty()  # what a collection would write; not kept here
            if timing_from is not None:
                timed += time.process_time() - t0
                if n + 1 == marks[0] + WINDOW:
                    size = marks.pop(0)
                    per = 1000 * timed / WINDOW
                    first = first or per
                    rss = _rss()
                    ids = index.ids
                    _, _, f1 = bcubed([index.label[r] for r in range(len(ids))], [i.split("-")[0] for i in ids])
                    memory = f"{rss / 2**20:>8,.0f}  {(rss - base) / 1024 / len(index):>10.2f}"
                    print(
                        f"    {size:>10,}  {per:>10.2f}  {memory}  {index.nbytes / 1024 / len(index):>16.2f}"
                        f"  {f1:>9.3f}   ({per / first:.2f}x the cost at {CHECKPOINTS[0]:,})",
                        flush=True,
                    )
                    timing_from = None
                    if not marks:
                        break


def _ahead(workers: Any, stream: Iterator[dict[str, str]], chunk: int = 5_000) -> Iterator[tuple[str, Features]]:
    """Features of the stream, one chunk computed by the worker while the last is consumed
    (at most two chunks in memory)."""
    pending = workers.map_async(_featurise, list(itertools.islice(stream, chunk)))
    while True:
        done = pending.get()
        if not done:
            return
        pending = workers.map_async(_featurise, list(itertools.islice(stream, chunk)))
        yield from done


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    main()
