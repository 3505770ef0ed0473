"""The batch run's tasks: plain functions of a ``Plan`` and a partition, run on Dask workers.

Each reads the files of the stages before it and writes its own (``files``), so that a
task that fails is simply run again, and a finished one is not: its marker is there.

1. ``read_shard``: a shard of the inputs -> articles (read, cleaned, language, story
   features) by time window, and their LSH bucket rows by shard of bucket key.
2. ``pair_shard``: one shard of buckets -> candidate pairs (counted) by window of each
   article, and the exact duplicates (``lsh``).
3. ``verify_window``: a window's articles -> their neighbour lists (the engine's cosines
   over each article's best candidates).
4. ``cut_window``: a window and the windows within the story horizon around it -> stories
   (a round of NN-descent over their lists, then the engine's pair model and cut,
   ``StoryIndex.descend`` and ``StoryIndex.recluster``).
5. ``write_window``: a window's articles with their final story ids -> the collection.
6. ``summarise_stories``, ``analyse_story``: story rows; each story's report, kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

from ..annotate import detect_language
from ..cluster.engine import Neighbour, SparseRows, StoryIndex, StoryModel
from ..cluster.features import from_bytes, story_features, to_bytes
from ..dates import day_number
from ..errors import InputError
from ..ingest import Fetcher, ingest, load_manifest
from ..ingest.readers import jsonl_document
from ..model import Article, RawDocument, Skipped
from ..nlp import Models
from ..outlets import load_registry
from ..pipeline import clean_documents, kept_report
from ..settings import Settings
from ..store import Collection, article_row, text_hash
from . import lsh
from .files import (
    ARTICLES,
    BANDS,
    DUPLICATES,
    LABELS,
    NEIGHBOURS,
    PAIRS,
    STORIES,
    UNDATED,
    WRITTEN,
    read_marker,
    read_table,
    read_tables,
    window_name,
    write_marker,
    write_table,
)

#: A bound on one input file of a batch run (a CC-NEWS WARC file is about 1 GB).
MAX_SHARD_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class Shard:
    """A part of the inputs read by one task: files, or a range of lines of one JSONL file."""

    index: int
    files: tuple[str, ...]
    lines: tuple[int, int] | None = None  # [first, last] line numbers, 1-based, inclusive
    manifest: str | None = None


@dataclass(frozen=True)
class Plan:
    """What every task of one run shares."""

    work: str
    db: str
    settings: Settings
    model: StoryModel
    shards: int  # LSH shards (the width of the shuffle)
    span: float  # days per time window
    started: str  # ISO instant the run started (the ingest time of its articles)
    since: float | None = None  # day numbers: only articles dated in [since, until)
    until: float | None = None
    windows: tuple[int, ...] = field(default=())

    @property
    def folder(self) -> Path:
        return Path(self.work)

    def window_of(self, day: float | None) -> int:
        return UNDATED if day is None else math.floor(day / self.span)

    def windows_of(self, days: np.ndarray) -> np.ndarray:
        """``window_of`` over an array of days (NaN: undated)."""
        with np.errstate(invalid="ignore"):
            found = np.floor(days / self.span)
        return np.where(np.isnan(days), UNDATED, found).astype(np.int32)

    @property
    def reach(self) -> int:
        """Windows on each side that an article's neighbours can be in."""
        return max(1, math.ceil(self.model.window_days / self.span))


ARTICLE_SCHEMA = pa.schema(
    [
        ("handle", pa.int64()),
        ("id", pa.string()),
        ("day", pa.float64()),
        ("window", pa.int32()),
        ("record", pa.string()),
        ("features", pa.binary()),
    ]
)
BAND_SCHEMA = pa.schema([("key", pa.uint64()), ("handle", pa.int64()), ("day", pa.float64()), ("window", pa.int32())])
PAIR_SCHEMA = pa.schema(
    [("a", pa.int64()), ("b", pa.int64()), ("n", pa.int64()), ("wa", pa.int32()), ("wb", pa.int32())]
)
NEIGHBOUR_SCHEMA = pa.schema([("handle", pa.int64()), ("neighbours", pa.string()), ("partners", pa.int64())])
STORY_SCHEMA = pa.schema([("handle", pa.int64()), ("story", pa.string())])
LABEL_SCHEMA = pa.schema(
    [("handle", pa.int64()), ("id", pa.string()), ("label", pa.string()), ("core", pa.bool_()), ("why", pa.string())]
)


