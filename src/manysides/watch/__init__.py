"""Following sources as they publish (``manysides watch``): feeds, sitemaps and pages polled
on their intervals, new items fetched and added to the collection, changed pages kept as
new versions of their article, and alerts evaluated on what changed.

The loop is a plain scheduler over the collection's ``sources`` table rather than
APScheduler: the schedule *is* the stored state (each source's ``next_due``), so a watcher
killed at any moment and started again polls exactly what is due, with nothing to rebuild,
and several watcher processes could share one database. Within a round:

- due sources are polled by a small thread pool (fetching is waiting on the network);
- at most one request at a time per host, at least the host's robots.txt Crawl-delay (or
  ``host_delay``) apart (``HostGate``);
- a listing is fetched with a conditional GET (If-None-Match / If-Modified-Since from the
  stored ETag and Last-Modified): 304 costs nothing;
- 429 and 503 are waited out (Retry-After, seconds or a date); other errors back off
  exponentially with full jitter, up to MAX_BACKOFF;
- items are deduplicated by canonical URL (``listing.canonical_url``) against what the source
  listed before and what the collection holds; texts by the collection (same text = same
  article); an item is fetched again only when the listing says it changed, and a changed
  text becomes a new version of its article;
- adding to the collection is serialised (one writer; the models are shared).

Order of writes, for restarts: an article is committed before its item is marked taken, and
an item already in the collection by URL is marked taken without being fetched again; a
source's validators are saved after its items. Killing the watcher therefore loses nothing
and duplicates nothing (tested with SIGKILL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..errors import InputError
from ..ingest import decode
from ..ingest.fetch import Answer, Fetcher
from ..ingest.readers import read_html
from ..model import RawDocument
from ..settings import Settings, load_settings
from ..store import Collection
from ..store.schema import sources as sources_table
from ..store.schema import watch_items
from .listing import Item, canonical_url, kind_of, read_listing
from .sources import Source

log = logging.getLogger(__name__)

#: Longest wait after repeated errors (a source that keeps failing is tried twice a day).
MAX_BACKOFF_S = 12 * 3600.0
#: Longest Retry-After honoured (a server asking for more is asked again after this).
MAX_RETRY_AFTER_S = 24 * 3600.0
#: Child sitemaps read from one sitemap index per poll at most.
MAX_CHILD_SITEMAPS = 20
#: Items fetched, added and marked together: what a killed watcher fetches again at most
#: (per source being polled).
INGEST_BATCH = 10
#: An item whose page failed this many times is given up (until the listing changes it).
MAX_ITEM_FAILURES = 3


class Clock(Protocol):
    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0))


@dataclass(frozen=True)
class PollResult:
    """What one poll of one source did."""

    source: str
    status: str
    listed: int = 0
    fetched: int = 0
    added: int = 0
    versions: int = 0
    failed: int = 0
    next_due: float = 0.0


@dataclass(frozen=True)
class SourceState:
    """A source's row in the collection (``manysides sources``)."""

    name: str
    url: str
    last_fetch: str | None
    last_status: str | None
    next_due: float
    errors: int
    last_error: str | None
    articles: int
    versions: int
    items: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class HostGate:
    """At most one request at a time per host, and at least ``delay`` seconds between the end
    of one and the start of the next (the host's Crawl-delay when larger)."""

    def __init__(self, clock: Clock, delay: float) -> None:
        self.clock = clock
        self.delay = delay
        self._locks: dict[str, threading.Lock] = {}
        self._free_at: dict[str, float] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def turn(self, url: str, crawl_delay: float = 0.0) -> Iterator[None]:
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port or ''}"
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._free_at.get(host, 0.0) - self.clock.now()
            if wait > 0:
                self.clock.sleep(wait)
            try:
                yield
            finally:
                self._free_at[host] = self.clock.now() + max(self.delay, crawl_delay)


