"""The web app and JSON API over a collection (``manysides serve``).

A door onto the same flow as ``show`` (shared/DESIGN.md): pages render what
``pipeline.show`` returns for a story, from the articles' stored features; a story's
report is kept per story version (its size and its last change), so a story that gained an
article (or a new version of one) is analysed again on the next request and an unchanged
one is served from memory, or from the collection (``story_reports``: shared by every
worker and kept across restarts). Under ``serve`` the analyses run in its background
process (``web.background``, at a lower priority) while the worker waits; lists and pages
are cached per collection generation.

Routes (HTML, and JSON under ``/api/v1``):
- ``/`` and ``/api/v1/stories``: the latest stories with their outlets, languages, origins
  and articles over time; filters ``since``, ``outlet``, ``kind``, ``country``, ``language``;
  paging;
- ``/stories/{id}`` and ``/api/v1/stories/{id}``: the full report (schema ``manysides/report/1``);
- ``/stories/{id}/timeline`` and ``/api/v1/stories/{id}/timeline``: joins, starts, merges,
  splits and new versions of articles (with what changed), and where each shared fact
  first appeared;
- ``/articles/{id}`` and ``/api/v1/articles/{id}``: clean text, removed lines, what it
  took from whom and who took from it, its versions;
- ``/outlets/{name}`` and ``/api/v1/outlets/{name}``: its articles, originality, whom it
  takes from and who takes from it;
- ``/people``, ``/people/{name}`` and ``/api/v1/people[/{name}]``: people quoted, and every
  quote of one across outlets grouped by statement with verdicts;
- ``/search`` and ``/api/v1/search?q=``: full-text search over articles;
- ``/alerts``, ``/api/v1/alerts`` and ``/alerts/{id}/feed.atom``: alerts, their events,
  watched sources;
- ``POST /api/v1/articles``: add one article or a list (each the same record as a JSON
  Lines line); needs ``Authorization: Bearer TOKEN`` where TOKEN is the operator's
  ``MANYSIDES_TOKEN``; without one configured the server is read-only;
- ``/api/v1/openapi.json``: the API's description.

JSON answers carry an ETag; a request with ``If-None-Match`` gets 304 when nothing changed.
Every malformed id, page or date is a 400 or 404 with a one-line message (JSON under
``/api``, HTML elsewhere); pages carry a Content-Security-Policy that allows only their
own stylesheet and script, by hash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar, cast
from urllib.parse import urlencode

from fastapi import FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..dates import date_key, day_number
from ..errors import InputError, ManysidesError
from ..model import Article
from ..nlp import Models
from ..pipeline import kept_report, report_code
from ..pipeline import warm as warm_stories
from ..render.html import asset, csp_hash, template_env
from ..settings import Settings, load_settings
from ..store import Collection, StorySummary, person_key

log = logging.getLogger(__name__)

#: Stories per page of the list.
PAGE_SIZE = 50
#: Story analyses kept in memory (HTML and JSON of each): the most recently used.
CACHE_STORIES = 64
#: Seconds a worker waits for serve's background process to analyse a story (``delegate``).
DELEGATE_WAIT = 60.0
#: Seconds between two rounds of warming (``create_app(warm=...)``).
WARM_EVERY = 30.0
#: Seconds a worker trusts its last look at the collection's generation: a change made by
#: another process (an ingest, the watcher) shows on pages within this.
GENERATION_TTL = 0.5
#: Rendered lists and pages kept in memory per collection generation.
CACHE_PAGES = 512
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _id() -> Any:
    """A story or article id in a path, declared in the OpenAPI document (a new declaration
    per parameter: FastAPI keys a shared one to the first parameter's name)."""
    return Path(pattern=ID_PATTERN, description="1 to 64 letters, digits, - and _")


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class LRU(Generic[K, V]):
    """The ``size`` most recently used items, thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def remember(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def values(self) -> list[tuple[K, V]]:
        with self._lock:
            return list(self._items.items())


class StoryCache(LRU[tuple[str, str], tuple[str, str]]):
    """Rendered story reports (HTML, JSON) by (story id, version)."""

    def __init__(self, size: int = CACHE_STORIES) -> None:
        super().__init__(size)
        self.analyses = 0  # how many times this worker analysed a story (not read from anywhere)

    def latest(self, story_id: str) -> tuple[str, str] | None:
        """The newest cached rendering of a story, whatever its version (None if none)."""
        found = [v for (sid, _), v in self.values() if sid == story_id]
        return found[-1] if found else None


def create_app(
    db: str | None = None, settings: Settings | None = None, *, warm: int = 0, delegate: bool = False
) -> FastAPI:
    """The app over the collection at ``db`` (default: ``MANYSIDES_DB`` or ./manysides.db).

    ``warm``: while serving, analyse the ``warm`` latest stories that have no report yet
    (newest first, again every WARM_EVERY seconds), so that their pages, origins and quotes
    are ready before anyone asks; 0 analyses only on request.

    ``delegate``: a story to analyse is asked of serve's background process
    (``web.background``), which analyses at a lower priority while this worker waits
    without holding the CPU or its interpreter lock, so pages in memory stay fast; if no
    report comes within DELEGATE_WAIT seconds (no background process), the worker
    analyses it itself.
    """
    settings = settings or load_settings()
    collection = Collection(db, clustering=settings.clustering)
    models = Models(settings)
    analysing = threading.Lock()  # one analysis at a time: the models are shared
    stop = threading.Event()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        worker = threading.Thread(target=warm_up, name="manysides-warm", daemon=True) if warm > 0 else None
        if worker:
            worker.start()
        yield
        stop.set()
        if worker:
            worker.join(timeout=60)

    def warm_up() -> None:
        """Analyse the latest unanalysed stories until the server stops (see ``warm``)."""
        while not stop.is_set():
            with analysing:
                cache.analyses += warm_stories(collection, warm, settings=settings, models=models, stop=stop.is_set)
            stop.wait(WARM_EVERY)

    app = FastAPI(
        lifespan=lifespan,
        title="manysides",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="Stories of a manysides collection and their reports (schema manysides/report/1).",
    )
    cache = StoryCache()
    pages: LRU[tuple[int, Hashable], Any] = LRU(CACHE_PAGES)  # rendered lists by (collection generation, request)
    app.state.collection = collection
    app.state.cache = cache

    def story_report(story_id: str, summary: StorySummary | None = None) -> tuple[str, str]:
        """(HTML, JSON) of a story's report: from memory, else from the collection (another
        worker or an earlier run made it), else analysed now and kept in both."""
        summary = summary or memo(("summary", story_id), lambda: _summary(collection, story_id))
        key = (summary.id, summary.version)
        found = cache.get(key)
        if found is not None:
            return found
        stored = collection.stored_report(summary.id, summary.version, report_code(settings))
        if stored is not None:  # kept by another worker, the background process, or a restart
            cache.remember(key, stored)
            return stored
        if delegate:
            stored = wait_for(summary)
            if stored is not None:
                cache.remember(key, stored)
                generation(fresh=True)
                return stored
        with analysing:  # one analysis at a time (the models are shared); kept meanwhile?
            html, data, analysed = kept_report(
                collection, summary.id, settings=settings, models=models, summary=summary
            )
        cache.analyses += analysed
        cache.remember(key, (html, data))
        generation(fresh=True)  # keeping the report changed the collection (origins, quotes)
        return html, data

    def wait_for(summary: StorySummary) -> tuple[str, str] | None:
        """Ask the background process for a story's report and wait for it (None: not in time).
        It looks when the collection's generation moves (a report kept moves it), not by
        querying in a loop: many waiting requests cost no database connections."""
        collection.want(summary.id)
        code, ends = report_code(settings), time.monotonic() + DELEGATE_WAIT
        seen = -1
        while time.monotonic() < ends:
            time.sleep(0.1)
            if generation() == seen:
                continue
            seen = generation()
            stored = collection.stored_report(summary.id, summary.version, code)
            if stored is not None:
                return stored
            now = collection.summary(summary.id)
            if now is None or now.version != summary.version:
                return None  # the story changed meanwhile: analysed here, at its version
        return None

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
        return _error(request, 400, f"{where}: {error.get('msg', 'invalid value')}")

    @app.exception_handler(WebError)
    async def _answer(request: Request, exc: WebError) -> Response:
        return _error(request, exc.status, str(exc))

    def listing(page: int, filters: Filters) -> tuple[list[StorySummary], bool, int, dict[str, list[str]]]:
        """A page of stories under ``filters`` and the values the filters can take, cached
        until the collection changes (its generation)."""
        return memo(("stories", page, filters), lambda: (*_page(collection, page, filters), _facets(collection)))

    known = {"generation": -1}
    watching = threading.Lock()

    def generation(fresh: bool = False) -> int:
        """The collection's generation as last seen: a thread looks every GENERATION_TTL
        seconds (a change made by another process shows within that), so the event loop
        never waits on the database for it; this process's own writes pass ``fresh``."""
        if fresh or known["generation"] < 0:
            known["generation"] = collection.generation()
        if not watching.locked() and watching.acquire(blocking=False):
            threading.Thread(target=follow, name="manysides-generation", daemon=True).start()
        return known["generation"]

    def follow() -> None:
        while not stop.wait(GENERATION_TTL):
            try:
                known["generation"] = collection.generation()
            except Exception:  # a database hiccup: look again next time
                log.debug("reading the collection's generation failed", exc_info=True)

    def memo(key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, kept until the collection changes (its generation grows)."""
        found = peek(key)
        if found is None:
            found = make()
            pages.remember((generation(), key), found)
        return cast(T, found)

    def peek(key: Hashable) -> Any:
        """What ``memo`` keeps for ``key`` at the current generation, or None (never blocks
        for long: at most the generation's one-row query every GENERATION_TTL seconds)."""
        return pages.get((generation(), key))

    def cached_story(story_id: str) -> tuple[str, str] | None:
        """A story's report when both its row and its report are in memory, else None."""
        summary = peek(("summary", story_id))
        return cache.get((summary.id, summary.version)) if summary is not None else None

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def front(
        page: int = Query(1, ge=1, le=100_000),
        since: str | None = Query(None, max_length=40),
        outlet: str | None = Query(None, max_length=200),
        kind: str | None = Query(None, max_length=200),
        country: str | None = Query(None, max_length=200),
        language: str | None = Query(None, max_length=16),
    ) -> HTMLResponse:
        filters = Filters.of(since, outlet, kind, country, language)

        def render() -> str:
            listed, more, total, facets = listing(page, filters)
            return str(
                _pages()
                .get_template("index.html.j2")
                .render(
                    stories=listed,
                    page=page,
                    more=more,
                    total=total,
                    filters=filters,
                    facets=facets,
                    css=asset("report.css"),
                    bars=bars,
                )
            )

        key = ("front", page, filters)
        html = peek(key) or await run_in_threadpool(memo, key, render)
        return HTMLResponse(html, headers=_page_headers(asset("report.css")))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(story_id: str = _id()) -> HTMLResponse:
        # In memory: answered on the event loop; else read or analysed in a worker thread.
        found = cached_story(story_id)
        html, _ = found if found is not None else await run_in_threadpool(story_report, story_id)
        # The report page carries its own Content-Security-Policy (by hash) in a meta tag.
        headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", **_source(found)}
        return HTMLResponse(html, headers=headers)

    def timeline(story_id: str) -> dict[str, Any]:
        summary = _summary(collection, story_id)
        _, data = story_report(summary.id, summary)
        report = json.loads(data)
        events = [e.as_dict() for e in collection.timeline(summary.id)]
        return {"story_id": summary.id, "title": summary.title, "events": events, "facts": first_facts(report)}

    @app.get("/stories/{story_id}/timeline", response_class=HTMLResponse, include_in_schema=False)
    def timeline_page(story_id: str = _id()) -> HTMLResponse:
        return _html("timeline.html.j2", **timeline(story_id))

    @app.get("/api/v1/stories/{story_id}/timeline", responses=ERRORS)
    def api_timeline(request: Request, story_id: str = _id()) -> Response:
        """The story's changes in order (joined, started, merged, split: when, which article)
        and, for each fact two or more articles carry, the earliest article that states it."""
        return _json(request, json.dumps(timeline(story_id), ensure_ascii=False))

    def article_view(article_id: str) -> dict[str, Any]:
        found = collection.article(article_id)
        if found is None:
            raise NotFound(f"no article {article_id!r} in this collection")
        article, story = found
        took: list[dict[str, Any]] = []
        given: list[dict[str, Any]] = []
        if story is not None:
            _, data = story_report(story)
            report = json.loads(data)
            outlets = {a["id"]: a["outlet"] or a["id"] for a in report["articles"]}
            for r in report["reuse"]:
                entry = {
                    "kind": r["kind"],
                    "relation": r["relation"],
                    "sentences": len(r["pairs"]),
                    "share": r["share"],
                }
                if r["article_id"] == article.id:
                    took.append({**entry, "other": r["source_id"], "outlet": outlets[r["source_id"]]})
                elif r["source_id"] == article.id:
                    given.append({**entry, "other": r["article_id"], "outlet": outlets[r["article_id"]]})
        versions = [{k: v[k] for k in ("number", "fetched_at", "title")} for v in collection.versions(article.id)]
        return {"article": article.as_dict(), "story_id": story, "took": took, "given": given, "versions": versions}

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str = _id()) -> HTMLResponse:
        found = article_view(article_id)
        record = found.pop("article")
        paragraphs = [p for p in record["text"].split("\n") if p.strip()]
        return _html("article.html.j2", article=Article.from_dict(record), paragraphs=paragraphs, **found)

    @app.get("/api/v1/articles/{article_id}", responses=ERRORS)
    def api_article(request: Request, article_id: str = _id()) -> Response:
        """One article as cleaned (the report's article record), its story, and the reuse
        records that take text from it or that it takes from others."""
        return _json(request, json.dumps(article_view(article_id), ensure_ascii=False))

    def search(q: str, page: int) -> tuple[list[Any], bool]:
        hits = collection.search(q, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        return hits[:PAGE_SIZE], len(hits) > PAGE_SIZE

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=10_000)) -> HTMLResponse:
        hits, more = search(q, page) if q.strip() else ([], False)
        return _html("search.html.j2", q=q, hits=hits, more=more, page=page)

    @app.get("/api/v1/search", responses=ERRORS)
    def api_search(
        request: Request, q: str = Query(..., min_length=1, max_length=200), page: int = Query(1, ge=1, le=10_000)
    ) -> Response:
        """Articles whose title or text hold every word of ``q`` (full-text search: SQLite FTS5,
        PostgreSQL text search), best first, PAGE_SIZE a page."""
        hits, more = search(q, page)
        body = {"q": q, "page": page, "next": page + 1 if more else None, "articles": [h.as_dict() for h in hits]}
        return _json(request, json.dumps(body, ensure_ascii=False))

    def outlet_view(name: str) -> dict[str, Any]:
        found = collection.outlet_articles(name)
        if not found:
            raise NotFound(f"no article of an outlet named {name!r} in this collection")
        takes: dict[str, int] = {}
        taken_by: dict[str, int] = {}
        originality: list[float] = []
        over_time: list[dict[str, Any]] = []
        words: dict[str, dict[str, int]] = {}
        analysed = 0
        for story_id in sorted({h.story_id for h in found if h.story_id}):
            cached = cache.latest(story_id)
            data = cached[1] if cached is not None else collection.latest_report(story_id)
            if data is None:
                continue  # not analysed yet: outlet pages never start analyses
            analysed += 1
            report = json.loads(data)
            outlet_of = {a["id"]: a["outlet"] or "(outlet unknown)" for a in report["articles"]}
            mine = [a for a in report["articles"] if a["outlet"] == name]
            originality += [a["originality"] for a in mine if a["originality"] is not None]
            over_time += [
                {
                    "story_id": story_id,
                    "article_id": a["id"],
                    "published": a["published"],
                    "originality": a["originality"],
                }
                for a in mine
                if a["originality"] is not None
            ]
            ours = {a["id"] for a in mine}
            for concept in report.get("framing", ()):  # its word choices, in its own voice
                for v in concept.get("variants", ()):
                    if v.get("voice") == "own" and ours & set(v.get("article_ids", ())):
                        terms = words.setdefault(concept["concept"], {})
                        terms[v["term"]] = terms.get(v["term"], 0) + 1
            for r in report["reuse"]:
                if r["relation"] != "derived":
                    continue
                if outlet_of[r["article_id"]] == name and outlet_of[r["source_id"]] != name:
                    takes[outlet_of[r["source_id"]]] = takes.get(outlet_of[r["source_id"]], 0) + 1
                elif outlet_of[r["source_id"]] == name and outlet_of[r["article_id"]] != name:
                    taken_by[outlet_of[r["article_id"]]] = taken_by.get(outlet_of[r["article_id"]], 0) + 1
        return {
            "outlet": name,
            "articles": [h.as_dict() for h in found],
            "stories_analysed": analysed,
            "originality": round(sum(originality) / len(originality), 4) if originality else None,
            "takes_from": dict(sorted(takes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "taken_by": dict(sorted(taken_by.items(), key=lambda kv: (-kv[1], kv[0]))),
            "originality_over_time": sorted(over_time, key=lambda o: (date_key(o["published"]), o["article_id"])),
            "word_choices": {c: dict(sorted(t.items())) for c, t in sorted(words.items())},
        }

    @app.get("/outlets/{name}", response_class=HTMLResponse, include_in_schema=False)
    def outlet_page(name: str = Path(max_length=200)) -> HTMLResponse:
        return _html("outlet.html.j2", **outlet_view(name))

    @app.get("/api/v1/outlets/{name}", responses=ERRORS)
    def api_outlet(request: Request, name: str = Path(max_length=200)) -> Response:
        """An outlet's articles (latest 200) and, over the stories analysed so far, its mean
        originality and each article's (by publication date), whom it takes text from and who
        takes text from it (derived reuse), and its word choices in its own voice (concept ->
        term -> stories)."""
        return _json(request, json.dumps(outlet_view(name), ensure_ascii=False))

    def people_view(q: str, page: int) -> dict[str, Any]:
        found = collection.people(q, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        return {
            "q": q,
            "page": page,
            "next": page + 1 if len(found) > PAGE_SIZE else None,
            "people": [p.as_dict() for p in found[:PAGE_SIZE]],
        }

    @app.get("/people", response_class=HTMLResponse, include_in_schema=False)
    def people_page(q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=10_000)) -> HTMLResponse:
        return _html("people.html.j2", **memo(("people", q, page), lambda: people_view(q, page)))

    @app.get("/api/v1/people", responses=ERRORS)
    def api_people(
        request: Request, q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=10_000)
    ) -> Response:
        """People quoted in the analysed stories, most quoted first, PAGE_SIZE a page; ``q``
        keeps names that hold it (case and accents ignored). ``key`` is the name to ask
        ``/api/v1/people/{name}`` for."""
        body = memo(("api-people", q, page), lambda: json.dumps(people_view(q, page), ensure_ascii=False))
        return _json(request, body)

    def person_view(name: str) -> dict[str, Any]:
        rows = collection.quotes_of(name)
        if not rows:
            raise NotFound(f"no quote of anyone named {name!r} in the analysed stories; the list is at /people")
        utterances: dict[str, dict[str, Any]] = {}
        verdicts: dict[str, int] = {}
        for row in rows:
            group = utterances.setdefault(
                row["utterance"], {"utterance": row["utterance"], "story_id": row["story_id"], "renderings": []}
            )
            group["renderings"].append(row)
            verdict = row["verdict"] or "alone"
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
        names: dict[str, int] = {}
        for row in rows:
            names[row["speaker"]] = names.get(row["speaker"], 0) + 1
        return {
            "person": max(sorted(names), key=lambda n: names[n]),
            "key": person_key(name),
            "names": sorted(names),
            "quotes": len(rows),
            "verdicts": dict(sorted(verdicts.items())),
            # Statements carried by the most outlets first (the comparison is the point), then as stored.
            "utterances": sorted(utterances.values(), key=lambda u: -len(u["renderings"])),
        }

    @app.get("/people/{name}", response_class=HTMLResponse, include_in_schema=False)
    def person_page(name: str = Path(max_length=200)) -> HTMLResponse:
        return _html("person.html.j2", **memo(("person", name), lambda: person_view(name)))

    @app.get("/api/v1/people/{name}", responses=ERRORS)
    def api_person(request: Request, name: str = Path(max_length=200)) -> Response:
        """Every quote attributed to this person in the analysed stories, grouped by utterance
        (the renderings of one statement across outlets), each with its outlet, article and
        fidelity verdict (canonical, exact, trimmed, reworded, paraphrased ...; null when no
        other outlet rendered it)."""
        body = memo(("api-person", name), lambda: json.dumps(person_view(name), ensure_ascii=False))
        return _json(request, body)

    def alerts_view() -> dict[str, Any]:
        from ..watch import states
        from ..watch.alerts import Alerts

        saved = Alerts(collection)
        return {
            "alerts": [a.as_dict() | {"webhook": bool(a.webhook)} for a in saved.saved()],
            "events": saved.events(limit=PAGE_SIZE),
            "sources": [s.as_dict() for s in states(collection)],
        }

    @app.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts_page() -> HTMLResponse:
        return _html("alerts.html.j2", **alerts_view())  # not cached: the watcher changes it

    @app.get("/api/v1/alerts", responses=ERRORS)
    def api_alerts(request: Request) -> Response:
        """The saved alerts (``manysides alerts``), their latest events (newest first, with the
        evidence: article ids, outlets, sentences), and the state of each watched source."""
        return _json(request, json.dumps(alerts_view(), ensure_ascii=False))

    @app.get("/alerts/{alert_id}/feed.atom", include_in_schema=False)
    def alert_feed(request: Request, alert_id: str = _id()) -> Response:
        """One alert's events as an Atom feed (any feed reader follows it)."""
        from ..errors import SettingsError
        from ..watch.alerts import Alerts

        base = str(request.base_url).rstrip("/")
        try:
            feed = Alerts(collection).atom(alert_id, base)
        except SettingsError as exc:
            raise NotFound(str(exc)) from None
        return Response(feed, media_type="application/atom+xml", headers={"X-Content-Type-Options": "nosniff"})

    @app.get("/api/v1/stories", responses=ERRORS)
    async def api_stories(
        request: Request,
        page: int = Query(1, ge=1, le=100_000),
        since: dt.date | None = None,
        outlet: str | None = Query(None, max_length=200),
        kind: str | None = Query(None, max_length=200),
        country: str | None = Query(None, max_length=200),
        language: str | None = Query(None, max_length=16),
    ) -> Response:
        """The latest stories, PAGE_SIZE a page; ``next`` is the next page's number or null.
        Filters: ``since`` (YYYY-MM-DD: an article from then on), ``outlet`` (a name as in the
        list), ``kind`` and ``country`` (of an outlet, as the outlet registry labels it) and
        ``language`` (of an article, ISO 639-1). ``origins`` is null until the story has been
        analysed (its page opened, or warmed by the server)."""
        filters = Filters.of(since.isoformat() if since else None, outlet, kind, country, language)

        def render() -> str:
            listed, more, total, _ = listing(page, filters)
            following = page + 1 if more else None
            body = {"stories": [s.as_dict() for s in listed], "page": page, "next": following, "total": total}
            return json.dumps(body, ensure_ascii=False)

        key = ("api-stories", page, filters)
        return _json(request, peek(key) or await run_in_threadpool(memo, key, render))

    @app.get("/api/v1/stories/{story_id}", responses=ERRORS)
    async def api_story(request: Request, story_id: str = _id()) -> Response:
        """The story's full report (schema manysides/report/1), as ``manysides show --json`` writes it."""
        found = cached_story(story_id)
        _, data = found if found is not None else await run_in_threadpool(story_report, story_id)
        answer = _json(request, data)
        answer.headers.update(_source(found))
        return answer

    @app.post("/api/v1/articles", status_code=201, responses={**ERRORS, **WRITE_ERRORS})
    async def api_add(request: Request) -> dict[str, Any]:
        """Add articles: a JSON object, or a list of them, each as one JSON Lines record
        (``text`` or ``html``, and ``id``, ``url``, ``outlet``, ``title``, ``published`` ...)."""
        _authorise(request)
        body = await _body(request)
        try:
            records = json.loads(body)
        except (ValueError, RecursionError):
            raise BadRequest("the body is not JSON: send an article object or a list of them") from None
        records = records if isinstance(records, list) else [records]
        if not records or len(records) > MAX_POSTED:
            raise BadRequest(f"send 1 to {MAX_POSTED} articles per request")
        return await run_in_threadpool(add, records)  # cleaning and the story cut block

    def add(records: list[Any]) -> dict[str, Any]:
        from ..ingest.readers import read_jsonl
        from ..pipeline import add_documents

        lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        docs, skipped = [], []
        for item in read_jsonl("POST", lines):
            if isinstance(item, InputError):
                skipped.append({"source": item.source, "reason": item.reason})
            else:
                docs.append(item)
        if not docs:
            raise BadRequest("no article in the request: " + "; ".join(str(s["reason"]) for s in skipped[:3]))
        with analysing:
            result, more = add_documents(collection, docs, settings=settings, models=models, inputs=["POST"])
        generation(fresh=True)  # this process's own write shows at once
        skipped += [{"source": s.source, "reason": s.reason} for s in more]
        return {"added": result.added, "skipped": skipped, "changes": result.changes}

    return app


_MESSAGE = {
    "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}
}
#: The answers every API route may give besides its own, documented in the OpenAPI schema.
ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "not modified (If-None-Match)"},
    400: {"description": "a malformed id, page or date", **_MESSAGE},
    404: {"description": "not in the collection", **_MESSAGE},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "read-only server, or no or a wrong token", **_MESSAGE},
    413: {"description": "the body is too large", **_MESSAGE},
}
#: Largest request body and most articles per POST.
MAX_BODY = 5 * 2**20
MAX_POSTED = 500
TOKEN_ENV = "MANYSIDES_TOKEN"
#: Set to 1 by ``serve``: analyses are delegated to its background process.
DELEGATE_ENV = "MANYSIDES_DELEGATE"
#: How many latest stories ``serve --workers N`` keeps analysed (``create_app(warm=...)``).
WARM_ENV = "MANYSIDES_WARM"