def _stats(started: float, **more: Any) -> dict[str, Any]:
    return {"seconds": round(time.perf_counter() - started, 4), "pid": os.getpid(), "peak_rss": _peak(), **more}


def _peak() -> int:
    """This process's peak resident memory in bytes (Linux reports KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


T = TypeVar("T")
Task = Callable[[Plan, T], dict[str, Any]]


def _once(marker: Callable[[Plan, T], Path]) -> Callable[[Task[T]], Task[T]]:
    """Make a task run once: when its marker is there (a retried task, a restarted run), the
    marker's figures come back (``reused``); else it runs, and its figures (with its time,
    process and peak memory) become the marker, written after its files."""

    def wrap(fn: Task[T]) -> Task[T]:
        @functools.wraps(fn)
        def task(plan: Plan, item: T) -> dict[str, Any]:
            path = marker(plan, item)
            done = read_marker(path)
            if done is not None:
                return {**done, "reused": True}
            started = time.perf_counter()
            stats = _stats(started, **fn(plan, item))
            write_marker(path, stats)
            return stats

        return task

    return wrap


def _shard_marker(plan: Plan, shard: Shard) -> Path:
    return plan.folder / ARTICLES / f"p{shard.index:05d}.json"


def _window_marker(stage: str) -> Callable[[Plan, int], Path]:
    return lambda plan, window: plan.folder / stage / f"{window_name(window)}.json"


# -- 1. read ----------------------------------------------------------------------------


@_once(_shard_marker)
def read_shard(plan: Plan, shard: Shard) -> dict[str, Any]:
    """Read, clean and featurise a shard; write its articles by window and its bucket rows."""
    settings = plan.settings
    docs, skipped = _documents(shard, settings)
    articles, more = _clean(docs, settings)
    skipped += more
    kept: list[tuple[Article, float | None]] = []
    for a in articles:
        day = day_number(a.published)
        reason = _outside(plan, day)
        if reason:
            skipped.append(Skipped(a.source, reason))
        else:
            kept.append((replace(a, language=a.language or detect_language(a.text)), day))
    rows: dict[int, list[dict[str, Any]]] = {}
    bands: list[tuple[np.ndarray, int, float, int]] = []
    for row, (a, day) in enumerate(kept):
        handle = (shard.index << 32) | row
        feats = story_features(a.title, a.text, language=a.language, published=a.published)
        window = plan.window_of(day)
        rows.setdefault(window, []).append(
            {
                "handle": handle,
                "id": a.id,
                "day": math.nan if day is None else day,
                "window": window,
                "record": json.dumps(a.as_dict(), ensure_ascii=False),
                "features": to_bytes(feats),
            }
        )
        bands.append((lsh.bucket_keys(feats, text_hash(a.text)), handle, math.nan if day is None else day, window))
    for window, items in rows.items():
        write_table(
            plan.folder / ARTICLES / window_name(window) / f"p{shard.index:05d}.parquet",
            pa.Table.from_pylist(items, schema=ARTICLE_SCHEMA),
        )
    _write_bands(plan, shard.index, bands)
    return {
        "articles": len(kept),
        "documents": len(docs),
        "skipped": [[s.source, s.reason] for s in skipped],
        "windows": sorted(rows),
    }


def _documents(shard: Shard, settings: Settings) -> tuple[list[RawDocument], list[Skipped]]:
    if shard.lines is None:
        manifest = load_manifest(shard.manifest) if shard.manifest else None
        fetcher = Fetcher.from_limits(settings.limits)  # never used: batch inputs are files
        try:
            return ingest(list(shard.files), manifest, fetcher=fetcher, max_bytes=MAX_SHARD_BYTES)
        finally:
            fetcher.close()
    docs: list[RawDocument] = []
    skipped: list[Skipped] = []
    first, last = shard.lines
    path = shard.files[0]
    with open(path, encoding="utf-8", errors="replace", newline="\n") as fh:
        for line_no, line in enumerate(fh, start=1):
            if line_no < first:
                continue
            if line_no > last:
                break
            if not line.strip():
                continue
            try:
                docs.append(jsonl_document(path, line_no, line.rstrip("\n").rstrip("\r")))
            except InputError as exc:
                skipped.append(Skipped(exc.source, exc.reason))
    return docs, skipped


def _clean(docs: list[RawDocument], settings: Settings) -> tuple[list[Article], list[Skipped]]:
    # One process per task (``workers.map_chunks`` does not fork in a Dask worker).
    return clean_documents(docs, _registry(), settings)


@lru_cache(maxsize=1)
def _registry() -> Any:
    return load_registry()


def _outside(plan: Plan, day: float | None) -> str | None:
    if plan.since is None and plan.until is None:
        return None
    if day is None:
        return "no publication date; --since/--until keep dated articles only"
    if plan.since is not None and day < plan.since:
        return "published before --since; not added"
    if plan.until is not None and day >= plan.until:
        return "published on or after --until; not added"
    return None


def _write_bands(plan: Plan, index: int, bands: list[tuple[np.ndarray, int, float, int]]) -> None:
    if bands:
        keys = np.concatenate([k for k, _, _, _ in bands])
        counts = [len(k) for k, _, _, _ in bands]
        handles = np.repeat(np.array([h for _, h, _, _ in bands], dtype=np.int64), counts)
        days = np.repeat(np.array([d for _, _, d, _ in bands], dtype=np.float64), counts)
        windows = np.repeat(np.array([w for _, _, _, w in bands], dtype=np.int32), counts)
    else:
        keys, handles = np.empty(0, np.uint64), np.empty(0, np.int64)
        days, windows = np.empty(0, np.float64), np.empty(0, np.int32)
    shard = lsh.shard_of(keys, plan.shards)
    for j in range(plan.shards):
        mine = shard == j
        table = pa.table(
            {"key": keys[mine], "handle": handles[mine], "day": days[mine], "window": windows[mine]},
            schema=BAND_SCHEMA,
        )
        write_table(plan.folder / BANDS / f"s{j:04d}" / f"p{index:05d}.parquet", table)


# -- 2. pairs ---------------------------------------------------------------------------


@_once(lambda plan, j: plan.folder / PAIRS / f"s{j:04d}.json")
def pair_shard(plan: Plan, j: int) -> dict[str, Any]:
    """Group one shard's buckets into counted candidate pairs, written by window of each end."""
    t = read_tables(plan.folder / BANDS / f"s{j:04d}", schema=BAND_SCHEMA)
    keys = t.column("key").to_numpy()
    handles = t.column("handle").to_numpy()
    days = t.column("day").to_numpy()
    dup = lsh.duplicates(keys, handles, days)
    write_table(plan.folder / DUPLICATES / f"s{j:04d}.parquet", pa.table({"handle": pa.array(dup, pa.int64())}))
    a, b, n = lsh.bucket_pairs(keys, handles, days, plan.model.window_days)
    known, first = np.unique(handles, return_index=True)
    wa, wb = (plan.windows_of(days[first][np.searchsorted(known, x)]) for x in (a, b))
    for w in sorted(set(wa.tolist()) | set(wb.tolist())):
        mine = (wa == w) | (wb == w)
        table = pa.table({"a": a[mine], "b": b[mine], "n": n[mine], "wa": wa[mine], "wb": wb[mine]}, schema=PAIR_SCHEMA)
        write_table(plan.folder / PAIRS / window_name(w) / f"s{j:04d}.parquet", table)
    return {"rows": len(keys), "pairs": len(a), "duplicates": len(dup)}


