"""Batch runs give the single-process engine's stories: BCubed F1 between the two.

The same JSON Lines corpus goes once through ``manysides ingest`` (the incremental engine,
one process) and once through ``manysides batch`` (Dask, a LocalCluster), each into its
own SQLite collection; every article's story is compared (BCubed F1 of one against the
other; 1.0 = the same stories), and the stories both runs made whole are counted.

On ECB+ (772 real documents; ``make eval``) and, in ``bench.batch``, on the story bench's
20,000-article synthetic stream. ``tests/test_batch.py`` pins the ECB+ floor.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from eval.common import bcubed, dataset, read_jsonl
from manysides import batch
from manysides.pipeline import ingest_into
from manysides.settings import load_settings
from manysides.store import Collection


def ecb_jsonl(path: Path) -> Path | None:
    """The ECB+ documents as a JSON Lines corpus (one article per line, its id given)."""
    folder = dataset("ecbplus")
    if folder is None:
        return None
    lines = [
        json.dumps({"id": str(d["id"]), "text": "\n".join(s["text"] for s in d["sentences"])})
        for d in read_jsonl(folder / "ecbplus_docs.jsonl")
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def compare_runs(
    corpus: Path, folder: Path, options: batch.BatchOptions | None = None, client: Any = None
) -> dict[str, Any]:
    """Ingest ``corpus`` in one process and in a batch run; their stories side by side."""
    settings = load_settings()
    started = time.perf_counter()
    with Collection(f"sqlite:///{folder / 'single.db'}") as c:
        ingest_into(c, [str(corpus)], settings=settings)
        single = batch.labels_of(c)
    single_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = batch.run(
        [str(corpus)],
        f"sqlite:///{folder / 'batch.db'}",
        settings=settings,
        options=options or batch.BatchOptions(workers=2, analyse=0),
        client=client,
    )
    batch_seconds = time.perf_counter() - started
    with Collection(f"sqlite:///{folder / 'batch.db'}") as c:
        parallel = batch.labels_of(c)
    return {
        **agreement(single, parallel),
        "single_seconds": single_seconds,
        "batch_seconds": batch_seconds,
        "result": result,
    }


def agreement(single: dict[str, str], parallel: dict[str, str]) -> dict[str, Any]:
    """BCubed of the batch stories against the single-process ones, and the stories of two
    articles or more that both made whole (the same members)."""
    ids = sorted(single)
    if sorted(parallel) != ids:
        missing = len(set(single) ^ set(parallel))
        raise AssertionError(f"the two runs kept different articles ({missing} in one only)")
    p, r, f1 = bcubed([parallel[i] for i in ids], [single[i] for i in ids])
    groups: dict[str, dict[str, set[str]]] = {"single": defaultdict(set), "batch": defaultdict(set)}
    for i in ids:
        groups["single"][single[i]].add(i)
        groups["batch"][parallel[i]].add(i)
    whole = {frozenset(m) for m in groups["single"].values() if len(m) > 1}
    same = sum(1 for m in groups["batch"].values() if len(m) > 1 and frozenset(m) in whole)
    return {"articles": len(ids), "precision": p, "recall": r, "f1": f1, "stories": len(whole), "identical": same}


def evaluate() -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = ecb_jsonl(Path(tmp) / "ecbplus.jsonl")
        if corpus is None:
            return None
        return compare_runs(corpus, Path(tmp))
