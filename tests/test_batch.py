"""``manysides batch``: Dask stages over partition files give the one-process engine's stories.

On a LocalCluster of 2 worker processes (127.0.0.1, started and stopped here): equality
with ``ingest`` (ECB+ and a synthetic stream that spans several time windows), PostgreSQL,
a re-run writing nothing twice, a worker killed mid-run, a run killed whole and restarted,
the kept reports, and the LSH pieces on their own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bench.corpus import synthetic_stream
from eval.batch import agreement, compare_runs, ecb_jsonl
from eval.common import dataset, floors

from manysides import batch
from manysides.batch import lsh
from manysides.pipeline import ingest_into, kept_report
from manysides.settings import load_settings
from manysides.store import Collection, CollectionError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "nato-2024-04-04"
#: Windows of one day over a stream of 300 articles a day: stories cross window edges.
SMALL = batch.BatchOptions(workers=2, analyse=0, span=1.0, lines_per_shard=250)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 synthetic articles, 300 a day (five days), as JSON Lines."""
    path = tmp_path_factory.mktemp("stream") / "stream.jsonl"
    items = synthetic_stream(1500, EXAMPLE, seed=3, per_day=300, concurrent=20)
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def single(stream: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("single")
    with Collection(f"sqlite:///{folder / 'single.db'}") as c:
        ingest_into(c, [str(stream)], settings=load_settings())
        return batch.labels_of(c)


def _labels(url: str) -> dict[str, str]:
    with Collection(url) as c:
        return batch.labels_of(c)


# -- the LSH pieces ------------------------------------------------------------------------


def test_batch_lsh_pairs_within_the_story_window_and_recent_members_only() -> None:
    band = np.uint64(3) << np.uint64(32)
    keys = np.array([band | np.uint64(7)] * 4 + [band | np.uint64(8)], dtype=np.uint64)
    handles = np.array([10, 11, 12, 13, 14], dtype=np.int64)
    days = np.array([100.0, 101.0, 130.0, np.nan, 100.0])
    a, b, n = lsh.bucket_pairs(keys, handles, days, window_days=14.0, recent=2)
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    # 10-11 close in time; 12 is 29 days from both (never neighbours); the undated 13 pairs
    # with its 2 predecessors in time order (11, 12), not with 10; 14 is alone in its bucket.
    assert pairs == {(10, 11), (11, 13), (12, 13)}
    assert n.tolist() == [1, 1, 1]


def test_batch_lsh_duplicates_keep_the_earliest_article() -> None:
    dup = np.uint64(lsh.DUPLICATE_BAND) << np.uint64(32)
    keys = np.array([dup | np.uint64(5), dup | np.uint64(5), dup | np.uint64(5), dup | np.uint64(6)], dtype=np.uint64)
    handles = np.array([1, 2, 3, 4], dtype=np.int64)
    days = np.array([np.nan, 50.0, 40.0, 10.0])
    assert sorted(lsh.duplicates(keys, handles, days).tolist()) == [1, 2]


def test_batch_lsh_partners_are_the_most_collided() -> None:
    a = np.array([1, 1, 1, 2], dtype=np.int64)
    b = np.array([2, 3, 4, 3], dtype=np.int64)
    counts = np.array([5, 1, 3, 9], dtype=np.int64)
    # Article 1 keeps its 2 best (2 and 4); article 3 (not chosen by 1) is kept by 2's choice.
    assert lsh.top_partners(a, b, counts, [1], partners=2) == {(1, 2), (1, 4)}
    assert lsh.top_partners(a, b, counts, [1, 2], partners=2) == {(1, 2), (1, 4), (2, 3)}


def test_batch_same_story_articles_share_buckets_and_others_rarely() -> None:
    from manysides.cluster.features import story_features

    items = list(synthetic_stream(40, EXAMPLE, seed=5, per_story=6))
    keys = [set(lsh.bucket_keys(story_features(i["title"], i["text"]), "0" * 40).tolist()) for i in items]
    story = [i["id"].split("-")[0] for i in items]
    same = [len(keys[x] & keys[y]) for x in range(40) for y in range(x) if story[x] == story[y]]
    other = [len(keys[x] & keys[y]) for x in range(40) for y in range(x) if story[x] != story[y]]
    assert same and other
    assert np.mean(same) > 5 * max(np.mean(other), 0.5)


# -- equality with the one-process engine ---------------------------------------------------


def test_batch_ecbplus_stories_equal_the_single_process_ones(client: Any, tmp_path: Path) -> None:
    if dataset("ecbplus") is None:
        if os.environ.get("CI"):
            pytest.fail("../shared/data/ecbplus is missing under CI, where evaluation data must be present")
        pytest.skip("../shared/data/ecbplus is absent (evaluation data lives outside the repository)")
    corpus = ecb_jsonl(tmp_path / "ecbplus.jsonl")
    assert corpus is not None
    result = compare_runs(corpus, tmp_path, client=client)
    assert result["articles"] == 770  # 772 documents, 2 of them the same text as another
    assert result["f1"] >= floors()["batch_stories"]["ecbplus_f1"]
    assert result["identical"] >= 0.9 * result["stories"]


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """A database of its own on the session's PostgreSQL server (other tests use the default one)."""
    import sqlalchemy as sa

    name = f"batch_{os.getpid()}_{time.monotonic_ns()}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def test_batch_into_postgres_equals_ingest_across_windows_and_reruns_write_nothing_twice(
    client: Any, stream: Path, single: dict[str, str], postgres_db: str, tmp_path: Path
) -> None:
    postgres_url = postgres_db
    options = batch.BatchOptions(**{**SMALL.__dict__, "work": str(tmp_path / "work")})
    first = batch.run([str(stream)], postgres_url, settings=load_settings(), options=options, client=client)
    assert first.articles == len(single) >= 1500
    windows = first.stages["cut"].tasks
    assert windows == 5  # one a day: stories had to be joined across window edges
    labels = _labels(postgres_url)
    score = agreement(single, labels)
    assert score["f1"] >= 0.99, score
    # Stories crossing a window edge are one story (not one per window).
    crossing = _crossing(labels, stream)
    assert crossing >= 10
    # Run again: every task's output is there; the database gets nothing twice.
    again = batch.run([str(stream)], postgres_url, settings=load_settings(), options=options, client=client)
    assert all(s.reused == s.tasks for name, s in again.stages.items() if name in ("read", "pairs", "verify", "cut"))
    with Collection(postgres_url) as c:
        assert c.count() == len(single)
        stories = c.stories()
        assert sum(s.size for s in stories) == len(single) and len(stories) == len(set(labels.values()))
    assert _labels(postgres_url) == labels