def _dropped(plan: Plan) -> np.ndarray:
    t = read_tables(plan.folder / DUPLICATES, schema=pa.schema([("handle", pa.int64())]))
    return np.unique(t.column("handle").to_numpy())


# -- 3. verify --------------------------------------------------------------------------


@_once(_window_marker(NEIGHBOURS))
def verify_window(plan: Plan, window: int) -> dict[str, Any]:
    """Neighbour lists of a window's articles: each keeps its best LSH partners (``lsh.PARTNERS``),
    scored by the engine's word and name cosines; the ``neighbours`` nearest among those
    over ``min_link`` stay, as the incremental engine keeps them."""
    name = window_name(window)
    dropped = _dropped(plan)
    core = _articles(plan, [window], dropped)
    pairs = read_tables(plan.folder / PAIRS / name, schema=PAIR_SCHEMA)
    a, b, n, wa, wb = (pairs.column(c).to_numpy() for c in ("a", "b", "n", "wa", "wb"))
    live = ~np.isin(a, dropped) & ~np.isin(b, dropped)
    a, b, n, wa, wb = a[live], b[live], n[live], wa[live], wb[live]
    a, b, n, wa, wb = _sum_counts(a, b, n, wa, wb)
    core_handles = core.column("handle").to_numpy()
    chosen = lsh.top_partners(a, b, n, core_handles.tolist())
    partner_windows = sorted({int(w) for w in np.concatenate([wa, wb]).tolist()} - {window})
    others = _articles(plan, partner_windows, dropped)
    rows = _Rows(pa.concat_tables([core, others]))
    lists = _neighbour_lists(plan.model, rows, core_handles, chosen)
    table = pa.table(
        {
            "handle": pa.array(core_handles, pa.int64()),
            "neighbours": [json.dumps(lists[h][0]) for h in core_handles.tolist()],
            "partners": pa.array([len(lists[h][1]) for h in core_handles.tolist()], pa.int64()),
        },
        schema=NEIGHBOUR_SCHEMA,
    )
    write_table(plan.folder / NEIGHBOURS / f"{name}.parquet", table)
    return {"articles": len(core_handles), "candidates": len(chosen)}


