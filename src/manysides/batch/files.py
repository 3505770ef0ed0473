"""The run's work folder: every stage reads and writes partition files here (Parquet).

A file appears only whole (written beside, then renamed), and a task whose output is
already there returns at once: a task retried after its worker died, or a run restarted
after it was killed, redoes only what was not finished. The folder must be one every
worker sees (a local disk for a LocalCluster; a shared file system on a cluster).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

#: Stage folders of a run, in order.
ARTICLES, BANDS, PAIRS, DUPLICATES, NEIGHBOURS, LABELS, STORIES, WRITTEN = (
    "articles",
    "bands",
    "pairs",
    "duplicates",
    "neighbours",
    "labels",
    "stories",
    "written",
)
UNDATED = -1  # the window of undated articles


def window_name(window: int) -> str:
    return "undated" if window == UNDATED else f"w{window:06d}"


def write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet file whole (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def read_tables(folder: Path, columns: list[str] | None = None, schema: pa.Schema | None = None) -> pa.Table:
    """Every Parquet file of a folder, end to end, in file name order (empty when none)."""
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        if schema is None:
            return pa.table({})
        return schema.empty_table() if columns is None else schema.empty_table().select(columns)
    return pa.concat_tables([pq.read_table(f, columns=columns) for f in files])


def read_table(path: Path, schema: pa.Schema) -> pa.Table:
    """One Parquet file (empty, of ``schema``, when the stage wrote none for it)."""
    return pq.read_table(path) if path.is_file() else schema.empty_table()


def write_marker(path: Path, data: Mapping[str, Any]) -> None:
    """A small JSON file that says a task finished (and what it did)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def read_marker(path: Path) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return found


def folder_bytes(folder: Path) -> int:
    """Bytes of the finished files under a folder (what a stage wrote for the next one)."""
    return sum(f.stat().st_size for f in _files(folder))


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (f for f in folder.rglob("*") if f.is_file() and not f.name.startswith("."))