class WebError(ManysidesError):
    """An answer other than 200 with a one-line reason; ``status`` is its HTTP status."""

    status = 400


class Forbidden(WebError):
    """A write without the operator's token (or to a read-only server)."""

    status = 403


async def _body(request: Request) -> bytes:
    """The request body, refused past MAX_BODY while it streams in."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge(f"the body is over {MAX_BODY // 2**20} MB; send fewer articles per request")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge(f"the body is over {MAX_BODY // 2**20} MB; send fewer articles per request")
        chunks.append(chunk)
    return b"".join(chunks)


class TooLarge(WebError):
    """A request body over MAX_BODY."""

    status = 413


def _authorise(request: Request) -> None:
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        raise Forbidden(f"this server is read-only: the operator sets {TOKEN_ENV} to allow writes")
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Forbidden("writes need the header 'Authorization: Bearer <token>' with the operator's token")


@lru_cache(maxsize=256)
def _tag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _json(request: Request, body: str) -> Response:
    """JSON with an ETag; 304 when the client has it already."""
    tag = _tag(body)
    if tag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, media_type="application/json", headers={"ETag": tag, "Cache-Control": "no-cache"})


def first_facts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Facts carried by two or more articles, each with the earliest published article that
    states it (unknown dates last; the evidence sentence is the proof)."""
    articles = {a["id"]: a for a in report["articles"]}
    out = []
    for fact in report["facts"]:
        carriers = [e for e in fact["evidence"] if e["status"] != "contradicted"]
        if len({e["article_id"] for e in carriers}) < 2:
            continue
        first = min(carriers, key=lambda e: (date_key(articles[e["article_id"]]["published"]), e["article_id"]))
        article = articles[first["article_id"]]
        out.append(
            {
                "fact_id": fact["id"],
                "text": fact["text"],
                "first_article": first["article_id"],
                "first_outlet": article["outlet"],
                "first_published": article["published"],
                "first_sentence": first["sentence"],
                "carried_by": len({e["article_id"] for e in carriers}),
            }
        )
    return sorted(out, key=lambda f: (date_key(f["first_published"]), f["fact_id"]))


