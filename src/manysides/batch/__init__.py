"""Batch runs over large corpora on Dask: the incremental engine's stories, computed in parallel.

``run`` turns sharded inputs (WARC, JSON Lines, folders of text or HTML) into an ordinary
collection, through the stages of ``tasks`` as Dask tasks over partition files (``files``):

1. read: each shard read, cleaned and featurised once (the ingest's own functions);
2. pairs: story candidates by a distributed MinHash-LSH (``lsh``), exact duplicates;
3. verify: each time window's neighbour lists (the engine's cosines);
4. cut: each window's stories by the engine's pair model and cut, over the window and
   the story horizon around it (the LSH lists first brought nearer the exact neighbours by a
   round of NN-descent over that region); then, here, the windows' stories joined through the
   articles they share;
5. write: the articles and their stories into the collection (idempotent);
6. summarise, then analyse each story (largest first), its report kept.

The cluster is a LocalCluster of ``workers`` processes, or the scheduler at ``scheduler``.
A run killed as a whole and started again with the same inputs and work folder goes on
from the partitions it finished; a worker lost mid-run has its tasks run again elsewhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..cluster.engine import load_story_model, story_id
from ..dates import day_number
from ..errors import ManysidesError
from ..ingest import MANIFEST_NAME
from ..model import Skipped
from ..settings import Settings
from ..store import Collection
from . import tasks
from .files import (
    BANDS,
    LABELS,
    PAIRS,
    STORIES,
    folder_bytes,
    read_marker,
    read_table,
    window_name,
    write_marker,
    write_table,
)
from .tasks import LABEL_SCHEMA, STORY_SCHEMA, Plan, Shard

__all__ = ["BatchError", "BatchOptions", "BatchResult", "plan_shards", "run"]

#: Lines of one JSON Lines file per read task, and files of a folder per read task: large
#: enough that a task's fixed cost is small, small enough that two workers finish together.
LINES_PER_SHARD = 2_000
FILES_PER_SHARD = 200
#: Stories whose rows one task rewrites.
STORIES_PER_TASK = 2_000
#: Files whose lines are split into shards (compressed ones are read whole).
SPLITTABLE = (".jsonl", ".ndjson")

#: Called as (stage, finished tasks, tasks of the stage); ``run`` stops when it raises.
Progress = Callable[[str, int, int], None]
STAGES = ("read", "pairs", "verify", "cut", "write", "summarise", "analyse")


class BatchError(ManysidesError):
    """A batch run cannot start or go on (a work folder of another run, no inputs)."""


@dataclass(frozen=True)
class BatchOptions:
    """How a run is cut up and where it runs (``manysides batch``'s options)."""

    workers: int = 2
    scheduler: str | None = None
    since: str | None = None
    until: str | None = None
    work: str | None = None
    #: Stories analysed, largest first: None every story of two articles or more, 0 none.
    analyse: int | None = None
    #: Days per time window (the unit of the verify, cut and write stages).
    span: float = 7.0
    #: Shards of the LSH shuffle (0: four per worker).
    shards: int = 0
    lines_per_shard: int = LINES_PER_SHARD
    files_per_shard: int = FILES_PER_SHARD


@dataclass(frozen=True)
class StageStats:
    """What one stage did: its tasks, the tasks a restarted run found finished, wall time."""

    tasks: int
    reused: int
    seconds: float
    task_seconds: float
    peak_rss: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "reused": self.reused,
            "seconds": round(self.seconds, 3),
            "task_seconds": round(self.task_seconds, 3),
            "peak_rss": self.peak_rss,
        }


@dataclass(frozen=True)
class BatchResult:
    articles: int
    duplicates: int
    stories: int
    analysed: int
    skipped: tuple[Skipped, ...]
    stages: dict[str, StageStats]
    shuffled_bytes: int
    work: str
    dashboard: str | None = None
    candidates: int = 0
    resumed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "duplicates": self.duplicates,
            "stories": self.stories,
            "analysed": self.analysed,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "stages": {k: v.as_dict() for k, v in self.stages.items()},
            "shuffled_bytes": self.shuffled_bytes,
            "candidates": self.candidates,
            "work": self.work,
            "dashboard": self.dashboard,
            "resumed": self.resumed,
        }


