"""The collection: articles and their stories, kept in a database (SQLite by default).

``Collection(url)`` opens (and migrates with alembic) a database through SQLAlchemy: any
URL SQLAlchemy takes, ``sqlite:///manysides.db`` (the default, in the working folder) or
``postgresql+psycopg://user@host/db``. ``add`` puts cleaned articles in it and keeps the
stories up to date with ``cluster.engine.StoryIndex``:

- an article already in the collection (same text, or same id) is counted as a duplicate
  and changes nothing; the pipeline skips a document whose URL is already in it;
- articles are committed in batches, each batch with everything it changed (the new
  articles, the neighbour lists and stories of the old ones, the story rows, the events
  that say why): a killed ingest loses at most its current batch, and re-running it adds
  the rest;
- one writer at a time: an ingest takes the collection's write lock (a lock file beside
  an SQLite database, an advisory lock on PostgreSQL), waits up to ``wait`` seconds for
  another one to finish, then fails with ``CollectionBusy``; readers never wait.

Only the articles within the story window (``StoryModel.window_days``) of the new ones are
loaded into memory, so the cost of an ingest does not grow with the age of the collection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..cluster.engine import Change, Neighbour, StoryIndex, StoryModel, load_story_model
from ..cluster.features import Features, from_bytes, story_features, to_bytes
from ..dates import date_key, day_number, instant
from ..errors import ManysidesError
from ..features import ArticleFeatures, pack_vectors, unpack_vectors
from ..index import half_precision
from ..index.text import lead_text
from ..model import Article, Skipped
from ..outlets import Registry, default_registry
from ..settings import DEFAULT_DB_URL, ClusteringSettings
from ..workers import map_chunks, worker_count
from .schema import (
    article_features,
    article_vectors,
    article_versions,
    articles,
    ingests,
    quotes,
    settings,
    stories,
    story_events,
    story_reports,
    story_wanted,
)

DEFAULT_URL = DEFAULT_DB_URL
#: Articles per committed batch: what a killed ingest can lose (it is re-done on re-run).
BATCH = 100
#: Rows per ``IN (...)`` query.
CHUNK = 500
PG_LOCK_KEY = 0x6D616E79  # "many"
#: Words of a search query used (the rest is ignored).
MAX_QUERY_WORDS = 20


def _story_features(_: None, items: Sequence[tuple[Article, Any]]) -> list[Features]:
    return [story_features(a.title, a.text, vector, language=a.language, published=a.published) for a, vector in items]


class CollectionError(ManysidesError):
    """The collection cannot be opened or used as asked."""


class CollectionBusy(CollectionError):
    """Another ingest holds the collection's write lock."""


@dataclass(frozen=True)
class StorySummary:
    id: str
    title: str | None
    size: int
    outlets: tuple[str, ...]
    first_published: str | None
    last_published: str | None
    first_seen: str
    last_seen: str
    languages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    #: Articles over time: {"start": ISO time, "hours": bin width, "counts": [...]}.
    histogram: Mapping[str, Any] | None = None
    #: Independent origins (None until the story is analysed).
    origins: int | None = None
    #: Its last change to the microsecond (``last_seen`` is shown to the second).
    stamp: str = ""

    @property
    def version(self) -> str:
        """Changes whenever the story does (its size or its last change, to the microsecond:
        an article's new version a second after the article still changes it)."""
        return f"{self.size}:{self.stamp or self.last_seen}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "size": self.size,
            "outlets": list(self.outlets),
            "first_published": self.first_published,
            "last_published": self.last_published,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "languages": list(self.languages),
            "kinds": list(self.kinds),
            "countries": list(self.countries),
            "histogram": dict(self.histogram) if self.histogram else None,
            "origins": self.origins,
        }


@dataclass(frozen=True)
class SearchHit:
    """An article found by ``Collection.search``."""

    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    story_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "story_id": self.story_id,
        }


@dataclass(frozen=True)
class TimelineEvent:
    """One change of a story: ``kind`` joined / started / merged / split / updated, ``at`` the
    time of the ingest that made it; for "joined" and "updated", the article (outlet, title,
    publication date); for merges and splits, the other stories; for "updated" (a new
    version of the article), what changed."""

    kind: str
    at: str
    article_id: str | None
    outlet: str | None
    title: str | None
    published: str | None
    stories: tuple[str, ...] = ()
    #: For "updated" (a new version of the article): what changed (``model.VersionDiff``).
    changes: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": self.at,
            "article_id": self.article_id,
            "outlet": self.outlet,
            "title": self.title,
            "published": self.published,
            "stories": list(self.stories),
            "changes": dict(self.changes) if self.changes else None,
        }


@dataclass(frozen=True)
class _Kept:
    """The story index an ``add`` left, for the next one (``Collection._index``)."""

    generation: int
    lo: float
    hi: float
    everything: bool
    dense: bool
    index: StoryIndex


@dataclass(frozen=True)
class Person:
    """Someone quoted in the collection's analysed stories."""

    key: str
    name: str
    quotes: int
    utterances: int
    stories: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "quotes": self.quotes,
            "utterances": self.utterances,
            "stories": self.stories,
        }


@dataclass(frozen=True)
class StoredStory:
    """A story as the collection keeps it: its articles (as cleaned, in the order they were
    added) and, per article, the engine's evidence for its place (nearest members, scores)."""

    id: str
    articles: tuple[Article, ...]
    why: Mapping[str, Any]


@dataclass(frozen=True)
class IngestResult:
    added: int
    duplicates: tuple[Skipped, ...]
    changes: dict[str, int] = field(default_factory=dict)
    stories: int = 0
    seconds: float = 0.0


