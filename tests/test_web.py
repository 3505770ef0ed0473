"""The web app's first version over a real SQLite collection of the seeds, through
FastAPI's test client: pages, the JSON API, errors, escaping and the story cache."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import EXAMPLE
from manysides.pipeline import ingest_into
from manysides.render.json import validate_report
from manysides.settings import load_settings
from manysides.store import Collection
from manysides.web import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'news.db'}"
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
    return TestClient(create_app(url, load_settings(env={})))


def _kremlin(client: TestClient) -> str:
    stories = client.get("/api/v1/stories").json()["stories"]
    return str(max(stories, key=lambda s: s["size"])["id"])


def test_web_front_page_lists_the_stories_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "direct confrontation" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text


def test_web_api_lists_and_pages(client: TestClient) -> None:
    data = client.get("/api/v1/stories").json()
    assert data["page"] == 1 and data["next"] is None and data["total"] == len(data["stories"]) >= 2
    assert client.get("/api/v1/stories?page=2").json()["stories"] == []
    assert client.get("/api/v1/stories?since=2030-01-01").json()["stories"] == []


@pytest.mark.slow
def test_web_story_page_and_api_give_the_report_and_cache_it(client: TestClient) -> None:
    story = _kremlin(client)
    before = client.app.state.cache.analyses  # type: ignore[attr-defined]
    page = client.get(f"/stories/{story}")
    assert page.status_code == 200 and "Peskov" in page.text
    report = client.get(f"/api/v1/stories/{story}").json()
    validate_report(report)
    assert report["schema"] == "manysides/report/1" and len(report["articles"]) == 4
    # analysed at most once for the two (once, or not at all when an earlier test in this process analysed it), and
    # asked again, not analysed again
    once = client.app.state.cache.analyses  # type: ignore[attr-defined]
    assert once - before <= 1
    assert (
        client.get(f"/api/v1/stories/{story}").status_code == 200 and client.get(f"/stories/{story}").status_code == 200
    )
    assert client.app.state.cache.analyses == once  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/api/v1/stories/nosuchstory", 404, "no story 'nosuchstory'"),
        ("/api/v1/stories/%3Cscript%3E", 400, "story_id: String should match pattern"),
        ("/api/v1/stories?page=abc", 400, "page"),
        ("/api/v1/stories?page=0", 400, "page"),
        ("/api/v1/stories?since=yesterday", 400, "since: Input should be a valid date"),
        ("/?since=yesterday", 400, "is not a date"),
        ("/stories/nosuchstory", 404, "no story"),
        ("/?page=-1", 400, "page"),
    ],
)
def test_web_bad_requests_get_one_line_answers(client: TestClient, path: str, status: int, says: str) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    text = answer.json()["error"] if path.startswith("/api/") else answer.text
    assert says in text and "Traceback" not in text and "<script>" not in text


def test_web_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/stories", "/api/v1/stories/{story_id}"} <= set(spec["paths"])
    json.dumps(spec)


def test_web_titles_are_escaped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evil.db'}"
    feed = tmp_path / "evil.jsonl"
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    text = "NATO marked its 75th anniversary on Thursday in Brussels, its secretary general said."
    feed.write_text(json.dumps({"id": "e1", "title": evil, "text": text}) + "\n")
    with Collection(url) as c:
        ingest_into(c, [str(feed)])
    page = TestClient(create_app(url, load_settings(env={}))).get("/")
    assert "<script>alert" not in page.text and "<img" not in page.text and "&lt;script&gt;" in page.text


@pytest.mark.slow
def test_web_serve_runs_a_real_server_on_loopback_with_watching_and_warming(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    import httpx

    from feedserver import FeedServer

    url = f"sqlite:///{tmp_path / 'served.db'}"
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with FeedServer() as feeds:
        text = "NATO foreign ministers met in Brussels on Thursday to plan a Ukraine aid mission, officials said."
        page = feeds.page("/wire/a", "Ministers plan aid mission", text * 3, "2024-04-06T09:00:00Z")
        feed = feeds.rss("/wire/rss.xml", [(page, "Ministers plan aid mission", "2024-04-06T09:00:00Z")])
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "wire"\nurl = "{feed}"\noutlet = "Wire"\n', encoding="utf-8")
        command = [sys.executable, "-m", "manysides", "serve", "--db", url, "--port", str(port), "--warm", "5"]
        command += ["--watch", str(sources), "--allow-private"]
        log = (tmp_path / "serve.log").open("w")  # a file, not a pipe: the background process shares it
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, "HF_HUB_OFFLINE": "1"}
        )
        try:
            deadline, stories = time.monotonic() + 240, []
            while time.monotonic() < deadline and server.poll() is None:
                with contextlib.suppress(httpx.TransportError):
                    stories = httpx.get(f"http://127.0.0.1:{port}/api/v1/stories", timeout=5).json()["stories"]
                # The watched article arrives, and the background process analyses the stories.
                if any("Wire" in s["outlets"] for s in stories) and all(s["origins"] is not None for s in stories):
                    break
                time.sleep(0.5)
            said = (tmp_path / "serve.log").read_text()
            assert any("Wire" in s["outlets"] for s in stories), said
            assert all(s["origins"] is not None for s in stories), stories
            # A story page: served from what the background process kept (delegated analyses).
            wire = next(s for s in stories if "Wire" in s["outlets"])
            page = httpx.get(f"http://127.0.0.1:{port}/stories/{wire['id']}", timeout=120)
            assert page.status_code == 200 and "Ministers plan aid mission" in page.text
            alerts = httpx.get(f"http://127.0.0.1:{port}/api/v1/alerts", timeout=5).json()
            assert [(s["name"], s["articles"]) for s in alerts["sources"]] == [("wire", 1)]
        finally:
            server.terminate()
            server.wait(timeout=60)
            log.close()
        # The background process (warming, watching) ends with the server, leaving nothing behind.
        deadline = time.monotonic() + 30
        while _holders(tmp_path / "served.db") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _holders(tmp_path / "served.db"), "a process of the server outlived it"


def _holders(path: Path) -> list[int]:
    """Processes that have ``path`` open (Linux /proc)."""
    found = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(str(path) in os.readlink(fd) for fd in fd_dir.iterdir()):
                found.append(int(fd_dir.parent.name))
        except OSError:
            continue
    return found


def test_web_json_carries_an_etag_and_answers_304(client: TestClient) -> None:
    first = client.get("/api/v1/stories")
    tag = first.headers["etag"]
    again = client.get("/api/v1/stories", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/v1/stories", headers={"If-None-Match": '"other"'}).status_code == 200


def test_web_outlet_filter(client: TestClient) -> None:
    everything = client.get("/api/v1/stories").json()["stories"]
    rt = client.get("/api/v1/stories", params={"outlet": "RT"}).json()["stories"]
    assert rt and len(rt) < len(everything) and all("RT" in s["outlets"] for s in rt)
    assert client.get("/api/v1/stories", params={"outlet": "Nobody"}).json()["stories"] == []


def test_web_posting_articles_needs_the_operators_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'posted.db'}"
    api = TestClient(create_app(url, load_settings(env={})))
    article = {"id": "p1", "outlet": "Example", "title": "Posted", "text": "NATO met in Brussels on Thursday, it said."}
    monkeypatch.delenv("MANYSIDES_TOKEN", raising=False)
    assert api.get("/api/v1/stories").json()["total"] == 0 and "No stories yet" in api.get("/").text  # now cached
    read_only = api.post("/api/v1/articles", json=article)
    assert read_only.status_code == 403 and "read-only" in read_only.json()["error"]
    monkeypatch.setenv("MANYSIDES_TOKEN", "s3cret")
    assert api.post("/api/v1/articles", json=article, headers={"Authorization": "Bearer nope"}).status_code == 403
    auth = {"Authorization": "Bearer s3cret"}
    added = api.post("/api/v1/articles", json=[article, {"id": "p2", "title": ["bad"], "text": "x"}], headers=auth)
    assert added.status_code == 201 and added.json()["added"] == 1
    assert "'title'" in added.json()["skipped"][0]["reason"]
    # Lists are cached until the collection changes: the new story shows at once.
    assert [s["title"] for s in api.get("/api/v1/stories").json()["stories"]] == ["Posted"]
    assert "Posted" in api.get("/").text
    assert api.post("/api/v1/articles", content=b"{not json", headers=auth).status_code == 400
    huge = api.post("/api/v1/articles", content=b"[" + b" " * (6 * 2**20) + b"]", headers=auth)
    assert huge.status_code == 413


@pytest.mark.slow
def test_web_timeline_shows_joins_and_where_each_fact_first_appeared(client: TestClient) -> None:
    story = _kremlin(client)
    data = client.get(f"/api/v1/stories/{story}/timeline").json()
    kinds = [e["kind"] for e in data["events"]]
    assert kinds.count("joined") == 4 and "started" in kinds
    report = client.get(f"/api/v1/stories/{story}").json()
    published = {a["id"]: a["published"] for a in report["articles"]}
    assert data["facts"] and all(f["carried_by"] >= 2 for f in data["facts"])
    for f in data["facts"]:
        fact = next(x for x in report["facts"] if x["id"] == f["fact_id"])
        dates = sorted(published[e["article_id"]] or "9999" for e in fact["evidence"] if e["status"] != "contradicted")
        assert (f["first_published"] or "9999") == dates[0]  # the earliest carrier, with its sentence
    page = client.get(f"/stories/{story}/timeline")
    assert page.status_code == 200 and "How the story grew" in page.text and "Reuters" in page.text
    assert client.get("/stories/nosuchstory/timeline").status_code == 404


@pytest.mark.slow
def test_web_article_page_shows_text_removed_lines_and_reuse(client: TestClient) -> None:
    report = client.get(f"/api/v1/stories/{_kremlin(client)}").json()
    indaily = next(a for a in report["articles"] if a["outlet"] == "InDaily")
    reuters = next(a for a in report["articles"] if a["outlet"] == "Reuters")
    data = client.get(f"/api/v1/articles/{indaily['id']}").json()
    assert data["article"]["text"] == indaily["text"]
    assert [(t["other"], t["relation"]) for t in data["took"]] == [(reuters["id"], "derived")]
    given = client.get(f"/api/v1/articles/{reuters['id']}").json()["given"]
    assert indaily["id"] in {g["other"] for g in given}
    page = client.get(f"/articles/{indaily['id']}")
    assert page.status_code == 200 and "What it took from whom" in page.text and "Reuters" in page.text
    assert "Removed while cleaning" in page.text
    assert client.get("/api/v1/articles/nosuch").status_code == 404
    assert client.get("/api/v1/articles/bad%20id").status_code == 400


def test_web_works_on_postgresql(postgres_url: str) -> None:
    with Collection(postgres_url) as c:
        ingest_into(c, [str(EXAMPLE)])
    api = TestClient(create_app(postgres_url, load_settings(env={})))
    stories = api.get("/api/v1/stories").json()["stories"]
    assert any("direct confrontation" in (s["title"] or "") for s in stories)
    assert api.get("/").status_code == 200


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_web_search_finds_articles_by_their_words(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
        hits = c.search("Peskov confrontation")
        assert hits and all(h.article_id for h in hits)
        c.search('" OR ) NEAR( * \\')  # query syntax is taken as words: no error
        assert c.search("zzzunknownwordzzz") == []
    api = TestClient(create_app(url, load_settings(env={})))
    found = api.get("/api/v1/search", params={"q": "Kremlin Peskov"}).json()["articles"]
    texts = [api.get(f"/api/v1/articles/{h['article_id']}").json()["article"]["text"] for h in found]
    assert texts and all("Peskov" in t and "Kremlin" in t for t in texts)
    page = api.get("/search", params={"q": "Stoltenberg"})
    assert page.status_code == 200 and "holding every word" in page.text
    assert api.get("/api/v1/search", params={"q": ""}).status_code == 400


@pytest.mark.slow
def test_web_outlet_page_says_whom_it_takes_from_over_analysed_stories(client: TestClient) -> None:
    client.get(f"/api/v1/stories/{_kremlin(client)}")  # analysed (or cached): outlet pages never start one
    indaily = client.get("/api/v1/outlets/InDaily").json()
    assert indaily["stories_analysed"] >= 1 and indaily["takes_from"] == {"Reuters": 1}
    reuters = client.get("/api/v1/outlets/Reuters").json()
    assert reuters["taken_by"].get("InDaily") == 1 and len(reuters["articles"]) >= 3
    assert indaily["originality_over_time"] and all(
        0 <= o["originality"] <= 1 for o in indaily["originality_over_time"]
    )
    rt = client.get("/api/v1/outlets/RT").json()
    assert rt["word_choices"].get("capital of Ukraine (spelling)") == {"Kiev": 1}  # RT writes Kiev in its own voice
    page = client.get("/outlets/InDaily")
    assert page.status_code == 200 and "Takes text from" in page.text and "Reuters" in page.text
    assert "Originality over time" in page.text
    assert client.get("/api/v1/outlets/Nobody").status_code == 404


@pytest.mark.slow
def test_web_reports_are_kept_in_the_collection_for_every_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
    first = TestClient(create_app(url, load_settings(env={})))
    story = _kremlin(first)
    made = first.get(f"/api/v1/stories/{story}").text
    assert first.app.state.cache.analyses == 1  # type: ignore[attr-defined]
    second = TestClient(create_app(url, load_settings(env={})))  # another worker, or a restart
    assert second.get(f"/api/v1/stories/{story}").text == made
    assert second.app.state.cache.analyses == 0  # type: ignore[attr-defined]  # served from the collection
    other = TestClient(create_app(url, load_settings(env={}, seed=2)))  # other settings: made again
    other.get(f"/api/v1/stories/{story}")
    assert other.app.state.cache.analyses == 1  # type: ignore[attr-defined]


def test_web_front_page_filters_by_outlet_kind_country_and_language(client: TestClient) -> None:
    everything = client.get("/api/v1/stories").json()["stories"]
    wires = client.get("/api/v1/stories", params={"kind": "wire agency"}).json()["stories"]
    assert wires and all("wire agency" in s["kinds"] for s in wires)
    papers = client.get("/api/v1/stories", params={"kind": "newspaper"}).json()["stories"]
    assert papers and {s["id"] for s in papers} < {s["id"] for s in everything}  # InDaily is in one story only
    iran = client.get("/api/v1/stories?country=IR").json()["stories"]
    assert iran and all("Press TV" in s["outlets"] for s in iran) and len(iran) < len(everything)
    for s in everything:  # the chart spans the dated articles: the seeds' few days, not years
        assert 1 <= sum(s["histogram"]["counts"]) <= s["size"] and len(s["histogram"]["counts"]) <= 12
    assert len(client.get("/api/v1/stories?language=en").json()["stories"]) == len(everything)
    assert client.get("/api/v1/stories?language=fr").json()["stories"] == []
    page = client.get("/", params={"kind": "wire agency", "language": "en"})
    assert page.status_code == 200 and page.text.count("<tr>") == len(wires) + 1  # header row + stories
    assert "<option selected>wire agency</option>" in page.text
    # The chart: one rectangle per bin, as many articles drawn as the story has.
    assert page.text.count('<svg class="spark"') == len(wires)
    assert "No stories under these filters" in client.get("/?country=Atlantis").text
    older = client.get("/", params={"kind": "wire agency", "page": 2})
    assert older.status_code == 200 and "Newer" in older.text and "kind=wire+agency" in older.text


@pytest.mark.slow
def test_web_people_pages_group_each_statement_across_outlets(client: TestClient) -> None:
    story = _kremlin(client)
    client.get(f"/stories/{story}")  # analysed: its quotes and origins are kept
    listed = client.get("/api/v1/stories").json()["stories"]
    assert next(s for s in listed if s["id"] == story)["origins"] >= 1
    people = client.get("/api/v1/people").json()["people"]
    peskov = next(p for p in people if p["name"] == "Dmitry Peskov")
    assert peskov["quotes"] >= 4 and peskov["stories"] == 1
    assert [p["key"] for p in client.get("/api/v1/people?q=PESKOV").json()["people"]] == [peskov["key"]]
    person = client.get(f"/api/v1/people/{peskov['key']}").json()
    group = person["utterances"][0]  # the statement most outlets carried comes first
    assert len(group["renderings"]) == max(len(u["renderings"]) for u in person["utterances"])
    verdicts = {r["verdict"] for r in group["renderings"]}
    assert "canonical" in verdicts and verdicts & {"exact", "trimmed", "reworded", "paraphrased"}
    assert len({r["outlet"] for r in group["renderings"]}) >= 3
    page = client.get(f"/people/{peskov['key']}")
    assert page.status_code == 200 and "Dmitry Peskov" in page.text and "/outlets/RT" in page.text
    assert "Dmitry Peskov" in client.get("/people?q=peskov").text
    assert client.get("/api/v1/people/Nobody%20Atall").status_code == 404


@pytest.mark.slow
def test_web_warms_the_latest_stories_while_serving(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warm.db'}"
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
        latest = c.stories(limit=2)
    app = create_app(url, load_settings(env={}), warm=2)
    with TestClient(app):  # the lifespan starts the warming thread and stops it on exit
        deadline = time.monotonic() + 240
        while app.state.cache.analyses < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
    assert app.state.cache.analyses == 2
    with Collection(url) as c:
        assert all(c.summary(s.id).origins is not None for s in latest)  # type: ignore[union-attr]


@pytest.mark.slow
def test_web_delegates_analyses_to_the_background_process(tmp_path: Path) -> None:
    import threading

    from manysides.nlp import Models
    from manysides.pipeline import kept_report

    url = f"sqlite:///{tmp_path / 'delegate.db'}"
    with Collection(url) as c:
        ingest_into(c, [str(EXAMPLE)])
    settings = load_settings(env={})
    app = create_app(url, settings, delegate=True)
    stop, served = threading.Event(), []

    def background() -> None:  # what web.background does with the stories workers want
        with Collection(url) as c:
            models = Models(settings)
            while not stop.wait(0.1):
                for story_id in c.wanted():
                    kept_report(c, story_id, settings=settings, models=models)
                    served.append(story_id)

    worker = threading.Thread(target=background, daemon=True)
    worker.start()
    try:
        client = TestClient(app)
        story = _kremlin(client)
        page = client.get(f"/stories/{story}")
        assert page.status_code == 200 and "Peskov" in page.text
        assert page.headers["x-manysides-report"] == "collection"
        assert served == [story] and app.state.cache.analyses == 0  # analysed by the other side
        # Keeping the report changed the collection (the story's origins): one more read, then memory.
        again = [client.get(f"/stories/{story}") for _ in range(2)]
        assert again[-1].headers["x-manysides-report"] == "memory" and again[-1].text == page.text
    finally:
        stop.set()
        worker.join(timeout=30)