def run(
    inputs: Sequence[str],
    db: str,
    *,
    settings: Settings,
    options: BatchOptions | None = None,
    progress: Progress | None = None,
    client: Any = None,
    announce: Callable[[str], None] | None = None,
) -> BatchResult:
    """Run the batch stages over ``inputs`` into the collection at ``db``.

    ``client``: a ``distributed.Client`` to run on (else one is made from ``options``);
    ``announce`` is told where the cluster is (its dashboard, when bokeh is installed).
    """
    options = options or BatchOptions()
    shards = plan_shards(inputs, options)
    if not shards:
        raise BatchError("no input files found; give WARC, JSON Lines or text/HTML files or folders of them")
    since, until = _day(options.since, "--since"), _day(options.until, "--until")
    model = load_story_model(settings.clustering)
    key = run_key(shards, settings, options)
    work = Path(options.work or default_work(db))
    started = _claim_work(work, key, inputs)
    collection = Collection(db, clustering=settings.clustering)
    resumed = collection.claim_batch(key)
    ingest_run = collection.open_run(list(inputs), dt.datetime.fromisoformat(started))
    plan = Plan(
        work=str(work),
        db=db,
        settings=settings,
        model=model,
        shards=options.shards or 4 * max(options.workers, 1),
        span=options.span,
        started=started,
        since=since,
        until=until,
    )
    with _client(client, options) as dask:
        if announce is not None:
            announce(_where(dask))
        result = _stages(dask, plan, shards, options, progress or (lambda *_: None), collection, ingest_run)
    collection.close()
    return replace(result, resumed=resumed or result.resumed, dashboard=_dashboard(dask))


def _stages(
    client: Any,
    plan: Plan,
    shards: list[Shard],
    options: BatchOptions,
    progress: Progress,
    collection: Collection,
    ingest_run: int,
) -> BatchResult:
    stages: dict[str, StageStats] = {}
    read = _map(client, "read", tasks.read_shard, plan, shards, progress, stages)
    windows = sorted({w for r in read for w in r["windows"]})
    plan = replace(plan, windows=tuple(windows))
    paired = _map(client, "pairs", tasks.pair_shard, plan, list(range(plan.shards)), progress, stages)
    verified = _map(client, "verify", tasks.verify_window, plan, windows, progress, stages)
    _map(client, "cut", tasks.cut_window, plan, windows, progress, stages)
    sizes = _join_windows(plan, windows)
    written = _map(client, "write", tasks.write_window, plan, windows, progress, stages)
    ids = sorted(sizes)
    chunks = [ids[i : i + STORIES_PER_TASK] for i in range(0, len(ids), STORIES_PER_TASK)]
    _map(client, "summarise", tasks.summarise_stories, plan, chunks, progress, stages)
    skipped = tuple(Skipped(s, r) for part in read for s, r in part["skipped"])
    duplicates = sum(p["duplicates"] for p in paired)
    articles = sum(w["articles"] for w in written)
    collection.close_run(ingest_run, articles, duplicates, len(skipped))
    wanted = sorted((s for s, n in sizes.items() if n >= 2), key=lambda s: (-sizes[s], s))
    if options.analyse is not None:
        wanted = wanted[: options.analyse]
    analysed = _map(
        client, "analyse", tasks.analyse_story, plan, wanted, progress, stages, priorities=[sizes[s] for s in wanted]
    )
    return BatchResult(
        articles=articles,
        duplicates=duplicates,
        stories=len(sizes),
        analysed=sum(1 for a in analysed if a.get("analysed")),
        skipped=tuple(sorted(skipped, key=lambda s: s.source)),
        stages=stages,
        shuffled_bytes=folder_bytes(plan.folder / BANDS) + folder_bytes(plan.folder / PAIRS),
        work=plan.work,
        candidates=sum(v["candidates"] for v in verified),
        resumed=any(s.reused for s in stages.values()),
    )