class Collection:
    """A persistent collection of articles grouped into stories."""

    def __init__(
        self,
        url: str | None = None,
        *,
        wait: float = 60.0,
        model: StoryModel | None = None,
        clustering: ClusteringSettings | None = None,
        workers: int = 0,
        registry: Registry | None = None,
    ) -> None:
        self.url = url or os.environ.get("MANYSIDES_DB") or DEFAULT_URL
        self.wait = wait
        self.workers = workers
        self.model = model or load_story_model(clustering)
        self.registry = registry or default_registry()
        self._kept: _Kept | None = None
        try:
            self.engine: Engine = _engine(self.url, wait)
            self._migrate()
        except sa.exc.ArgumentError as exc:
            raise CollectionError(f"{self.url!r} is not a database URL ({exc}); try sqlite:///manysides.db") from None
        except sa.exc.OperationalError as exc:
            raise CollectionError(f"cannot open the collection {_safe(self.url)}: {exc.orig}") from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.engine.connect() as conn:
            for part in _chunks(sorted(set(urls)), CHUNK):
                found |= set(conn.scalars(sa.select(articles.c.url).where(articles.c.url.in_(part))))
        return found

    def add(
        self,
        new: Sequence[Article],
        *,
        embed: Callable[[list[str]], Any] | None = None,
        lead: Callable[[list[str]], Any] | None = None,
        dense: bool = False,
        inputs: Sequence[str] = (),
        batch: int = BATCH,
        progress: Callable[[int, int], None] | None = None,
    ) -> IngestResult:
        """Add cleaned articles and update the stories; returns what happened.

        ``dense`` makes a new collection cluster with article embeddings, computed by
        ``embed`` (texts -> unit vectors); an existing collection keeps its first choice.
        ``lead`` (texts -> multilingual unit vectors, ``Models.embed_multilingual``) gives
        articles the lead embedding that links them to articles in other languages: once the
        articles that can meet (the new ones and the stored ones in their window) are in more
        than one language, to the new ones and to the stored ones that lack it (stored back,
        so it is computed once); a collection in one language never loads the encoder.
        """
        started = time.perf_counter()
        with self._write_lock():
            dense = self._dense(dense)
            fresh, duplicates = self._new_only(new)
            if not fresh:
                return IngestResult(0, tuple(duplicates), seconds=time.perf_counter() - started)
            if dense and embed is None:
                raise CollectionError("this collection clusters with embeddings; pass an embedder (models.embed)")
            now = dt.datetime.now(dt.UTC)
            today = now.timestamp() / 86400.0
            days = [day_number(a.published) for a in fresh]
            keys = [today if d is None else d for d in days]
            feats = self._features(fresh, embed if dense else None)
            index, window = self._index(min(keys), max(keys), dense, undated=any(d is None for d in days))
            if lead is not None and len(index.languages | {a.language for a in fresh if a.language}) > 1:
                leads = half_precision(lead([lead_text(a.title, a.text) for a in fresh]))
                feats = [replace(f, lead=v) for f, v in zip(feats, leads, strict=True)]
                self._backfill_leads(index, lead)
            with self.engine.begin() as conn:
                key = conn.execute(
                    ingests.insert().values(
                        started_at=now, inputs=list(inputs), added=0, duplicates=len(duplicates), skipped=0
                    )
                ).inserted_primary_key
                if key is None:
                    raise CollectionError(
                        f"{_safe(self.url)} gave no key for the new ingest row; is it a SQL database?"
                    )
                run = int(key[0])
            counts: dict[str, int] = {}
            joined: set[str] = set()
            done = 0
            self._kept = None  # kept again only if every batch commits
            for lo in range(0, len(fresh), batch):
                part = range(lo, min(lo + batch, len(fresh)))
                for i in part:
                    index.add(fresh[i].id, feats[i], days[i])
                changes = index.cut()
                generation = self._commit(
                    index, [(fresh[i], feats[i], days[i], keys[i]) for i in part], changes, run, now
                )
                for c in changes:
                    counts[c.kind] = counts.get(c.kind, 0) + 1
                joined |= {c.story for c in changes if c.kind == "joined"}
                done += len(part)
                if progress:
                    progress(done, len(fresh))
            with self.engine.begin() as conn:
                conn.execute(ingests.update().where(ingests.c.pk == run).values(finished_at=dt.datetime.now(dt.UTC)))
            self._kept = _Kept(generation, *window, dense, index)
        return IngestResult(done, tuple(duplicates), counts, len(joined), time.perf_counter() - started)

    def _index(self, lo: float, hi: float, dense: bool, undated: bool) -> tuple[StoryIndex, tuple[float, float, bool]]:
        """The story index the new articles (days ``lo`` to ``hi``) can meet: the one the last
        ``add`` of this object left, when nothing else has changed the collection since (its
        generation) and it covers those days; else loaded (``_load``). A watcher or a web
        worker adding a few articles at a time then loads the window once, not per call.
        Also returns the days the index covers (lo, hi, every date)."""
        kept = self._kept
        if (
            kept is not None
            and kept.dense == dense
            and (kept.everything or (not undated and kept.lo <= lo and hi <= kept.hi))
            and kept.generation == self.generation()
        ):
            return kept.index, (kept.lo, kept.hi, kept.everything)
        return self._load(lo, hi, dense, undated), (lo, hi, undated)

    def _new_only(self, new: Sequence[Article]) -> tuple[list[Article], list[Skipped]]:
        hashes = {a.id: text_hash(a.text) for a in new}
        seen_ids: dict[str, str] = {}
        seen_hashes: dict[str, str] = {}
        with self.engine.connect() as conn:
            for part in _chunks(sorted(hashes), CHUNK):
                for aid in conn.scalars(sa.select(articles.c.id).where(articles.c.id.in_(part))):
                    seen_ids[aid] = aid
            for part in _chunks(sorted(set(hashes.values())), CHUNK):
                for aid, h in conn.execute(
                    sa.select(articles.c.id, articles.c.text_hash).where(articles.c.text_hash.in_(part))
                ):
                    seen_hashes[h] = aid
        fresh: list[Article] = []
        duplicates: list[Skipped] = []
        for a in new:
            h = hashes[a.id]
            same = seen_ids.get(a.id) or seen_hashes.get(h)
            if same is not None:
                duplicates.append(
                    Skipped(a.source, f"already in the collection as {same} (same text); not added again")
                )
                continue
            seen_ids[a.id] = a.id
            seen_hashes[h] = a.id
            fresh.append(a)
        return fresh, duplicates

    def _features(self, new: Sequence[Article], embed: Callable[[list[str]], Any] | None) -> list[Features]:
        vectors: Any = [None] * len(new)
        if embed is not None:
            vectors = embed([lead_text(a.title, a.text) for a in new])
        items = list(zip(new, vectors, strict=True))
        return map_chunks(_story_features, None, items, self.processes(len(items)))

    def _backfill_leads(self, index: StoryIndex, lead: Callable[[list[str]], Any]) -> None:
        """Stored articles of the index without a lead embedding get one, in the index and in
        the collection (their features row), with the language the collection records."""
        missing = index.without_lead()
        if not missing:
            return
        found: list[tuple[str, Features, str | None, str]] = []
        with self.engine.connect() as conn:
            for part in _chunks(missing, CHUNK):
                query = sa.select(articles.c.id, articles.c.features, articles.c.language, articles.c.record)
                for aid, blob, language, record in conn.execute(query.where(articles.c.id.in_(part))):
                    text = lead_text((record or {}).get("title"), (record or {}).get("text") or "")
                    found.append((aid, from_bytes(blob), language, text))
        if not found:
            return
        vectors = half_precision(lead([text for _, _, _, text in found]))
        with self.engine.begin() as conn:
            for (aid, feats, language, _), vector in zip(found, vectors, strict=True):
                updated = replace(feats, lead=vector, language=feats.language or language or "")
                index.set_lead(aid, updated.lead, updated.language)
                conn.execute(articles.update().where(articles.c.id == aid).values(features=to_bytes(updated)))

    def processes(self, n_items: int) -> int:
        """Worker processes for per-article work (``workers``; 0 = ``workers.worker_count``'s rule)."""
        return worker_count(n_items, self.workers)

    def _load(self, lo: float, hi: float, dense: bool, undated: bool = False) -> StoryIndex:
        """The articles the new ones can meet, in the order they were added: those within the
        story window of [lo, hi], and the undated ones (an undated article may neighbour an
        article of any date). ``undated``: some new article has no date, so it may meet
        any stored article, and all are loaded. Loading less than that made a resumed
        ingest group articles differently from one run of the same input."""
        index = StoryIndex(self.model, dense=dense)
        w = self.model.window_days
        reachable = sa.true() if undated else sa.or_(articles.c.day.between(lo - w, hi + w), articles.c.dated == 0)
        query = (
            sa.select(
                articles.c.id,
                articles.c.features,
                articles.c.dated,
                articles.c.day,
                articles.c.story_id,
                articles.c.neighbours,
            )
            .where(reachable)
            .order_by(articles.c.pk)
        )
        stored: list[tuple[str, list[list[Any]]]] = []
        with self.engine.connect() as conn:
            for aid, blob, dated, day, story, neighbours in conn.execute(query):
                index.restore(aid, from_bytes(blob), day if dated else None, story)
                stored.append((aid, neighbours))
        for aid, neighbours in stored:
            index.restore_neighbours(aid, [Neighbour(n[0], n[1], n[2], n[3]) for n in neighbours])
        index.take_dirty()
        return index

    def _commit(
        self,
        index: StoryIndex,
        batch: list[tuple[Article, Features, float | None, float]],
        changes: list[Change],
        run: int,
        now: dt.datetime,
    ) -> int:
        """Commit a batch with what it changed; returns the collection's generation after it."""
        new_ids = {a.id for a, _, _, _ in batch}
        dirty = [aid for aid in index.take_dirty() if aid not in new_ids]
        why = {c.article_id: c.evidence for c in changes if c.kind == "joined"}
        touched = {c.story for c in changes} | {s for c in changes for s in c.stories}
        with self.engine.begin() as conn:
            if batch:
                # The ingest row counts what is committed, in the same transaction: a killed
                # ingest's row says how many of its articles landed.
                conn.execute(ingests.update().where(ingests.c.pk == run).values(added=ingests.c.added + len(batch)))
                conn.execute(
                    articles.insert(),
                    [
                        article_row(
                            a, to_bytes(f), day, key, now, _neighbours(index, a.id), index.story_of(a.id), why.get(a.id)
                        )
                        for a, f, day, key in batch
                    ],
                )
            for aid in dirty:
                conn.execute(
                    articles.update()
                    .where(articles.c.id == aid)
                    .values(neighbours=_neighbours(index, aid), story_id=index.story_of(aid))
                )
            self._summarise(conn, sorted(s for s in touched if s))
            _bump(conn)
            generation = int(conn.scalar(sa.select(settings.c.value).where(settings.c.key == GENERATION)) or 0)
            if changes:
                conn.execute(
                    story_events.insert(),
                    [
                        {
                            "ingest": run,
                            "kind": c.kind,
                            "story_id": c.story,
                            "article_id": c.article_id,
                            "stories": list(c.stories),
                            "evidence": c.evidence,
                        }
                        for c in changes
                    ],
                )
        return generation

    # -- batch runs (``manysides batch``: articles clustered elsewhere, written here) -------

    def claim_batch(self, key: str) -> bool:
        """Make this collection the target of the batch run ``key``. It must be empty or
        already this run's (a restarted run); returns True when it was already this run's."""
        with self._write_lock(), self.engine.begin() as conn:
            owner = conn.scalar(sa.select(settings.c.value).where(settings.c.key == BATCH_KEY))
            if owner == key:
                return True
            if owner is not None or conn.scalar(sa.select(sa.func.count()).select_from(articles)):
                raise CollectionError(
                    f"{_safe(self.url)} already holds articles (from another run); a batch run writes a new "
                    "collection: give another --db, or add to this one with `manysides ingest`"
                )
            conn.execute(settings.insert().values(key=BATCH_KEY, value=key))
        return False

    def open_run(self, inputs: Sequence[str], started: dt.datetime) -> int:
        """The ingest row of a batch run (one per run: a restarted run keeps its row)."""
        with self.engine.begin() as conn:
            found = conn.scalar(
                sa.select(ingests.c.pk).where(ingests.c.started_at == started).order_by(ingests.c.pk).limit(1)
            )
            if found is not None:
                return int(found)
            key = conn.execute(
                ingests.insert().values(started_at=started, inputs=list(inputs), added=0, duplicates=0, skipped=0)
            ).inserted_primary_key
        if key is None:
            raise CollectionError(f"{_safe(self.url)} gave no key for the new ingest row; is it a SQL database?")
        return int(key[0])

    def add_stored(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert article rows made by ``article_row``, skipping those already there (same id
        or text): a retried or restarted batch task writes nothing twice. Returns how many
        were new."""
        added = 0
        with self.engine.begin() as conn:
            insert: Any = _dialect_insert(conn)
            for part in _chunks(rows, CHUNK):
                added += conn.execute(insert(articles).on_conflict_do_nothing(), list(part)).rowcount or 0
        return max(added, 0)

    def summarise(self, story_ids: Sequence[str]) -> None:
        """Rewrite the story rows of ``story_ids`` from their articles (a batch run's last write)."""
        with self.engine.begin() as conn:
            self._summarise(conn, sorted(story_ids))

    def close_run(self, run: int, added: int, duplicates: int, skipped: int) -> None:
        """Record what a batch run wrote, and let readers see it (the generation moves)."""
        with self.engine.begin() as conn:
            conn.execute(
                ingests.update()
                .where(ingests.c.pk == run)
                .values(added=added, duplicates=duplicates, skipped=skipped, finished_at=dt.datetime.now(dt.UTC))
            )
            _bump(conn)
        self._kept = None

    def _summarise(self, conn: Connection, ids: list[str]) -> None:
        """Rewrite the story rows of ``ids`` from their members (deleting emptied stories)."""
        for part in _chunks(ids, CHUNK):
            rows = conn.execute(
                sa.select(
                    articles.c.story_id,
                    articles.c.title,
                    articles.c.outlet,
                    articles.c.published,
                    articles.c.day,
                    articles.c.dated,
                    articles.c.ingested_at,
                    articles.c.pk,
                    articles.c.language,
                    articles.c.changed_at,
                ).where(articles.c.story_id.in_(part))
            ).all()
            conn.execute(stories.delete().where(stories.c.id.in_(part)))
            members: dict[str, list[Any]] = {}
            for row in rows:
                members.setdefault(row.story_id, []).append(row)
            values = []
            for sid, rs in sorted(members.items()):
                dated = sorted((r.published for r in rs if instant(r.published) is not None), key=date_key)
                first = min(rs, key=lambda r: (date_key(r.published), r.pk))
                seen = [_aware(r.ingested_at) for r in rs] + [_aware(r.changed_at) for r in rs if r.changed_at]
                values.append(
                    {
                        "id": sid,
                        "title": first.title,
                        "size": len(rs),
                        "outlets": sorted({r.outlet for r in rs if r.outlet}),
                        "first_published": dated[0] if dated else None,
                        "last_published": dated[-1] if dated else None,
                        # Dated members say when the story happened; undated ones count from their ingest.
                        "last_day": max([r.day for r in rs if r.dated] or [r.day for r in rs]),
                        "first_seen": min(seen),
                        "last_seen": max(seen),
                        **self._facets(rs),
                    }
                )
            if values:
                conn.execute(stories.insert(), values)

    # -- versions of an article (the same URL fetched again) -----------------------------

    def by_urls(self, urls: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """Articles by URL: url -> (article id, text hash, text) of the latest one with it."""
        found: dict[str, tuple[str, str, str]] = {}
        with self.engine.connect() as conn:
            for part in _chunks(sorted(set(urls)), CHUNK):
                query = (
                    sa.select(articles.c.url, articles.c.id, articles.c.text_hash, articles.c.record)
                    .where(articles.c.url.in_(part))
                    .order_by(articles.c.pk)
                )
                for url, aid, h, record in conn.execute(query):
                    found[url] = (aid, h, record["text"])
        return found

    def add_version(self, article_id: str, new: Article, diff: Mapping[str, Any], source: str) -> bool:
        """Keep ``new`` (cleaned text of the same URL fetched again) as the latest version of
        ``article_id``: the earlier text stays in ``article_versions``, the story's analysis
        reads the new one (its per-article features are dropped, the story's version
        changes), and the story's timeline gets an "updated" event with ``diff``. False
        (nothing kept) when the new text is another article's already."""
        now = dt.datetime.now(dt.UTC)
        new_hash = text_hash(new.text)
        with self._write_lock(), self.engine.begin() as conn:
            row = conn.execute(sa.select(articles).where(articles.c.id == article_id)).first()
            if row is None or row.text_hash == new_hash:
                return False
            if conn.scalar(sa.select(articles.c.id).where(articles.c.text_hash == new_hash)) is not None:
                return False
            numbers = list(
                conn.scalars(sa.select(article_versions.c.number).where(article_versions.c.article_id == article_id))
            )
            if not numbers:  # the first version, kept when a second one comes
                conn.execute(
                    article_versions.insert().values(
                        article_id=article_id,
                        number=1,
                        fetched_at=row.ingested_at,
                        text_hash=row.text_hash,
                        record=row.record,
                    )
                )
                numbers = [1]
            record = replace(new, id=article_id).as_dict()
            number = max(numbers) + 1
            conn.execute(
                article_versions.insert().values(
                    article_id=article_id, number=number, fetched_at=now, text_hash=new_hash, record=record
                )
            )
            if self.engine.dialect.name == "sqlite":  # the contentless index forgets the old text, learns the new
                conn.execute(
                    sa.text("INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES('delete', :pk, :t, :b)"),
                    {"pk": row.pk, "t": row.title or "", "b": row.record["text"]},
                )
                conn.execute(
                    sa.text("INSERT INTO articles_fts(rowid, title, body) VALUES(:pk, :t, :b)"),
                    {"pk": row.pk, "t": new.title or "", "b": new.text},
                )
            conn.execute(
                articles.update()
                .where(articles.c.id == article_id)
                .values(
                    record=record,
                    text_hash=new_hash,
                    title=new.title or row.title,
                    language=new.language or row.language,
                    changed_at=now,
                )
            )
            conn.execute(article_features.delete().where(article_features.c.article_id == article_id))
            conn.execute(article_vectors.delete().where(article_vectors.c.article_id == article_id))
            run = conn.execute(
                ingests.insert().values(
                    started_at=now, finished_at=now, inputs=[source], added=0, duplicates=0, skipped=0
                )
            ).inserted_primary_key
            if row.story_id and run is not None:
                conn.execute(
                    story_events.insert().values(
                        ingest=int(run[0]),
                        kind="updated",
                        story_id=row.story_id,
                        article_id=article_id,
                        stories=[],
                        evidence={**diff, "number": number},
                    )
                )
                self._summarise(conn, [row.story_id])
            _bump(conn)
        return True

    def versions(self, article_id: str) -> list[dict[str, Any]]:
        """The versions of an article, first to latest: number, fetched_at, title, text."""
        query = (
            sa.select(article_versions)
            .where(article_versions.c.article_id == article_id)
            .order_by(article_versions.c.number)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "number": r.number,
                "fetched_at": _aware(r.fetched_at).isoformat(timespec="seconds"),
                "title": r.record.get("title"),
                "text": r.record["text"],
            }
            for r in rows
        ]

    def _facets(self, members: Sequence[Any]) -> dict[str, Any]:
        """What the front page shows and filters on: languages, the outlets' kinds and
        countries (registry labels), and the articles over time."""
        labelled = [self.registry.by_name(r.outlet) for r in members]
        return {
            "languages": sorted({r.language for r in members if r.language}),
            "kinds": sorted({o.kind for o in labelled if o and o.kind}),
            "countries": sorted({o.country for o in labelled if o and o.country}),
            # Over when it happened: the dated members (undated ones count from their ingest).
            "histogram": histogram([r.day for r in members if r.dated] or [r.day for r in members]),
        }

    # -- reading ------------------------------------------------------------------------

    def summary(self, story_id: str) -> StorySummary | None:
        """One story's row (exact id), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
        return _summary_of(row) if row is not None else None

    def stories(self, since: str | None = None, limit: int | None = None, offset: int = 0) -> list[StorySummary]:
        """Stories, latest first; ``since`` (an ISO date) keeps those with an article from then on."""
        query = self._stories_query(since).order_by(stories.c.last_day.desc(), stories.c.size.desc(), stories.c.id)
        if limit:
            query = query.limit(limit).offset(offset)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_summary_of(r) for r in rows]

    def count_stories(self, since: str | None = None) -> int:
        with self.engine.connect() as conn:
            query = sa.select(sa.func.count()).select_from(self._stories_query(since).subquery())
            return int(conn.scalar(query) or 0)

    def _stories_query(self, since: str | None) -> Any:
        query = sa.select(stories)
        if since:
            day = day_number(since)
            if day is None:
                raise CollectionError(f"--since {since!r} is not a date; write it as YYYY-MM-DD")
            query = query.where(stories.c.last_day >= day)
        return query

    def story(self, story_id: str) -> StoredStory:
        """The story's articles (as cleaned) and why each is in it; a unique id prefix will do."""
        with self.engine.connect() as conn:
            ids = list(conn.scalars(sa.select(stories.c.id).where(stories.c.id.like(f"{story_id}%")).limit(2)))
            if len(ids) != 1:
                hint = "it matches several; give more of it" if ids else "list them with `manysides stories`"
                raise CollectionError(f"no single story {story_id!r} in {_safe(self.url)}: {hint}")
            rows = conn.execute(
                sa.select(articles.c.record, articles.c.why)
                .where(articles.c.story_id == ids[0])
                .order_by(articles.c.pk)
            ).all()
        found = tuple(Article.from_dict(r.record) for r in rows)
        return StoredStory(ids[0], found, {a.id: r.why for a, r in zip(found, rows, strict=True)})

    def events(self, story_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(story_events).where(story_events.c.story_id == story_id).order_by(story_events.c.pk)
            ).all()
        return [
            {
                "kind": r.kind,
                "article_id": r.article_id,
                "stories": r.stories,
                "evidence": r.evidence,
                "ingest": r.ingest,
            }
            for r in rows
        ]

    def article(self, article_id: str) -> tuple[Article, str | None] | None:
        """One article as cleaned, and its story's id; None when it is not in the collection."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(articles.c.record, articles.c.story_id).where(articles.c.id == article_id)
            ).first()
        return (Article.from_dict(row.record), row.story_id) if row is not None else None

    def outlet_articles(self, outlet: str, limit: int = 200) -> list[SearchHit]:
        """The outlet's articles (exact name), latest first."""
        query = (
            sa.select(articles.c.id, articles.c.title, articles.c.outlet, articles.c.published, articles.c.story_id)
            .where(articles.c.outlet == outlet)
            .order_by(articles.c.day.desc(), articles.c.pk.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [SearchHit(r.id, r.title, r.outlet, r.published, r.story_id) for r in rows]

    def search(self, query: str, limit: int = 50, offset: int = 0) -> list[SearchHit]:
        """Articles whose title or text hold every word of ``query`` (any order; accents and
        case folded on SQLite), best first. The words are taken as words: no query syntax."""
        words = [w for w in re.findall(r"\w+", query, re.UNICODE) if w][:MAX_QUERY_WORDS]
        if not words:
            return []
        if self.engine.dialect.name == "sqlite":
            sql = sa.text(
                "SELECT a.id, a.title, a.outlet, a.published, a.story_id FROM articles_fts f "
                "JOIN articles a ON a.pk = f.rowid WHERE articles_fts MATCH :q "
                "ORDER BY bm25(articles_fts), a.pk LIMIT :n OFFSET :o"
            )
            params: dict[str, Any] = {"q": " ".join('"' + w.replace('"', "") + '"' for w in words)}
        elif self.engine.dialect.name == "postgresql":
            doc = "to_tsvector('simple', coalesce(a.title, '') || ' ' || coalesce(a.record->>'text', ''))"
            sql = sa.text(
                f"SELECT a.id, a.title, a.outlet, a.published, a.story_id FROM articles a "
                f"WHERE {doc} @@ plainto_tsquery('simple', :q) "
                f"ORDER BY ts_rank({doc}, plainto_tsquery('simple', :q)) DESC, a.pk LIMIT :n OFFSET :o"
            )
            params = {"q": " ".join(words)}
        else:
            raise CollectionError(f"search needs SQLite or PostgreSQL, not {self.engine.dialect.name}")
        with self.engine.connect() as conn:
            rows = conn.execute(sql, {**params, "n": limit, "o": offset}).all()
        return [SearchHit(r.id, r.title, r.outlet, r.published, r.story_id) for r in rows]

    def stored_report(self, story_id: str, version: str, code: str) -> tuple[str, str] | None:
        """The rendered report (HTML, JSON) kept for this story version and code, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(story_reports.c.html, story_reports.c.json).where(
                    story_reports.c.story_id == story_id,
                    story_reports.c.version == version,
                    story_reports.c.code == code,
                )
            ).first()
        return (row.html, row.json) if row is not None else None

    def want(self, story_id: str) -> None:
        """Ask serve's background process to analyse a story (``wanted`` lists them)."""
        try:
            with self.engine.begin() as conn:
                if conn.scalar(sa.select(story_wanted.c.story_id).where(story_wanted.c.story_id == story_id)) is None:
                    conn.execute(story_wanted.insert().values(story_id=story_id, at=time.time()))
        except sa.exc.IntegrityError:
            pass  # another worker asked for it at the same moment

    def wanted(self) -> list[str]:
        """Stories asked for with ``want``, oldest first; each is removed as it is listed."""
        with self.engine.begin() as conn:
            found = list(conn.scalars(sa.select(story_wanted.c.story_id).order_by(story_wanted.c.at)))
            if found:
                conn.execute(story_wanted.delete().where(story_wanted.c.story_id.in_(found)))
        return found

    def latest_report(self, story_id: str) -> str | None:
        """The JSON of the latest report kept for a story, whatever its version (None if none)."""
        with self.engine.connect() as conn:
            found = conn.scalar(sa.select(story_reports.c.json).where(story_reports.c.story_id == story_id))
        return str(found) if found is not None else None

    def keep_report(self, story_id: str, version: str, code: str, html: str, data: str) -> None:
        """Keep a story's rendered report, replacing an older one, and what other pages read
        of it: the story's independent origins and its quotes by person (only while the
        story is still at ``version``: a report of an older version is kept, not spread)."""
        report = json.loads(data)
        with self.engine.begin() as conn:
            conn.execute(story_reports.delete().where(story_reports.c.story_id == story_id))
            conn.execute(
                story_reports.insert().values(story_id=story_id, version=version, code=code, html=html, json=data)
            )
            row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
            if row is None or _summary_of(row).version != version:
                return
            _bump(conn)
            origins = sum(len(s.get("origins", ())) for s in report.get("stories", ()))
            conn.execute(stories.update().where(stories.c.id == story_id).values(origins=origins))
            conn.execute(quotes.delete().where(quotes.c.story_id == story_id))
            rows = quote_rows(story_id, report)
            if rows:
                conn.execute(quotes.insert(), rows)

    def people(self, query: str = "", limit: int = 50, offset: int = 0) -> list[Person]:
        """People quoted in analysed stories, most quoted first; ``query`` keeps names holding it."""
        count = sa.func.count().label("n")
        select = (
            sa.select(
                quotes.c.person,
                sa.func.min(quotes.c.speaker).label("speaker"),
                count,
                sa.func.count(sa.distinct(quotes.c.story_id)).label("stories"),
                sa.func.count(sa.distinct(quotes.c.utterance)).label("utterances"),
            )
            .group_by(quotes.c.person)
            .order_by(count.desc(), quotes.c.person)
            .limit(limit)
            .offset(offset)
        )
        if query.strip():
            select = select.where(quotes.c.person.contains(person_key(query), autoescape=True))
        with self.engine.connect() as conn:
            rows = conn.execute(select).all()
        return [Person(r.person, r.speaker, r.n, r.utterances, r.stories) for r in rows]

    def quotes_of(self, person: str, limit: int = 1000) -> list[dict[str, Any]]:
        """Every stored rendering of a quote by ``person`` (any spelling that folds to the same
        key), newest story first, grouped by utterance in that order."""
        query = (
            sa.select(quotes.c.data)
            .join(stories, stories.c.id == quotes.c.story_id)
            .where(quotes.c.person == person_key(person))
            .order_by(stories.c.last_day.desc(), quotes.c.story_id, quotes.c.utterance, quotes.c.pk)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(data) for (data,) in conn.execute(query)]

    def timeline(self, story_id: str) -> list[TimelineEvent]:
        """What happened to a story, in the order it happened: each article joining (with
        when it was added and published), the story starting, merging and splitting."""
        query = (
            sa.select(
                story_events.c.kind,
                story_events.c.article_id,
                story_events.c.stories,
                story_events.c.evidence,
                ingests.c.started_at,
                articles.c.outlet,
                articles.c.title,
                articles.c.published,
            )
            .join(ingests, ingests.c.pk == story_events.c.ingest)
            .outerjoin(articles, articles.c.id == story_events.c.article_id)
            .where(story_events.c.story_id == story_id)
            .order_by(story_events.c.pk)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            TimelineEvent(
                kind=r.kind,
                at=_aware(r.started_at).isoformat(timespec="seconds"),
                article_id=r.article_id,
                outlet=r.outlet,
                title=r.title,
                published=r.published,
                stories=tuple(r.stories or ()),
                changes=r.evidence if r.kind == "updated" else None,
            )
            for r in rows
        ]

    # -- per-article features (features.FeatureCache) ----------------------------------

    def load_features(self, article_ids: Sequence[str], version: str) -> dict[str, ArticleFeatures]:
        """Stored features of these articles made by ``version`` (others are absent)."""
        found: dict[str, ArticleFeatures] = {}
        with self.engine.connect() as conn:
            for part in _chunks(sorted(set(article_ids)), CHUNK):
                query = sa.select(article_features.c.data).where(
                    article_features.c.article_id.in_(part), article_features.c.version == version
                )
                for (data,) in conn.execute(query):
                    f = ArticleFeatures.from_dict(data)
                    found[f.article_id] = f
        return found

    def save_features(self, features: Sequence[ArticleFeatures]) -> None:
        """Keep features, replacing what an older version stored for the same articles."""
        ids = [f.article_id for f in features]
        with self.engine.begin() as conn:
            for part in _chunks(ids, CHUNK):
                conn.execute(article_features.delete().where(article_features.c.article_id.in_(part)))
            conn.execute(
                article_features.insert(),
                [{"article_id": f.article_id, "version": f.version, "data": f.as_dict()} for f in features],
            )

    def load_vectors(self, article_ids: Sequence[str], version: str) -> dict[tuple[str, int], np.ndarray]:
        """Stored sentence vectors of these articles for ``version``: (article id, sentence) -> vector."""
        out: dict[tuple[str, int], np.ndarray] = {}
        with self.engine.connect() as conn:
            for part in _chunks(sorted(set(article_ids)), CHUNK):
                query = sa.select(article_vectors.c.article_id, article_vectors.c.data).where(
                    article_vectors.c.article_id.in_(part), article_vectors.c.version == version
                )
                for aid, data in conn.execute(query):
                    out.update({(aid, i): v for i, v in unpack_vectors(data).items()})
        return out

    def save_vectors(self, vectors: Mapping[tuple[str, int], np.ndarray], version: str) -> None:
        """Add sentence vectors to what is stored for their articles and ``version``."""
        by_article: dict[str, dict[int, np.ndarray]] = {}
        for (aid, i), v in vectors.items():
            by_article.setdefault(aid, {})[i] = v
        if not by_article:
            return
        with self.engine.begin() as conn:
            for part in _chunks(sorted(by_article), CHUNK):
                query = sa.select(article_vectors.c.article_id, article_vectors.c.data).where(
                    article_vectors.c.article_id.in_(part), article_vectors.c.version == version
                )
                stored = {aid: unpack_vectors(data) for aid, data in conn.execute(query)}
                conn.execute(
                    article_vectors.delete().where(
                        article_vectors.c.article_id.in_(part), article_vectors.c.version == version
                    )
                )
                conn.execute(
                    article_vectors.insert(),
                    [
                        {
                            "article_id": aid,
                            "version": version,
                            "data": pack_vectors({**stored.get(aid, {}), **by_article[aid]}.items()),
                        }
                        for aid in part
                    ],
                )

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(sa.select(sa.func.count()).select_from(articles)) or 0)

    # -- plumbing -----------------------------------------------------------------------

    def _migrate(self) -> None:
        """Bring the schema to the head revision. A collection already there is not locked
        (readers never wait); otherwise under the write lock, so that two first opens of a
        new file do not both create the tables."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(resources.files("manysides.store") / "migrations"))
        config.set_main_option("sqlalchemy.url", self.url)
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
        with self._write_lock(), self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            # Stories summarised before their facets existed (revision 0005) get them now.
            self._summarise(conn, list(conn.scalars(sa.select(stories.c.id).where(stories.c.histogram.is_(None)))))

    def generation(self) -> int:
        """A number that grows with every change a reader can see (articles added, stories
        changed, analyses kept): what the web app keys its cached pages by."""
        with self.engine.connect() as conn:
            found = conn.scalar(sa.select(settings.c.value).where(settings.c.key == GENERATION))
        return int(found or 0)

    def uses_embeddings(self) -> bool:
        with self.engine.connect() as conn:
            found = conn.scalar(sa.select(settings.c.value).where(settings.c.key == "story_features"))
        return found == "dense"

    def _dense(self, wanted: bool) -> bool:
        """Whether the collection clusters with embeddings: fixed by its first ingest."""
        with self.engine.begin() as conn:
            found = conn.scalar(sa.select(settings.c.value).where(settings.c.key == "story_features"))
            if found is None:
                found = "dense" if wanted else "sparse"
                conn.execute(settings.insert().values(key="story_features", value=found))
        return found == "dense"

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        if self.engine.dialect.name == "sqlite":
            with _file_lock(self._lock_path(), self.wait, self.url):
                yield
        elif self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                deadline = time.monotonic() + self.wait
                while not conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}):
                    if time.monotonic() > deadline:
                        raise CollectionBusy(_busy(self.url, self.wait))
                    time.sleep(0.2)
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
                    conn.commit()
        else:
            yield

    def _lock_path(self) -> Path | None:
        database = self.engine.url.database
        if not database or database == ":memory:":
            return None
        return Path(database).with_name(Path(database).name + ".lock")


def _summary_of(r: Any) -> StorySummary:
    return StorySummary(
        r.id,
        r.title,
        r.size,
        tuple(r.outlets),
        r.first_published,
        r.last_published,
        _aware(r.first_seen).isoformat(timespec="seconds"),
        _aware(r.last_seen).isoformat(timespec="seconds"),
        tuple(r.languages or ()),
        tuple(r.kinds or ()),
        tuple(r.countries or ()),
        r.histogram,
        r.origins,
        _aware(r.last_seen).isoformat(),
    )


#: Bin widths of a story's histogram, in days (an hour to a month), and the most bins.
BIN_DAYS = (1 / 24, 3 / 24, 6 / 24, 12 / 24, 1.0, 2.0, 7.0, 14.0, 30.0)
MAX_BINS = 12


def histogram(days: Sequence[float]) -> dict[str, Any]:
    """Articles per bin over a story's span (``days``: days since 1970, fractional): the
    narrowest width of BIN_DAYS that fits the span in MAX_BINS bins, bins aligned to it."""
    lo, hi = min(days), max(days)
    width = next((w for w in BIN_DAYS if (hi - lo) / w < MAX_BINS), BIN_DAYS[-1])
    first = int(lo // width)
    counts = [0] * (min(int(hi // width) - first, MAX_BINS * 8) + 1)
    for d in days:
        counts[min(int(d // width) - first, len(counts) - 1)] += 1
    start = dt.datetime.fromtimestamp(first * width * 86400, dt.UTC)
    return {"start": start.isoformat(timespec="minutes"), "hours": round(width * 24), "counts": counts}


GENERATION = "generation"
#: The settings row naming the batch run that writes a collection.
BATCH_KEY = "batch"


def _bump(conn: Connection) -> None:
    """Count one more change (``Collection.generation``), in the caller's transaction."""
    conn.execute(  # the row is made by migration 0005
        settings.update()
        .where(settings.c.key == GENERATION)
        .values(value=sa.cast(sa.cast(settings.c.value, sa.Integer) + 1, sa.Text))
    )


def person_key(name: str) -> str:
    """A speaker's name folded for lookup: case, accents, dots and spacing ignored."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).replace(".", " ")
    return " ".join(plain.split())[:200]


def quote_rows(story_id: str, report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``quotes`` rows of an analysed story: each quote with a speaker, with its outlet,
    its utterance (the report's quote group, else the quote alone) and its verdict in that
    group (the canonical rendering is "canonical"; a quote alone has none)."""
    articles_by_id = {a["id"]: a for a in report.get("articles", ())}
    group_of: dict[str, tuple[str, str | None]] = {}
    for group in report.get("quote_groups", ()):
        group_of[group["canonical"]] = (group["id"], "canonical")
        for variant in group.get("variants", ()):
            group_of[variant["quote_id"]] = (group["id"], variant["verdict"])
    rows = []
    for quote in report.get("quotes", ()):
        speaker = quote.get("speaker")
        if not speaker or not person_key(speaker):
            continue
        group, verdict = group_of.get(quote["id"], (quote["id"], None))
        article = articles_by_id.get(quote["article_id"], {})
        rows.append(
            {
                "story_id": story_id,
                "person": person_key(speaker),
                "speaker": speaker[:500],
                "utterance": f"{story_id}:{group}"[:64],
                "data": {
                    "story_id": story_id,
                    "utterance": f"{story_id}:{group}",
                    "quote_id": quote["id"],
                    "article_id": quote["article_id"],
                    "outlet": article.get("outlet"),
                    "published": article.get("published"),
                    "sentence": quote.get("sentence"),
                    "text": quote.get("text"),
                    "kind": quote.get("kind"),
                    "speaker": speaker,
                    "speaker_mention": quote.get("speaker_mention"),
                    "verdict": verdict,
                },
            }
        )
    return rows


def text_hash(text: str) -> str:
    """Hash of the text with whitespace and case folded: re-scraped copies match."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def article_row(
    a: Article,
    features: bytes,
    day: float | None,
    key: float,
    now: dt.datetime,
    neighbours: list[list[Any]],
    story: str | None,
    why: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """An ``articles`` row: ``day`` its date (None: undated), ``key`` the day it is kept
    under (its date, or its ingest's day), ``features`` the story features' bytes."""
    return {
        "id": a.id,
        "url": a.url,
        "source": a.source,
        "outlet": a.outlet,
        "title": a.title,
        "published": a.published,
        "day": key,
        "dated": int(day is not None),
        "text_hash": text_hash(a.text),
        "ingested_at": now,
        "record": a.as_dict(),
        "features": features,
        "neighbours": neighbours,
        "story_id": story,
        "why": why,
        "language": a.language,
    }


def _dialect_insert(conn: Connection) -> Any:
    """The database's INSERT that can skip rows already there (ON CONFLICT DO NOTHING)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    raise CollectionError(f"batch runs write to SQLite or PostgreSQL, not {conn.dialect.name}")


def _neighbours(index: StoryIndex, article_id: str) -> list[list[Any]]:
    return [[n.article_id, n.words, n.names, n.vector] for n in index.neighbours_of(article_id)]


def _engine(url: str, wait: float) -> Engine:
    if url.startswith("sqlite"):
        in_memory = sa.engine.make_url(url).database in (None, "", ":memory:")
        # Readers are many under `serve` (a thread per waiting request): a wider pool than
        # the default 5 + 10 (SQLite connections are cheap; WAL lets them read at once).
        pool: dict[str, Any] = {} if in_memory else {"pool_size": 10, "max_overflow": 40}
        engine = sa.create_engine(url, connect_args={"timeout": wait}, **pool)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            _wal(cursor, wait)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _wal(cursor: Any, wait: float) -> None:
    """Switch a new SQLite file to WAL. The switch needs the file to itself and SQLite does
    not wait for that (no busy handler): while another process is creating the schema it
    answers "database is locked" at once, so it is retried up to ``wait`` seconds. Once the
    file is in WAL (it stays so), the statement returns at once."""
    import sqlite3

    deadline = time.monotonic() + wait
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextlib.contextmanager
def _file_lock(path: Path | None, wait: float, url: str) -> Iterator[None]:
    """The collection's write lock beside an SQLite file (filelock: POSIX and Windows alike)."""
    if path is None:
        yield
        return
    from filelock import FileLock, Timeout

    try:
        with FileLock(str(path), timeout=wait):
            yield
    except Timeout:
        raise CollectionBusy(_busy(url, wait)) from None


def _busy(url: str, wait: float) -> str:
    return (
        f"another ingest is writing to {_safe(url)} (waited {wait:g} s); run this one when it has finished, "
        "or give --wait more seconds"
    )


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for lo in range(0, len(items), n):
        yield items[lo : lo + n]