@dataclass
class Watcher:
    """Polls ``sources`` into ``collection`` (see the module's notes)."""

    collection: Collection
    sources: Sequence[Source]
    settings: Settings = field(default_factory=load_settings)
    allow_private: bool = False
    clock: Clock = field(default_factory=SystemClock)
    models: Any = None
    #: Called with each round's results (the CLI prints them; serve logs them).
    on_round: Callable[[list[PollResult]], None] | None = None

    def __post_init__(self) -> None:
        self._gate = HostGate(self.clock, self.settings.watch.host_delay)
        self._writing = threading.Lock()
        self._local = threading.local()
        self._random = random.Random()
        self.sync()

    # -- the schedule ---------------------------------------------------------------------

    def sync(self) -> None:
        """Make a state row for each configured source (a changed URL keeps its name's state)."""
        with self.collection.engine.begin() as conn:
            stored = dict(conn.execute(sa.select(sources_table.c.name, sources_table.c.url)).all())
            for s in self.sources:
                if s.key not in stored:
                    conn.execute(sources_table.insert().values(name=s.key, url=s.url, next_due=0.0))
                elif stored[s.key] != s.url:
                    conn.execute(sources_table.update().where(sources_table.c.name == s.key).values(url=s.url))

    def due(self) -> list[Source]:
        now = self.clock.now()
        with self.collection.engine.connect() as conn:
            next_due = dict(conn.execute(sa.select(sources_table.c.name, sources_table.c.next_due)).all())
        return [s for s in self.sources if next_due.get(s.key, 0.0) <= now]

    def run_once(self) -> list[PollResult]:
        """Poll every source that is due, then evaluate alerts and deliver webhooks."""
        from .alerts import Alerts

        due = self.due()
        results: list[PollResult] = []
        if due:
            with ThreadPoolExecutor(max_workers=max(1, min(self.settings.watch.threads, len(due)))) as pool:
                results = list(pool.map(self.poll, due))
        with self._writing:
            Alerts(self.collection, self.settings, self.models).run(clock=self.clock)
        if self.on_round:
            self.on_round(results)
        return results

    def seconds_to_next(self) -> float:
        """Seconds until the next source is due (0 when one is due now)."""
        with self.collection.engine.connect() as conn:
            soonest = conn.scalar(sa.select(sa.func.min(sources_table.c.next_due))) or 0.0
        return max(float(soonest) - self.clock.now(), 0.0)

    def run(self, stop: threading.Event, rounds: int | None = None) -> None:
        """Poll until ``stop`` is set (or ``rounds`` rounds have run), sleeping until the next
        source is due (at most a minute, so new alerts and a stop are seen)."""
        done = 0
        while not stop.is_set() and (rounds is None or done < rounds):
            try:
                self.run_once()
            except Exception:  # one bad round (a database hiccup) must not end the watcher
                log.exception("watch round failed; trying again")
            done += 1
            stop.wait(min(max(self.seconds_to_next(), 1.0), 60.0))

    # -- one source ------------------------------------------------------------------------

    def _fetcher(self) -> Fetcher:
        fetcher = getattr(self._local, "fetcher", None)
        if fetcher is None:
            fetcher = Fetcher.from_limits(self.settings.limits, allow_private=self.allow_private)
            self._local.fetcher = fetcher
        return fetcher

    def _get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        fetcher = self._fetcher()
        with self._gate.turn(url, fetcher.crawl_delay(url)):
            return fetcher.get(url, headers)

    def poll(self, source: Source) -> PollResult:
        """Poll one source; never raises for what the source does (errors are its state)."""
        try:
            return self._poll(source)
        except InputError as exc:
            return self._failed(source, exc.reason)
        except Exception as exc:  # a bug or a database error: recorded, the other sources go on
            log.exception("polling %s failed", source.key)
            return self._failed(source, f"{type(exc).__name__}: {exc}")

    def _poll(self, source: Source) -> PollResult:
        with self.collection.engine.connect() as conn:
            state = conn.execute(sa.select(sources_table).where(sources_table.c.name == source.key)).one()
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        answer = self._get(source.url, headers)
        now = self.clock.now()
        if answer.status == 304:
            return self._done(source, "not modified", {}, PollResult(source.key, "not modified"))
        if answer.status in (429, 503):
            wait = max(_retry_after(answer.headers.get("retry-after"), now), self._backoff(source, state.errors + 1))
            return self._failed(source, f"HTTP {answer.status}: asked to wait", wait=wait)
        if answer.status >= 400:
            return self._failed(source, f"HTTP {answer.status}")
        validators = {"etag": answer.headers.get("etag"), "last_modified": answer.headers.get("last-modified")}
        kind = source.type if source.type != "auto" else kind_of(answer.body)
        if kind == "page":
            docs = _page_docs(source, canonical_url(answer.url), answer)
            added, versions = self._add(source, docs)
            result = PollResult(source.key, "fetched", 1, 1, added, versions)
            return self._done(source, "fetched", validators, result)
        items = read_listing(source.url, answer.body, kind)
        items = self._children(source, items) if any(i.sitemap for i in items) else items
        items = [i for i in items if not i.sitemap and source.wants(i.url)]
        return self._take(source, items, validators)

    def _children(self, source: Source, items: list[Item]) -> list[Item]:
        """A sitemap index: the items of its child sitemaps that changed since the last poll."""
        children = [i for i in items if i.sitemap]
        known = self._known(source, [c.url for c in children])
        out = [i for i in items if not i.sitemap]
        for child in children[:MAX_CHILD_SITEMAPS]:
            if known.get(child.url, ("", ""))[0] == child.fingerprint and child.fingerprint:
                continue
            try:
                answer = self._get(child.url)
                if answer.status < 400:
                    out += read_listing(child.url, answer.body, "sitemap")
                    self._mark(source, [(child, "taken")])
            except InputError as exc:
                log.info("%s: child sitemap %s: %s", source.key, child.url, exc.reason)
        return out

    def _take(self, source: Source, items: list[Item], validators: dict[str, str | None]) -> PollResult:
        known = self._known(source, [i.url for i in items])
        todo = [i for i in items if _wanted(i, *known.get(i.url, (None, None)))]
        # Added before a restart but not marked: taken, not fetched again.
        held = self.collection.by_urls([i.url for i in todo if i.url not in known])
        self._mark(source, [(i, "taken") for i in todo if i.url in held])
        todo = [i for i in todo if i.url not in held][: self.settings.watch.fetch_per_poll]
        marks: list[tuple[Item, str]] = []
        added = versions = 0
        for lo in range(0, len(todo), INGEST_BATCH):  # fetched, added, marked: a batch at a time
            docs: list[RawDocument] = []
            batch: list[tuple[Item, str]] = []
            for item in todo[lo : lo + INGEST_BATCH]:
                try:
                    answer = self._get(item.url)
                    if answer.status >= 400:
                        raise InputError(item.url, f"HTTP {answer.status}")
                    docs += _page_docs(source, item.url, answer, item)
                    batch.append((item, "taken"))
                except InputError as exc:
                    batch.append((item, f"failed{_failures(known.get(item.url, (None, None))[1]) + 1}"))
                    log.info("%s: %s: %s", source.key, item.url, exc.reason)
            more, changed = self._add(source, docs)
            added, versions = added + more, versions + changed
            self._mark(source, batch)
            marks += batch
        failed = sum(1 for _, m in marks if m != "taken")
        status = f"{len(items)} listed, {len(todo)} new or changed"
        result = PollResult(source.key, status, len(items), len(todo) - failed, added, versions, failed)
        return self._done(source, status, validators, result)

    def _add(self, source: Source, docs: list[RawDocument]) -> tuple[int, int]:
        if not docs:
            return 0, 0
        from ..nlp import Models
        from ..pipeline import add_documents

        with self._writing:
            if self.models is None:
                self.models = Models(self.settings)
            result, _ = add_documents(
                self.collection, docs, settings=self.settings, models=self.models, inputs=[f"watch:{source.key}"]
            )
        return result.added, result.changes.get("updated", 0)

    # -- state -----------------------------------------------------------------------------

    def _known(self, source: Source, urls: Sequence[str]) -> dict[str, tuple[str | None, str]]:
        found: dict[str, tuple[str | None, str]] = {}
        with self.collection.engine.connect() as conn:
            for lo in range(0, len(urls), 500):
                part = list(urls[lo : lo + 500])
                query = sa.select(watch_items.c.url, watch_items.c.fingerprint, watch_items.c.state).where(
                    watch_items.c.source == source.key, watch_items.c.url.in_(part)
                )
                found.update({u: (f, s) for u, f, s in conn.execute(query)})
        return found

    def _mark(self, source: Source, marks: Sequence[tuple[Item, str]]) -> None:
        if not marks:
            return
        now = dt.datetime.fromtimestamp(self.clock.now(), dt.UTC)
        with self.collection.engine.begin() as conn:
            urls = [i.url for i, _ in marks]
            conn.execute(watch_items.delete().where(watch_items.c.source == source.key, watch_items.c.url.in_(urls)))
            conn.execute(
                watch_items.insert(),
                [
                    {"source": source.key, "url": i.url, "seen_at": now, "fingerprint": i.fingerprint, "state": m}
                    for i, m in {i.url: (i, m) for i, m in marks}.values()
                ],
            )

    def _done(self, source: Source, status: str, validators: dict[str, str | None], result: PollResult) -> PollResult:
        now = self.clock.now()
        due = now + source.interval
        values: dict[str, Any] = {
            "last_fetch": dt.datetime.fromtimestamp(now, dt.UTC),
            "last_status": status,
            "next_due": due,
            "errors": 0,
            "articles": sources_table.c.articles + result.added,
            "versions": sources_table.c.versions + result.versions,
        }
        values |= {k: v for k, v in validators.items() if v}
        with self.collection.engine.begin() as conn:
            conn.execute(sources_table.update().where(sources_table.c.name == source.key).values(**values))
        return PollResult(**{**result.__dict__, "next_due": due})

    def _failed(self, source: Source, reason: str, wait: float | None = None) -> PollResult:
        now = self.clock.now()
        with self.collection.engine.begin() as conn:
            errors = (conn.scalar(sa.select(sources_table.c.errors).where(sources_table.c.name == source.key)) or 0) + 1
            due = now + (wait if wait is not None else self._backoff(source, errors))
            conn.execute(
                sources_table.update()
                .where(sources_table.c.name == source.key)
                .values(
                    last_fetch=dt.datetime.fromtimestamp(now, dt.UTC),
                    last_status="error",
                    last_error=reason[:500],
                    errors=errors,
                    next_due=due,
                )
            )
        return PollResult(source.key, f"error: {reason}", next_due=due)

    def _backoff(self, source: Source, errors: int) -> float:
        """Exponential backoff with full jitter (AWS architecture blog's "full jitter"): a
        uniform wait up to interval * 2**errors, at least the interval, at most MAX_BACKOFF_S."""
        ceiling = min(source.interval * 2 ** min(errors, 16), MAX_BACKOFF_S)
        return max(source.interval, self._random.uniform(0, ceiling))