def app_from_environment() -> FastAPI:
    """The app for ``uvicorn --factory`` (``serve --workers N`` starts one per worker):
    the collection from MANYSIDES_DB, the settings from MANYSIDES_CONFIG and the environment."""
    return create_app(
        os.environ.get("MANYSIDES_DB"),
        load_settings(),
        warm=int(os.environ.get(WARM_ENV) or 0),
        delegate=os.environ.get(DELEGATE_ENV) == "1",
    )


class NotFound(WebError):
    """A story (or page) that is not in the collection."""

    status = 404


class BadRequest(WebError):
    """A malformed id, date or parameter."""

    status = 400


def _summary(collection: Collection, story_id: str) -> StorySummary:
    found = collection.summary(story_id)
    if found is None:
        raise NotFound(f"no story {story_id!r} in this collection; the list is at /api/v1/stories")
    return found


@dataclass(frozen=True)
class Filters:
    """What a list of stories is narrowed to (None: not narrowed)."""

    since: str | None = None
    outlet: str | None = None
    kind: str | None = None
    country: str | None = None
    language: str | None = None

    @classmethod
    def of(cls, since: str | None, *others: str | None) -> Filters:
        """Filters from request parameters: empty ones are none; a bad date is a BadRequest."""
        since = since.strip() if since else None
        if since and day_number(since) is None:
            raise BadRequest("since is not a date; write it as YYYY-MM-DD")
        return cls(since or None, *(o.strip() if o and o.strip() else None for o in others))

    def narrows(self) -> bool:
        """Whether a filter other than ``since`` (which SQL applies) is set."""
        return any((self.outlet, self.kind, self.country, self.language))

    def keeps(self, story: StorySummary) -> bool:
        return (
            (self.outlet is None or self.outlet in story.outlets)
            and (self.kind is None or self.kind in story.kinds)
            and (self.country is None or self.country in story.countries)
            and (self.language is None or self.language in story.languages)
        )

    def query(self, page: int | None = None) -> str:
        """The filters (and ``page``) as a query string for links."""
        items = {k: v for k, v in asdict(self).items() if v} | ({"page": page} if page else {})
        return urlencode(items)


