"""A killed ingest keeps what it committed and says so; new files are created once even when
several processes open them at the same moment."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from bench.corpus import synthetic_stream

from conftest import EXAMPLE
from manysides.clean import clean
from manysides.model import RawDocument
from manysides.outlets import default_registry
from manysides.store import Collection


def _articles(n: int) -> list[object]:
    registry = default_registry()
    out = []
    for k, item in enumerate(synthetic_stream(n, EXAMPLE, seed=21)):
        doc = RawDocument(source=f"s{k:04d}.txt", content=item["text"], format="text", hints={"id": item["id"]})
        out.extend(clean(doc, registry))
    return out


class Killed(Exception):
    pass


def test_collection_a_killed_ingest_row_counts_what_was_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'news.db'}"
    articles = _articles(250)

    def die_after_first_batch(done: int, total: int) -> None:
        raise Killed

    with Collection(url) as c:
        with pytest.raises(Killed):
            c.add(articles, batch=100, progress=die_after_first_batch)  # type: ignore[arg-type]
        with c.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT added, finished_at FROM ingests").all()
        assert [tuple(r) for r in rows] == [(100, None)]
        assert c.count() == 100
        result = c.add(articles, batch=100)  # type: ignore[arg-type]
        with c.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT added, finished_at IS NOT NULL FROM ingests ORDER BY pk").all()
    assert result.added == 150 and [tuple(r) for r in rows] == [(100, 0), (150, 1)]


def _open(url: str, start: float, out: str) -> None:
    import time

    while time.time() < start:
        time.sleep(0.001)
    try:
        with Collection(url) as c:
            Path(out).write_text(json.dumps({"ok": c.count() == 0}))
    except Exception as exc:  # the test reports what went wrong
        Path(out).write_text(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))


def test_collection_first_opens_of_a_new_file_race_safely(tmp_path: Path) -> None:
    import time

    ctx = multiprocessing.get_context("spawn")
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'new{attempt}.db'}"
        start = time.time() + 3.0  # every process waits for the same moment, imports done
        outs = [tmp_path / f"out{attempt}-{k}.json" for k in range(4)]
        procs = [ctx.Process(target=_open, args=(url, start, str(o))) for o in outs]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        results = [json.loads(o.read_text()) for o in outs]
        assert all(r.get("ok") for r in results), results


def _mixed(n: int, seed: int = 33) -> list[object]:
    """Dated and undated articles mixed (an undated one may meet any date: the case a
    resumed ingest got wrong), in the order ``ingest`` sorts them."""
    registry = default_registry()
    out = []
    for k, item in enumerate(synthetic_stream(n, EXAMPLE, seed=seed, per_day=2)):
        hints = {"id": item["id"], **({"published": item["published"]} if k % 3 else {})}
        doc = RawDocument(source=f"m{k:04d}.txt", content=item["text"], format="text", hints=hints)
        out.extend(clean(doc, registry))
    return out


def _stories(c: Collection) -> list[list[str]]:
    with c.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, story_id FROM articles").all()
    groups: dict[str, list[str]] = {}
    for aid, sid in rows:
        groups.setdefault(sid, []).append(aid)
    return sorted(sorted(g) for g in groups.values())


@pytest.mark.parametrize("killed_after", [1, 2])
def test_collection_a_resumed_ingest_groups_as_one_clean_run(tmp_path: Path, killed_after: int) -> None:
    articles = _mixed(300)
    with Collection(f"sqlite:///{tmp_path / 'clean.db'}") as c:
        c.add(articles, batch=100)  # type: ignore[arg-type]
        clean_run, clean_count = _stories(c), c.count()
    seen = []

    def die(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == killed_after:
            raise Killed

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    with Collection(url) as c, pytest.raises(Killed):
        c.add(articles, batch=100, progress=die)  # type: ignore[arg-type]
    with Collection(url) as c:
        c.add(articles, batch=100)  # type: ignore[arg-type]
        assert c.count() == clean_count
        assert _stories(c) == clean_run


def test_collection_small_adds_reuse_the_loaded_window_and_group_as_one_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _mixed(120)
    with Collection(f"sqlite:///{tmp_path / 'one.db'}") as c:
        c.add(articles)  # type: ignore[arg-type]
        one = _stories(c)
    loads = []
    with Collection(f"sqlite:///{tmp_path / 'small.db'}") as c:
        real = c._load
        monkeypatch.setattr(c, "_load", lambda *a, **k: loads.append(a) or real(*a, **k))
        for lo in range(0, len(articles), 10):  # a watcher adds ten at a time
            c.add(articles[lo : lo + 10])  # type: ignore[arg-type]
        assert _stories(c) == one
        calls = len(loads)
        extra = _mixed(130)[120:]
        with Collection(c.url) as other:  # another writer changed the collection: loaded again
            assert other.add(extra[:5]).added == 5  # type: ignore[arg-type]
        assert c.add(extra[5:]).added == 5  # type: ignore[arg-type]
    assert calls < len(articles) // 10 and len(loads) == calls + 1, (calls, len(loads))