def states(collection: Collection) -> list[SourceState]:
    """Every watched source's state, by name (``manysides sources``)."""
    items = sa.select(watch_items.c.source, sa.func.count().label("n")).group_by(watch_items.c.source).subquery()
    query = (
        sa.select(sources_table, items.c.n)
        .outerjoin(items, items.c.source == sources_table.c.name)
        .order_by(sources_table.c.name)
    )
    with collection.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        SourceState(
            r.name,
            r.url,
            r.last_fetch.isoformat(timespec="seconds") if r.last_fetch else None,
            r.last_status,
            r.next_due,
            r.errors,
            r.last_error,
            r.articles,
            r.versions,
            r.n or 0,
        )
        for r in rows
    ]


def _wanted(item: Item, fingerprint: str | None, state: str | None) -> bool:
    """Whether to fetch a listed item: never taken, changed in the listing since, or failed
    fewer than MAX_ITEM_FAILURES times."""
    if state is None or fingerprint != item.fingerprint:
        return True
    return 0 < _failures(state) < MAX_ITEM_FAILURES


def _failures(state: str | None) -> int:
    """How many times an item's page failed, from its state ("failed2": 2; else 0)."""
    return int(state.removeprefix("failed") or 1) if state and state.startswith("failed") else 0


def _page_docs(source: Source, url: str, answer: Answer, item: Item | None = None) -> list[RawDocument]:
    hints: dict[str, Any] = {"url": url}
    if source.outlet:
        hints["outlet"] = source.outlet
    if item is not None and item.title:
        hints["title"] = item.title
    if item is not None and item.published:
        hints["published"] = item.published
    text = decode(url, answer.body)
    docs = [d for d in read_html(url, text) if isinstance(d, RawDocument)]
    return [RawDocument(d.source, d.content, d.format, {**d.hints, **hints}) for d in docs]


def _retry_after(value: str | None, now: float) -> float:
    """Seconds a Retry-After header asks for (a number or an HTTP date; 0 when absent)."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return min(max(when.timestamp() - now, 0.0), MAX_RETRY_AFTER_S)
