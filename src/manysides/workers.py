"""Per-article work split over worker processes that return plain records, not spaCy Docs.

spaCy's own ``nlp.pipe(n_process=N)`` sends every Doc back to the parent serialised, and
the parent's ``Doc.from_bytes`` (srsly's msgpack, which scans the installed packages'
entry points on every call) cost more CPU than the workers saved: on the 1,000-article
bench, 25 s of the parent's time for 11,000 Docs (cProfile, 2026-11-30). Here the workers
run the whole per-article step (NER and reading off the mentions; parsing and finding the
quotes) and send back only the small records the pipeline keeps.

Workers are forked, so they share the parent's loaded models copy-on-write and start in
milliseconds; where fork is not available (Windows, macOS' default), the work runs in the
parent process. Results come back in input order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Items per task sent to a worker: large enough that pickling is a small share, small
#: enough that two workers finish together.
CHUNK = 16

#: Below this many items, one process is faster than forking workers.
MULTIPROCESS_MIN = 200


def worker_count(n_items: int, requested: int = 0, minimum: int = MULTIPROCESS_MIN) -> int:
    """``requested`` when set (> 0); otherwise one per core (at most 2, the machines this is
    tuned on) from ``minimum`` items on, else 1."""
    if requested > 0:
        return requested
    return min(os.cpu_count() or 1, 2) if n_items >= minimum else 1


_TASK: tuple[Callable[[Any, Sequence[Any]], list[Any]], Any] | None = None


def map_chunks(fn: Callable[[Any, Sequence[T]], list[R]], model: Any, items: Sequence[T], processes: int) -> list[R]:
    """``fn(model, chunk)`` over chunks of ``items``, in ``processes`` forked workers (the
    parent alone when 1 or when fork is unavailable); results flattened in input order."""
    chunks = [items[lo : lo + CHUNK] for lo in range(0, len(items), CHUNK)]
    # A daemonic process (a Dask worker, a pool's worker) may not start processes of its own.
    alone = multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods()
    if processes <= 1 or len(chunks) <= 1 or alone:
        return [r for chunk in chunks for r in fn(model, chunk)]
    global _TASK
    _TASK = (fn, model)
    try:
        with multiprocessing.get_context("fork").Pool(min(processes, len(chunks))) as pool:
            parts = pool.map(_run, chunks, chunksize=1)
    finally:
        _TASK = None
    return [r for part in parts for r in part]


def _run(chunk: Sequence[Any]) -> list[Any]:
    if _TASK is None:  # pragma: no cover - only a worker forked by map_chunks runs this
        raise RuntimeError("map_chunks worker started without a task")
    os.environ["OMP_NUM_THREADS"] = "1"  # one core per worker: they already run side by side
    fn, model = _TASK
    return fn(model, chunk)
