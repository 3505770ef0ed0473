"""The persistent collection: ingest, re-ingest, bad input, a killed ingest, two ingests at
once, the stories listing and ``show``, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from bench.corpus import synthetic_stream

from conftest import EXAMPLE, SEEDS, seed_text
from manysides.cli import main
from manysides.pipeline import ingest_into, show
from manysides.store import Collection, CollectionBusy

KREMLIN = {"reuters", "presstv", "rt", "indaily"}


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'news.db'}"


def _state(url: str) -> dict[str, Any]:
    """Everything a re-run must reproduce: each article's story and neighbour list."""
    with Collection(url) as c, c.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, story_id, neighbours FROM articles ORDER BY id").all()
        stories = conn.exec_driver_sql("SELECT id, size FROM stories ORDER BY id").all()
    return {
        "articles": {r[0]: (r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in rows},
        "stories": [tuple(s) for s in stories],
    }


def _corpus(tmp_path: Path, n: int, name: str = "stream.jsonl") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as fh:
        for item in synthetic_stream(n, EXAMPLE, seed=11):
            fh.write(json.dumps(item) + "\n")
    return path


def _ingest_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "manysides", "ingest", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_seeds_ingest_into_the_same_stories_as_compare(tmp_path: Path) -> None:
    with Collection(_db(tmp_path)) as c:
        result, skipped = ingest_into(c, [str(EXAMPLE)])
        listed = c.stories()
        assert result.added == 8 and not skipped
        by_size = sorted(listed, key=lambda s: -s.size)
        # Press TV's page holds two articles: its appended France story is a story of its own.
        assert [s.size for s in by_size] == [4, 3, 1]
        assert set(by_size[0].outlets) == {"Reuters", "InDaily", "Press TV", "RT"}
        assert "direct confrontation" in (by_size[0].title or "")
        assert by_size[0].first_published == "2024-04-04" and by_size[0].last_published == "2024-04-05"
        stored = c.story(by_size[0].id[:6])
        articles = stored.articles
        assert stored.id == by_size[0].id and len(articles) == 4
        sources = {Path(a.source).name.partition("#")[0] for a in articles}
        assert sources == {SEEDS[n] for n in KREMLIN}
        assert all(stored.why[a.id]["nearest"] for a in articles)  # each says which members it is nearest
        events = c.events(by_size[0].id)
        assert sum(e["kind"] == "joined" for e in events) == 4


def test_re_ingesting_is_a_no_op(tmp_path: Path) -> None:
    url = _db(tmp_path)
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
    before = _state(url)
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "renamed.txt").write_text("  " + seed_text("rt").upper() + "\n\n")  # same text, other file, case, spaces
    with Collection(url) as c:
        result, skipped = ingest_into(c, [str(EXAMPLE), str(copy / "renamed.txt")])
    assert result.added == 0 and len(skipped) == 9
    assert all("already in the collection" in s.reason for s in skipped)
    assert _state(url) == before


def test_same_url_with_new_text_is_a_new_version_not_a_new_article(tmp_path: Path) -> None:
    url = _db(tmp_path)
    feed = tmp_path / "a.jsonl"
    feed.write_text(json.dumps({"id": "x1", "url": "https://example.org/a", "text": seed_text("rt")}) + "\n")
    updated = tmp_path / "b.jsonl"
    updated.write_text(json.dumps({"id": "x2", "url": "https://example.org/a", "text": seed_text("indaily")}) + "\n")
    with Collection(url) as c:
        assert ingest_into(c, [str(feed)])[0].added == 1
        result, skipped = ingest_into(c, [str(updated)])
        assert result.added == 0 and result.changes.get("updated") == 1 and c.count() == 1
        (article_id,) = [aid for aid, _, _ in c.by_urls(["https://example.org/a"]).values()]
        assert [v["number"] for v in c.versions(article_id)] == [1, 2]
        again, skipped = ingest_into(c, [str(updated)])  # the same text again: nothing
    assert again.added == 0 and "same text" in skipped[0].reason