def _map(
    client: Any,
    stage: str,
    fn: Callable[..., Any],
    plan: Plan,
    items: Sequence[Any],
    progress: Progress,
    stages: dict[str, StageStats],
    priorities: Sequence[int] = (),
) -> list[Any]:
    """Run ``fn(plan, item)`` for every item as Dask tasks; results in item order. A task
    whose worker dies is run again by the scheduler; one that raises is retried twice."""
    import distributed

    as_completed: Any = distributed.as_completed
    started = time.perf_counter()
    tag = hashlib.sha1(f"{plan.work}{plan.started}".encode()).hexdigest()[:8]
    futures = [
        client.submit(
            fn, plan, item, key=f"{stage}-{tag}-{n}", retries=2, priority=priorities[n] if priorities else 0, pure=False
        )
        for n, item in enumerate(items)
    ]
    position = {f.key: n for n, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    progress(stage, 0, len(futures))
    for done, future in enumerate(as_completed(futures), start=1):
        results[position[future.key]] = future.result()
        progress(stage, done, len(futures))
    stats = [r for r in results if isinstance(r, dict)]
    stages[stage] = StageStats(
        tasks=len(futures),
        reused=sum(1 for r in stats if r.get("reused")),
        seconds=time.perf_counter() - started,
        task_seconds=sum(float(r.get("seconds", 0.0)) for r in stats if not r.get("reused")),
        peak_rss=max([int(r.get("peak_rss", 0)) for r in stats] or [0]),
    )
    return results


def _join_windows(plan: Plan, windows: Sequence[int]) -> dict[str, int]:
    """Each window's stories joined with those of its neighbours through shared articles,
    then named as the engine names stories; writes each window's (article, story) and
    returns the size of every story.

    An article cut in a window other than its own joins its own story to the story it
    fell in there, when that story holds some of that window's own articles: a story
    that crosses a window's edge is one story, but the edge articles of a window's
    region never chain two stories of their own window."""
    tables = {w: read_table(plan.folder / LABELS / f"{window_name(w)}.parquet", LABEL_SCHEMA) for w in windows}
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def find(x: tuple[int, str]) -> tuple[int, str]:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    home: dict[int, tuple[int, str]] = {}
    for w, t in tables.items():
        for h, label, core in zip(*(t.column(c).to_pylist() for c in ("handle", "label", "core")), strict=True):
            if core:
                home[h] = (w, label)
    for w, t in tables.items():
        handles, labels, cores = (t.column(c).to_pylist() for c in ("handle", "label", "core"))
        owned = {label for label, core in zip(labels, cores, strict=True) if core}
        for h, label, core in zip(handles, labels, cores, strict=True):
            if not core and label in owned and h in home:
                a, b = find((w, label)), find(home[h])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[tuple[int, str], list[str]] = {}
    of: dict[int, tuple[int, str]] = {}
    for t in tables.values():
        for h, aid, core in zip(*(t.column(c).to_pylist() for c in ("handle", "id", "core")), strict=True):
            if core:
                root = find(home[h])
                members.setdefault(root, []).append(aid)
                of[h] = root
    names = {root: story_id(found) for root, found in members.items()}
    for w, t in tables.items():
        core = [h for h, c in zip(t.column("handle").to_pylist(), t.column("core").to_pylist(), strict=True) if c]
        write_table(
            plan.folder / STORIES / f"{window_name(w)}.parquet",
            pa.table(
                {"handle": pa.array(core, pa.int64()), "story": [names[of[h]] for h in core]}, schema=STORY_SCHEMA
            ),
        )
    return {names[root]: len(found) for root, found in members.items()}


# -- planning ---------------------------------------------------------------------------


def plan_shards(inputs: Sequence[str], options: BatchOptions) -> list[Shard]:
    """The read tasks: every file of the inputs (folders walked, hidden files and manifests
    left out, as ``ingest`` does); JSON Lines files cut into ranges of lines, other files
    grouped by folder."""
    from ..ingest import resolve_paths

    shards: list[Shard] = []
    for raw in inputs:
        skipped: list[Skipped] = []
        files = [str(p) for p in resolve_paths(raw, skipped)]
        if skipped and not files:
            raise BatchError(f"{raw}: {skipped[0].reason}")
        root = Path(raw)
        manifest = str(root / MANIFEST_NAME) if root.is_dir() and (root / MANIFEST_NAME).is_file() else None
        group: list[str] = []
        for f in files:
            if f.endswith(SPLITTABLE):
                shards.extend(_line_shards(len(shards), f, options.lines_per_shard))
                continue
            group.append(f)
            if len(group) == options.files_per_shard:
                shards.append(Shard(len(shards), tuple(group), manifest=manifest))
                group = []
        if group:
            shards.append(Shard(len(shards), tuple(group), manifest=manifest))
    return shards


def _line_shards(first: int, path: str, per: int) -> Iterator[Shard]:
    with open(path, "rb") as fh:
        lines = sum(1 for _ in fh)
    for k, lo in enumerate(range(1, lines + 1, per)):
        yield Shard(first + k, (path,), lines=(lo, min(lo + per - 1, lines)))


def run_key(shards: Sequence[Shard], settings: Settings, options: BatchOptions) -> str:
    """What a run's results depend on: its inputs (names, sizes, times), settings, options."""
    from ..pipeline import report_code

    described = []
    for s in shards:
        stats = [(f, Path(f).stat().st_size, Path(f).stat().st_mtime_ns) for f in s.files]
        described.append([s.index, stats, s.lines, s.manifest])
    blob = json.dumps(
        [
            described,
            settings.as_dict(),
            report_code(settings),
            options.span,
            options.shards or 4 * max(options.workers, 1),
            options.since,
            options.until,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def default_work(db: str) -> str:
    """Beside a SQLite file (``news.db`` -> ``news.db.batch``); else ``manysides-batch``."""
    if db.startswith("sqlite:///") and db != "sqlite:///:memory:":
        return db.removeprefix("sqlite:///") + ".batch"
    return "manysides-batch"


def _claim_work(work: Path, key: str, inputs: Sequence[str]) -> str:
    """The run's start time, kept in the work folder; a folder of another run is refused."""
    marker = work / "run.json"
    found = read_marker(marker)
    if found is not None:
        if found.get("key") != key:
            raise BatchError(
                f"{work} holds another run's files (other inputs, settings or options); remove it or give "
                "another --work folder"
            )
        return str(found["started"])
    started = dt.datetime.now(dt.UTC).isoformat()
    write_marker(marker, {"key": key, "started": started, "inputs": list(inputs)})
    return started


def _day(value: str | None, flag: str) -> float | None:
    if value is None:
        return None
    day = day_number(value)
    if day is None:
        raise BatchError(f"{flag} {value!r} is not a date; write it as 2024-04-04")
    return math.floor(day)


@contextlib.contextmanager
def _client(given: Any, options: BatchOptions) -> Iterator[Any]:
    if given is not None:
        yield given
        return
    import distributed

    engine: Any = distributed
    if options.scheduler:
        with engine.Client(options.scheduler) as client:
            yield client
        return
    # The scheduler's HTTP server (the dashboard, with bokeh) on a free port of this machine only.
    dashboard = "127.0.0.1:0"
    with (
        engine.LocalCluster(
            n_workers=max(options.workers, 1),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=dashboard,
        ) as cluster,
        engine.Client(cluster) as client,
    ):
        yield client


def _where(client: Any) -> str:
    workers = len(client.scheduler_info().get("workers", {}))
    link = _dashboard(client)
    shown = f"dashboard {link}" if link else "install bokeh for its dashboard"
    return f"Dask scheduler {client.scheduler.address}, {workers} workers; {shown}"


def _dashboard(client: Any) -> str | None:
    if importlib.util.find_spec("bokeh") is None:
        return None
    with contextlib.suppress(Exception):
        return str(client.dashboard_link)
    return None


def labels_of(collection: Collection) -> dict[str, str]:
    """Every article's story in a collection (what the equality checks compare)."""
    import sqlalchemy as sa

    from ..store.schema import articles

    with collection.engine.connect() as conn:
        return {aid: sid for aid, sid in conn.execute(sa.select(articles.c.id, articles.c.story_id))}