def _crossing(labels: dict[str, str], stream: Path) -> int:
    """Stories whose articles were published on more than one day (so in several windows)."""
    days: dict[str, set[str]] = {}
    for line in stream.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["id"] in labels:  # not a page split in parts, nor a duplicate
            days.setdefault(labels[item["id"]], set()).add(item["published"])
    return sum(1 for d in days.values() if len(d) > 1)


def test_batch_collection_is_ordinary_ingest_continues_it(client: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seeds.db'}"
    settings = load_settings()
    result = batch.run([str(EXAMPLE)], url, settings=settings, options=batch.BatchOptions(analyse=0), client=client)
    assert result.articles >= 6
    with Collection(url) as c:
        before = {s.id: s.size for s in c.stories()}
        nato = max(before, key=lambda s: before[s])
        members = c.story(nato).articles
        # A reprint of one of the story's articles, under another name, joins the story.
        source = members[0]
        copy = tmp_path / "reprint.txt"
        copy.write_text(f"{source.title}\n\n{source.text}\n\nReprinted with permission.", encoding="utf-8")
        added, _ = ingest_into(c, [str(copy)], settings=settings)
        assert added.added == 1
        after = {s.id: s.size for s in c.stories()}
    assert after[nato] == before[nato] + 1


# -- faults --------------------------------------------------------------------------------


def test_batch_survives_a_worker_killed_mid_run(
    client: Any, stream: Path, single: dict[str, str], tmp_path: Path
) -> None:
    reference = tmp_path / "reference.db"
    options = batch.BatchOptions(**{**SMALL.__dict__, "work": str(tmp_path / "reference.work")})
    batch.run([str(stream)], f"sqlite:///{reference}", settings=load_settings(), options=options, client=client)
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_in_verify(stage: str, done: int, total: int) -> None:
        if stage == "verify" and done == 0 and not killed:
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    options = batch.BatchOptions(**{**SMALL.__dict__, "work": str(tmp_path / "killed.work")})
    result = batch.run(
        [str(stream)], url, settings=load_settings(), options=options, client=client, progress=kill_in_verify
    )
    assert killed and result.articles == len(single)
    assert _labels(url) == _labels(f"sqlite:///{reference}")
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_batch_killed_whole_resumes_from_finished_partitions(
    stream: Path, single: dict[str, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'resumed.db'}"
    work = tmp_path / "work"
    command = [sys.executable, "-m", "manysides", "batch", str(stream), "--db", url, "--work", str(work)]
    command += ["--workers", "1", "--analyse", "0", "--span", "1", "-q"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    # Killed (with its cluster) once the first window's neighbour lists are finished.
    while time.monotonic() < deadline and not list((work / "neighbours").glob("*.json")):
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    finished = len(list((work / "neighbours").glob("*.json")))
    assert 1 <= finished < 5, "killed too late to show a resumption"
    out = subprocess.run([*command, "--json", "-"], env=env, capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.stdout)
    stages = result["stages"]
    assert stages["read"]["reused"] == stages["read"]["tasks"] and stages["pairs"]["reused"] == stages["pairs"]["tasks"]
    assert stages["verify"]["reused"] >= finished and stages["verify"]["tasks"] == 5
    assert result["articles"] == len(single) and result["resumed"]
    assert agreement(single, _labels(url))["f1"] >= 0.99


def test_batch_refuses_another_runs_collection_and_work_folder(client: Any, stream: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)], settings=load_settings())
    with pytest.raises(CollectionError, match="ingest"):
        batch.run([str(stream)], url, settings=load_settings(), options=SMALL, client=client)
    work = tmp_path / "work"
    options = batch.BatchOptions(**{**SMALL.__dict__, "work": str(work)})
    batch.run(
        [str(EXAMPLE)], f"sqlite:///{tmp_path / 'a.db'}", settings=load_settings(), options=options, client=client
    )
    with pytest.raises(batch.BatchError, match="another run"):
        batch.run(
            [str(stream)], f"sqlite:///{tmp_path / 'b.db'}", settings=load_settings(), options=options, client=client
        )


# -- the analyses ----------------------------------------------------------------------------


@pytest.mark.slow
def test_batch_reports_equal_the_single_process_reports(client: Any, tmp_path: Path) -> None:
    settings = load_settings()
    url = f"sqlite:///{tmp_path / 'batch.db'}"
    result = batch.run([str(EXAMPLE)], url, settings=settings, options=batch.BatchOptions(), client=client)
    assert result.analysed >= 2  # both stories of the seed coverage
    from manysides.nlp import Models

    models = Models(settings)
    with Collection(f"sqlite:///{tmp_path / 'single.db'}") as single, Collection(url) as parallel:
        ingest_into(single, [str(EXAMPLE)], settings=settings)
        mine = {frozenset(a.id for a in single.story(s.id).articles): s.id for s in single.stories()}
        compared = 0
        for s in parallel.stories():
            if s.size < 2:
                continue
            stored = parallel.latest_report(s.id)
            assert stored is not None  # kept by the batch run
            members = frozenset(a.id for a in parallel.story(s.id).articles)
            if members in mine:
                _, data, _ = kept_report(single, mine[members], settings=settings, models=models)
                assert json.loads(stored) == json.loads(data)
                compared += 1
    assert compared >= 2


def test_batch_cli_writes_a_collection_and_reports_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "manysides", "batch", str(EXAMPLE), "--db", url, "--workers", "1"]
    out = subprocess.run(
        [*command, "--analyse", "0", "--json", "-"], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["articles"] >= 6 and result["stages"]["read"]["tasks"] == 1
    listed = subprocess.run(
        [sys.executable, "-m", "manysides", "stories", "--db", url, "--json"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0 and sum(s["size"] for s in json.loads(listed.stdout)) == result["articles"]
    bad = subprocess.run([*command[:-2], "--since", "yesterday"], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--since 'yesterday' is not a date" in bad.stderr


def test_batch_runs_on_a_running_scheduler_given_by_address(client: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'remote.db'}"
    address = client.scheduler.address
    told: list[str] = []
    options = batch.BatchOptions(scheduler=address, analyse=0)
    result = batch.run([str(EXAMPLE)], url, settings=load_settings(), options=options, announce=told.append)
    assert told and address in told[0] and "2 workers" in told[0]
    assert result.articles == len(_labels(url)) >= 6


def test_batch_reports_are_kept_under_a_code_that_ignores_the_process_count() -> None:
    from manysides.pipeline import report_code

    settings = load_settings()
    assert report_code(settings) == report_code(settings.with_overrides(workers=1))
    assert report_code(settings) != report_code(settings.with_overrides(seed=2))