def test_bad_input_is_skipped_or_kept_with_what_it_has(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "untitled.txt").write_text(seed_text("rt"))  # no title line given, no date, no manifest
    lines = seed_text("rt").split("\n")
    third = [i for i, line in enumerate(lines) if len(line.split()) > 20][2]
    (folder / "near.txt").write_text("\n".join(lines[:third] + lines[third + 1 :]))  # one paragraph fewer
    jsonl = folder / "odd.jsonl"
    jsonl.write_text(json.dumps({"id": "no-text", "title": "Only a title"}) + "\n" + "{not json\n")
    with Collection(_db(tmp_path)) as c:
        result, skipped = ingest_into(c, [str(folder)])
        reasons = " | ".join(f"{s.source}: {s.reason}" for s in skipped)
        assert result.added == 2, reasons
        assert "empty.txt" in reasons and "odd.jsonl" in reasons
        stories = c.stories()
    # The near-duplicate joins its original's story; undated articles are placed at the ingest.
    assert [s.size for s in stories] == [2]
    assert stories[0].first_published is None and stories[0].first_seen


def test_pieces_of_one_page_are_separate_articles_under_its_url(tmp_path: Path) -> None:
    # Press TV's page holds two stories: each piece is its own article, the second under the
    # page's URL with its part as fragment, so a new text of the page updates each piece alone.
    url, page = "https://www.presstv.ir/Detail/2024/04/04/1", seed_text("presstv")
    feed = tmp_path / "a.jsonl"
    feed.write_text(json.dumps({"id": "p1", "url": url, "text": page}) + "\n")
    changed = tmp_path / "b.jsonl"
    edited = page.replace("The Wednesday call was a first", "The call on Wednesday was the first")
    changed.write_text(json.dumps({"id": "p2", "url": url, "text": edited}) + "\n")
    with Collection(_db(tmp_path)) as c:
        assert ingest_into(c, [str(feed)])[0].added == 2 and c.count() == 2
        found = c.by_urls([url, f"{url}#part2"])
        assert set(found) == {url, f"{url}#part2"}
        result, _ = ingest_into(c, [str(changed)])
        assert result.added == 0 and result.changes.get("updated") == 1 and c.count() == 2
        second, first = found[f"{url}#part2"][0], found[url][0]
        assert [v["number"] for v in c.versions(second)] == [1, 2]
        assert c.versions(first) == []  # never updated: only an update keeps the versions