def _page(collection: Collection, page: int, filters: Filters) -> tuple[list[StorySummary], bool, int]:
    lo = (page - 1) * PAGE_SIZE
    if filters.narrows():  # outlets, kinds ... are JSON lists per story: filtered here
        stories = [s for s in collection.stories(since=filters.since) if filters.keeps(s)]
        return stories[lo : lo + PAGE_SIZE], len(stories) > lo + PAGE_SIZE, len(stories)
    listed = collection.stories(since=filters.since, limit=PAGE_SIZE + 1, offset=lo)  # paged in SQL
    return listed[:PAGE_SIZE], len(listed) > PAGE_SIZE, collection.count_stories(filters.since)


def _facets(collection: Collection) -> dict[str, list[str]]:
    """The values the front page's filters can take, from the stories' rows."""
    found: dict[str, set[str]] = {"outlets": set(), "kinds": set(), "countries": set(), "languages": set()}
    for s in collection.stories():
        for name in found:
            found[name].update(getattr(s, name))
    return {name: sorted(values) for name, values in found.items()}


def bars(histogram: dict[str, Any] | None, width: int = 96, height: int = 20) -> list[dict[str, float]]:
    """The bars of a story's articles-over-time chart (SVG rectangles; x, y, w, h, n)."""
    if not histogram or not histogram.get("counts"):
        return []
    counts = histogram["counts"]
    step, top = min(width / len(counts), 8.0), max(counts)  # a one-bin story is a narrow bar, not a block
    out = []
    for i, n in enumerate(counts):
        h = round(height * n / top, 1) if n else 0.0
        out.append(
            {"x": round(i * step, 1), "y": round(height - h, 1), "w": round(max(step - 1, 1), 1), "h": h, "n": n}
        )
    return out


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    page = f"<!doctype html><html lang=en><meta charset=utf-8><title>{status}</title><p>{_escape(message)}</p></html>"
    return HTMLResponse(page, status_code=status, headers=_page_headers(""))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _page_headers(css: str) -> dict[str, str]:
    policy = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    if css:
        policy += f"; style-src {csp_hash(css)}"
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _source(found: object) -> dict[str, str]:
    """``X-Manysides-Report``: "memory" when a story's report was in the worker's memory,
    "collection" when it was read from the collection or analysed for this request."""
    return {"X-Manysides-Report": "memory" if found is not None else "collection"}


def _html(template: str, **context: Any) -> HTMLResponse:
    """A page of the app: its template rendered with the stylesheet, with the pages' headers."""
    css = asset("report.css")
    html = _pages().get_template(template).render(css=css, **context)
    return HTMLResponse(html, headers=_page_headers(css))


def _pages() -> Any:
    """The web app's templates (``web/templates``), in the report's Jinja environment."""
    return template_env("web/templates")