def _sum_counts(*cols: np.ndarray) -> tuple[np.ndarray, ...]:
    """One row per pair, collisions summed over the shards that found it."""
    a, b, n, wa, wb = cols
    known, first = np.unique(np.concatenate([a, b]), return_index=True)
    windows = np.concatenate([wa, wb])[first]
    a, b, n = lsh.count_pairs(a, b, n)
    return a, b, n, windows[np.searchsorted(known, a)], windows[np.searchsorted(known, b)]


def _articles(plan: Plan, windows: Sequence[int], dropped: np.ndarray) -> pa.Table:
    """The articles of some windows, duplicates left out, in handle order."""
    parts = [read_tables(plan.folder / ARTICLES / window_name(w), schema=ARTICLE_SCHEMA) for w in windows]
    t = pa.concat_tables(parts) if parts else ARTICLE_SCHEMA.empty_table()
    keep = ~np.isin(t.column("handle").to_numpy(), dropped)
    t = t.filter(pa.array(keep))
    return t.take(pa.array(np.argsort(t.column("handle").to_numpy(), kind="stable")))


class _Rows:
    """Articles' story features by handle, as the engine's sparse rows (for its dot products)."""

    def __init__(self, table: pa.Table) -> None:
        self.handles = table.column("handle").to_numpy()
        self.row_of = {h: r for r, h in enumerate(self.handles.tolist())}
        self.ids = table.column("id").to_pylist()
        self.feats = [from_bytes(f) for f in table.column("features").to_pylist()]
        self.days = table.column("day").to_numpy()
        self.words, self.names = SparseRows(), SparseRows()
        for f in self.feats:
            self.words.append(f.word_keys, f.word_weights)
            self.names.append(f.name_keys, f.name_weights)


def _neighbour_lists(
    model: StoryModel, rows: _Rows, core: np.ndarray, chosen: set[tuple[int, int]]
) -> dict[int, tuple[list[list[Any]], list[int]]]:
    partners: dict[int, list[int]] = {int(h): [] for h in core.tolist()}
    for p, q in sorted(chosen):
        if p in partners and q in rows.row_of:
            partners[p].append(q)
        if q in partners and p in rows.row_of:
            partners[q].append(p)
    out: dict[int, tuple[list[list[Any]], list[int]]] = {}
    for h, found in partners.items():
        me, others = rows.row_of[h], [rows.row_of[q] for q in found]
        words = rows.words.dots(me, others)
        names = rows.names.dots(me, others)
        keep = (words + names >= model.min_link).tolist()
        scored = [
            (float(w) + float(m), rows.ids[o], float(w), float(m))
            for o, w, m, k in zip(others, words.tolist(), names.tolist(), keep, strict=True)
            if k
        ]
        scored.sort(key=lambda s: (-s[0], s[1]))
        out[h] = ([[i, w, m, 0.0] for _, i, w, m in scored[: model.neighbours]], found)
    return out


# -- 4. cut -----------------------------------------------------------------------------