def test_cli_stories_json_and_since(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _db(tmp_path)
    assert main(["ingest", str(EXAMPLE), "--db", url, "--quiet"]) == 0
    assert main(["stories", "--db", url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    # The first version's fields stay (users script against them); facets were added.
    first = {"first_published", "first_seen", "id", "last_published", "last_seen", "outlets", "size", "title"}
    added = {"languages", "kinds", "countries", "histogram", "origins"}
    assert {frozenset(s) for s in listed} == {frozenset(first | added)}
    for s in listed:
        assert 1 <= sum(s["histogram"]["counts"]) <= s["size"] and len(s["histogram"]["counts"]) <= 12
        assert s["languages"] == ["en"] and s["origins"] is None  # not analysed yet
    assert any("wire agency" in s["kinds"] for s in listed), listed
    assert main(["stories", "--db", url, "--json", "--since", "2024-04-05"]) == 0
    later = json.loads(capsys.readouterr().out)
    # The Kremlin story has an article on the 5th; Press TV's undated France story counts from
    # the day it was ingested (today), as an undated article's key does, so it is the latest.
    assert [(s["size"], s["first_published"]) for s in later] == [(1, None), (4, "2024-04-04")]
    assert main(["stories", "--db", url, "--since", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_cli_show_unknown_story_says_how_to_find_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _db(tmp_path)
    assert main(["ingest", str(EXAMPLE), "--db", url, "--quiet"]) == 0
    assert main(["show", "nope", "--db", url, "--quiet"]) == 2
    assert "manysides stories" in capsys.readouterr().err


def test_a_bad_database_url_says_what_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stories", "--db", "not a url"]) == 2
    assert "sqlite:///" in capsys.readouterr().err


def test_killed_ingest_loses_nothing_committed_and_a_re_run_finishes_it(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 1500)
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    done = _ingest_cli(str(corpus), "--db", f"sqlite:///{clean_db}", "--quiet")
    assert done.wait(timeout=600) == 0, done.stderr.read() if done.stderr else ""
    proc = _ingest_cli(str(corpus), "--db", f"sqlite:///{killed_db}", "--quiet")
    deadline = time.monotonic() + 300
    while _count(killed_db) < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the ingest finished before it could be killed: give it more articles"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    committed = _count(killed_db)
    total = _count(clean_db)  # some stream items hold two pieces, one repeats a text
    assert 200 <= committed < total and committed % 100 == 0  # whole batches only
    rerun = _ingest_cli(str(corpus), "--db", f"sqlite:///{killed_db}", "--json", "-", "--quiet")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert json.loads(out)["added"] == total - committed
    assert _state(f"sqlite:///{killed_db}") == _state(f"sqlite:///{clean_db}")
    with sqlite3.connect(killed_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_ingests_at_once_one_waits_or_fails_cleanly(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 1500)
    db = tmp_path / "shared.db"
    url = f"sqlite:///{db}"
    first = _ingest_cli(str(corpus), "--db", url, "--quiet", "--json", "-")
    while _count(db) == 0 and first.poll() is None:
        time.sleep(0.02)
    assert first.poll() is None
    impatient = _ingest_cli(str(EXAMPLE), "--db", url, "--quiet", "--wait", "0.5")
    _, err = impatient.communicate(timeout=120)
    assert impatient.returncode == 2 and "another ingest is writing" in err and "--wait" in err
    patient = _ingest_cli(str(EXAMPLE), "--db", url, "--quiet", "--wait", "600")
    _, err = patient.communicate(timeout=900)
    assert patient.returncode == 0, err
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert total == json.loads(out)["added"] + 8 > 1400  # the stream's articles and the seeds' eight
        assert conn.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT sum(size) FROM stories").fetchone()[0] == total


def test_a_busy_collection_raises_collection_busy(tmp_path: Path) -> None:
    url = _db(tmp_path)
    with (
        Collection(url) as holder,
        holder._write_lock(),
        Collection(url, wait=0.2) as other,
        pytest.raises(CollectionBusy, match="another ingest"),
    ):
        other.add([])


@pytest.mark.slow
def test_show_compares_one_story_of_the_collection(tmp_path: Path, models: Any) -> None:
    url = _db(tmp_path)
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
        kremlin = max(c.stories(), key=lambda s: s.size)
        report = show(c, kremlin.id, models=models)
    assert [s.id for s in report.stories] == [kremlin.id]
    assert len(report.articles) == 4 and report.reuse
    assert report.stories[0].digest and report.facts
    assert all(w.nearest for w in report.stories[0].why)


def test_postgresql_collection_behaves_like_sqlite(tmp_path: Path, postgres_url: str) -> None:
    with Collection(postgres_url) as pg, Collection(_db(tmp_path)) as lite:
        ingest_into(pg, [str(EXAMPLE)])
        ingest_into(lite, [str(EXAMPLE)])
        again, skipped = ingest_into(pg, [str(EXAMPLE)])
        assert again.added == 0 and len(skipped) == 8
        assert [(s.id, s.size, s.outlets) for s in pg.stories()] == [(s.id, s.size, s.outlets) for s in lite.stories()]
        with pytest.raises(CollectionBusy), pg._write_lock(), Collection(postgres_url, wait=0.2) as other:
            other.add([])


def test_twenty_random_kills_then_a_resume_equal_one_clean_ingest(tmp_path: Path) -> None:
    """SIGKILL at 20 random moments of an ingest (during start-up, between and right after
    batches), each time re-run; the collection then equals one clean ingest: the same
    articles, stories and neighbour lists, an intact database, every ingest row honest."""
    import random

    rng = random.Random(20)
    corpus = tmp_path / "mixed.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for k, item in enumerate(synthetic_stream(900, EXAMPLE, seed=12, per_day=5)):
            if k % 4 == 0:
                item.pop("published", None)  # undated ones may meet any date
            fh.write(json.dumps(item) + "\n")
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    done = _ingest_cli(str(corpus), "--db", f"sqlite:///{clean_db}", "--quiet")
    assert done.wait(timeout=600) == 0
    total = _count(clean_db)
    kills = 0
    deadline = time.monotonic() + 400
    while kills < 20 and time.monotonic() < deadline:
        before = _count(killed_db)
        proc = _ingest_cli(str(corpus), "--db", f"sqlite:///{killed_db}", "--quiet")
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0.05, 2.0))  # anywhere, start-up included
        else:
            target = before + rng.choice([1, 100, 150])  # just after (or inside) a batch
            while _count(killed_db) < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if _count(killed_db) >= total:
            # it finished before the kill: start again from nothing, so kills land mid-ingest
            killed_db.unlink()
            for extra in tmp_path.glob("killed.db*"):
                extra.unlink()
    assert kills == 20
    rerun = _ingest_cli(str(corpus), "--db", f"sqlite:///{killed_db}", "--quiet")
    assert rerun.wait(timeout=600) == 0
    assert _state(f"sqlite:///{killed_db}") == _state(f"sqlite:///{clean_db}")
    with sqlite3.connect(killed_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        added = conn.execute("SELECT sum(added) FROM ingests").fetchone()[0]
    assert added == total  # every committed article counted once, by the ingest that added it