@_once(_window_marker(LABELS))
def cut_window(plan: Plan, window: int) -> dict[str, Any]:
    """Stories of a window's articles, cut by the engine over the window and the windows
    within the story horizon (``window_days``) on each side, so that a story that crosses
    the window's edge is seen whole. Labels of every article of that region are written;
    the run joins a window's stories with its neighbours' through the articles they share."""
    name = window_name(window)
    if window == UNDATED:
        region = list(plan.windows)
    else:
        region = [w for w in plan.windows if w == UNDATED or abs(w - window) <= plan.reach]
    dropped = _dropped(plan)
    t = _articles(plan, region, dropped)
    lists: dict[int, str] = {}
    for w in region:
        nt = read_table(plan.folder / NEIGHBOURS / f"{window_name(w)}.parquet", NEIGHBOUR_SCHEMA)
        lists.update(zip(nt.column("handle").to_pylist(), nt.column("neighbours").to_pylist(), strict=True))
    handles = t.column("handle").to_numpy()
    ids = t.column("id").to_pylist()
    days = t.column("day").to_numpy()
    windows = t.column("window").to_numpy()
    # Restored in time order (undated last), as the incremental engine meets them.
    order = np.lexsort((handles, np.where(np.isnan(days), np.inf, days))).tolist()
    index = StoryIndex(plan.model)
    features = t.column("features").to_pylist()
    for r in order:
        day = None if math.isnan(days[r]) else float(days[r])
        index.restore(ids[r], from_bytes(features[r]), day, None, searchable=False)
    edges = 0
    for r in order:
        found = json.loads(lists.get(int(handles[r]), "[]"))
        index.restore_neighbours(ids[r], [Neighbour(x[0], x[1], x[2], x[3]) for x in found])
        edges += len(found)
    # The lists were found by LSH, window by window: one round of NN-descent over the region
    # brings them nearer to the exact ones (and to the engine's), before the cut.
    index.descend()
    index.recluster()
    core = [r for r in order if windows[r] == window]
    whys = dict(zip(core, index.whys([index.row_of[ids[r]] for r in core]), strict=True))
    table = pa.table(
        {
            "handle": pa.array([int(handles[r]) for r in order], pa.int64()),
            "id": [ids[r] for r in order],
            "label": [index.story_of(ids[r]) or "" for r in order],
            "core": [bool(windows[r] == window) for r in order],
            "why": [json.dumps(whys[r]) if r in whys else None for r in order],
        },
        schema=LABEL_SCHEMA,
    )
    write_table(plan.folder / LABELS / f"{name}.parquet", table)
    return {"region": len(order), "core": len(core), "edges": edges}


# -- 5. write ---------------------------------------------------------------------------


@_once(_window_marker(WRITTEN))
def write_window(plan: Plan, window: int) -> dict[str, Any]:
    """Write a window's articles (story, neighbours, why) into the collection; a retry or
    a restarted run writes nothing twice (``Collection.add_stored``)."""
    name = window_name(window)
    t = _articles(plan, [window], _dropped(plan))
    nt = read_table(plan.folder / NEIGHBOURS / f"{name}.parquet", NEIGHBOUR_SCHEMA)
    neighbours = dict(zip(nt.column("handle").to_pylist(), nt.column("neighbours").to_pylist(), strict=True))
    lt = read_table(plan.folder / LABELS / f"{name}.parquet", LABEL_SCHEMA)
    why = {h: w for h, w, c in zip(*(lt.column(x).to_pylist() for x in ("handle", "why", "core")), strict=True) if c}
    st = read_table(plan.folder / STORIES / f"{name}.parquet", STORY_SCHEMA)
    story = dict(zip(st.column("handle").to_pylist(), st.column("story").to_pylist(), strict=True))
    now = dt.datetime.fromisoformat(plan.started)
    today = now.timestamp() / 86400.0
    rows = []
    for h, record, day, feats in zip(
        *(t.column(c).to_pylist() for c in ("handle", "record", "day", "features")), strict=True
    ):
        a = Article.from_dict(json.loads(record))
        dated = None if day is None or math.isnan(day) else float(day)
        found = why.get(h)
        rows.append(
            article_row(
                a,
                feats,
                dated,
                today if dated is None else dated,
                now,
                json.loads(neighbours.get(h, "[]")),
                story.get(h),
                json.loads(found) if found else None,
            )
        )
    added = _collection(plan.db).add_stored(rows)
    return {"articles": len(rows), "added": added}


@lru_cache(maxsize=4)
def _collection(url: str) -> Collection:
    """One collection (one connection pool) per worker process and database."""
    return Collection(url)


def summarise_stories(plan: Plan, story_ids: Sequence[str]) -> int:
    _collection(plan.db).summarise(story_ids)
    return len(story_ids)


# -- 6. analyse -------------------------------------------------------------------------


def analyse_story(plan: Plan, story_id: str) -> dict[str, Any]:
    """Analyse one story and keep its report in the collection (nothing when it is kept
    already: a retried task or a restarted run)."""
    started = time.perf_counter()
    _, _, analysed = kept_report(
        _collection(plan.db), story_id, settings=plan.settings, models=_models(plan.settings.model_dump_json())
    )
    return _stats(started, story=story_id, analysed=analysed)


@lru_cache(maxsize=1)
def _models(settings_json: str) -> Models:
    """One set of models per worker process (loaded on its first story)."""
    return Models(Settings.model_validate_json(settings_json))
