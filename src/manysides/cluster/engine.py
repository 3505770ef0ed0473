"""Incremental story clustering: a neighbour graph kept up to date, and stories cut from it.

Each article added is compared with candidates retrieved from an inverted index of its
heaviest words and names (and, when articles carry embeddings, an HNSW index of them),
never with every article. It keeps its ``neighbours`` nearest (by the sum of the word,
name and embedding cosines) among those whose word and name cosines add up to at least
``min_link``, and enters the lists of candidates it is nearer to than their farthest
neighbour. Two articles that share next to nothing are never neighbours, so however
small the collection, they never share a story. Articles more than ``window_days`` apart (both dated) are never
neighbours: stories decay.

Two articles tell the same story with the probability given by a logistic regression
(``data/stories.toml``) over their cosines, whether the years they mention agree, and their
ranks in each other's neighbour list: two reports of two different earthquakes are alike,
but each report's nearest neighbours are reports of its own earthquake.

Stories are cut from the graph by agglomeration with a capped average link: the mean
probability over the pairs of two groups, counting at most ``neighbours`` members of each
(the graph holds no more), must reach ``threshold``. Average link needs most pairs to
agree, so one shared name does not chain two events: a split is preferred to a false
merge. After each batch of additions, the stories the new articles are likely to join are
cut again from scratch (a story can split as evidence accumulates), and so are the stories
of stored articles whose neighbour lists a new one entered (their pair features changed:
``RESETTLE``), so that the stories do not depend on when the collection was cut; those the
new articles might join take part whole (two can merge); stories larger than
``recluster_max`` are always kept whole. This bounds the cost of a batch.

Storage is columnar (numpy arrays grown by doubling) so that a million articles fit in a
few GB; ``bench`` measures it.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import tomllib
from array import array
from collections import ChainMap
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np

from ..errors import ModelError
from ..maths import logistic
from ..settings import ClusteringSettings
from .features import Features

#: Terms of a new article looked up in the inverted index (its heaviest words and names),
#: and terms of each article put in it.
QUERY_WORDS, QUERY_NAMES = 40, 20
INDEX_WORDS, INDEX_NAMES = 64, 32
#: Postings read per query term: its most recent (up to twice as many are kept). A term in
#: more articles than this is common enough in the collection that its older articles are
#: reached through rarer terms and through the neighbour graph; this bounds the work of an
#: addition as the collection grows. 300 rather than 2,000: same BCubed F1 (0.995) on a
#: 50,000-article stream of 500 concurrent stories, 11% less CPU at 50k, and at most
#: 60 x 300 postings gathered per addition at any size (``bench.stories``).
MAX_POSTINGS = 300
#: Candidates scored exactly per addition (best by the index's partial dot product).
CANDIDATES = 100
#: A story takes part in the cut after new articles only if one of its members is a
#: neighbour of one of them with at least this probability (a story they cannot join is
#: left alone), and it is cut again from scratch (it can split) only with ``DISSOLVE``;
#: else it takes part whole (it can grow, or merge). This bounds the cost of a cut.
REACH, DISSOLVE = 0.1, 0.5
#: A story is also cut again from scratch when a new article entered a member's neighbour
#: list with at least this probability: the member's pair features (its ranks, its share of
#: its nearest) changed, and a story cut with the older ones would keep what the newer undo,
#: so stories would depend on the order and batching of additions. ECB+ (772 documents, the
#: 2026-12-02 model), stories added in steps of 100 against all at once, BCubed F1: 0.990
#: without this, 0.9911 at 0.1, 0.9964 at 0.05, 0.9988 at 0.02, 1.0 at 0 (every entry); the
#: cut's CPU time on ``bench.stories``' worst case (its scaling stream: 500 concurrent stories
#: in one window), at 10,000 articles, 2.0x at 0.05 (add + cut 1.39x), 2.4x at 0.02, 6.6x at 0,
#: measured side by side in one process.
RESETTLE = 0.05
#: Neighbours followed per step in ``StoryIndex.descend``. 2026-12-02, a batch run against
#: one-process ingest (BCubed F1): on ``tests/test_batch.py``'s stream (stories made of the
#: same seed sentences, windows of one day) 0.981 without, 0.988 with 8, 0.996 with 16; ECB+
#: 0.994 -> 0.998; the story bench's 20,000-article stream 0.9989 -> 0.9993, for 1.8x the cut
#: stage's task time and 22% to 32% more task time in all (two runs of each, side by side).
DESCENT = 16
EMPTY, OUTSIDE = -1, -2  # neighbour slots: unused; an article not loaded (counts for ranks)


@dataclass(frozen=True)
class CrossLingual:
    """How two articles in different languages are compared (``data/crosslingual.toml``,
    refit with ``python -m eval.fit_crosslingual``).

    Their words cannot be compared, so the pair's word cosine is estimated from the
    cosine of their multilingual lead embeddings: ``max(0, intercept + slope * cosine)``,
    the least-squares line of word cosine on lead cosine over same-language pairs. The
    rest of the pair model (names transliterated, figures, years, ranks) is unchanged.
    Candidates in another language: the ``candidates`` nearest leads of each other
    language, at least ``floor`` apart."""

    intercept: float
    slope: float
    candidates: int
    floor: float
    provenance: str

    def words(self, cosines: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, self.intercept + self.slope * cosines)


@lru_cache(maxsize=1)
def load_crosslingual() -> CrossLingual:
    raw = tomllib.loads((resources.files("manysides") / "data" / "crosslingual.toml").read_text(encoding="utf-8"))
    try:
        return CrossLingual(
            float(raw["intercept"]),
            float(raw["slope"]),
            int(raw["candidates"]),
            float(raw["floor"]),
            str(raw["provenance"]),
        )
    except KeyError as exc:
        raise ModelError(
            f"data/crosslingual.toml lacks {exc}; refit it with `PYTHONPATH=. python -m eval.fit_crosslingual`"
        ) from exc


@dataclass(frozen=True)
class StoryModel:
    """The pair probability and the cut; ``data/stories.toml``, refit with ``python -m eval.fit_stories``."""

    dense: dict[str, float]
    sparse: dict[str, float]
    threshold: float = 0.5
    dense_threshold: float = 0.5
    neighbours: int = 32
    min_link: float = 0.15
    window_days: float = 14.0
    recluster_max: int = 500
    provenance: str = ""

    def coefficients(self, dense: bool) -> dict[str, float]:
        return self.dense if dense else self.sparse

    def cut_at(self, dense: bool) -> float:
        return self.dense_threshold if dense else self.threshold

    def with_threshold(self, value: float) -> StoryModel:
        return replace(self, threshold=value, dense_threshold=value)


PAIR_FEATURES = ("intercept", "words", "names", "vector", "years", "rel_lo", "rel_hi", "pct_lo", "pct_hi")


@lru_cache(maxsize=1)
def load_story_model(overrides: ClusteringSettings | None = None) -> StoryModel:
    """The fitted story model (``data/stories.toml``), checked against the features this code
    computes; ``overrides`` (the ``[clustering]`` settings) replace the values they set."""
    raw = tomllib.loads((resources.files("manysides") / "data" / "stories.toml").read_text(encoding="utf-8"))
    for kind, needed in (("dense", PAIR_FEATURES), ("sparse", tuple(f for f in PAIR_FEATURES if f != "vector"))):
        found = tuple(raw.get(kind, {}))
        if set(found) != set(needed):
            raise ModelError(
                f"data/stories.toml [{kind}] has coefficients for {', '.join(found) or 'nothing'} but the code "
                f"computes {', '.join(needed)}; refit it with `PYTHONPATH=. python -m eval.fit_stories`"
            )
    missing = [k for k in STORY_MODEL_KEYS if k not in raw]
    if missing:
        raise ModelError(f"data/stories.toml lacks {', '.join(missing)}; refit it with `python -m eval.fit_stories`")
    model = StoryModel(
        dense={k: float(v) for k, v in raw["dense"].items()},
        sparse={k: float(v) for k, v in raw["sparse"].items()},
        threshold=float(raw["threshold"]),
        dense_threshold=float(raw["dense_threshold"]),
        neighbours=int(raw["neighbours"]),
        min_link=float(raw["min_link"]),
        window_days=float(raw["window_days"]),
        recluster_max=int(raw["recluster_max"]),
        provenance=str(raw["provenance"]),
    )
    if overrides is not None:
        model = replace(model, **{k: v for k, v in overrides.model_dump().items() if v is not None})
    return model


ChangeKind = Literal["joined", "started", "merged", "split"]
STORY_MODEL_KEYS = (
    "threshold",
    "dense_threshold",
    "neighbours",
    "min_link",
    "window_days",
    "recluster_max",
    "provenance",
)


@dataclass(frozen=True)
class Change:
    """What a cut did: ``kind`` is joined (``article_id`` joined ``story``), started,
    merged (``stories`` were absorbed into ``story``) or split (``story`` became ``stories``)."""

    kind: ChangeKind
    story: str
    article_id: str | None = None
    stories: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Neighbour:
    """A stored neighbour: its article id and the word, name and embedding cosines."""

    article_id: str
    words: float
    names: float
    vector: float


class _Column:
    """A growable numpy array (rows appended, capacity doubled)."""

    def __init__(self, dtype: Any, width: int = 0, fill: float = 0, capacity: int = 1024) -> None:
        self.shape = (width,) if width else ()
        self.fill = fill
        self.data = np.full((capacity, *self.shape), fill, dtype=dtype)
        self.n = 0

    def reserve(self, n: int) -> None:
        if n > len(self.data):
            size = max(n, 2 * len(self.data))
            grown = np.full((size, *self.shape), self.fill, dtype=self.data.dtype)
            grown[: self.n] = self.data[: self.n]
            self.data = grown

    def extend(self, values: np.ndarray) -> None:
        self.reserve(self.n + len(values))
        self.data[self.n : self.n + len(values)] = values
        self.n += len(values)

    def append(self, value: Any) -> None:
        self.reserve(self.n + 1)
        self.data[self.n] = value
        self.n += 1

    @property
    def nbytes(self) -> int:
        return int(self.data[: self.n].nbytes)


class SparseRows:
    """Rows of sorted uint32 keys with float32 weights, stored end to end."""

    def __init__(self) -> None:
        self.keys = _Column(np.uint32)
        self.weights = _Column(np.float32)
        self.offsets = _Column(np.int64)
        self.offsets.append(0)

    def append(self, keys: np.ndarray, weights: np.ndarray) -> None:
        self.keys.extend(keys)
        self.weights.extend(weights)
        self.offsets.append(self.keys.n)

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.offsets.data[r], self.offsets.data[r + 1]
        return self.keys.data[lo:hi], self.weights.data[lo:hi]

    def dots(self, a: int, others: Sequence[int]) -> np.ndarray:
        """Dot products of row ``a`` with each of ``others``, in one pass."""
        qk, qw = self.row(a)
        out = np.zeros(len(others), dtype=np.float64)
        if not len(qk) or not len(others):
            return out
        offsets = self.offsets.data
        starts = offsets[np.asarray(others)]
        ends = offsets[np.asarray(others) + 1]
        lengths = ends - starts
        if not lengths.sum():
            return out
        # Positions of every key of every other row, end to end, without a loop.
        total = int(lengths.sum())
        before = np.cumsum(lengths) - lengths
        flat = np.arange(total) + np.repeat(starts - before, lengths)
        keys = self.keys.data[flat]
        pos = np.searchsorted(qk, keys)
        pos[pos == len(qk)] = 0
        hit = qk[pos] == keys
        owner = np.repeat(np.arange(len(others)), lengths)
        contrib = np.where(hit, self.weights.data[flat] * qw[pos], 0.0)
        return np.bincount(owner, weights=contrib, minlength=len(others))

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.weights.nbytes + self.offsets.nbytes


class StoryIndex:
    """The neighbour graph and the current stories of (a window of) a collection, in memory.

    ``add`` new articles, or ``restore`` stored ones, then ``cut`` to update stories;
    ``story_of``, ``members`` and ``why`` read them; ``neighbours_of`` and ``dirty`` give
    what to store. Results depend only on the order of addition and the features.
    """

    def __init__(self, model: StoryModel | None = None, dense: bool = False, resettle: float = RESETTLE) -> None:
        """``resettle``: ``RESETTLE`` (above 1: never; ``bench.stories`` measures its cost)."""
        self.model = model or load_story_model()
        self.dense = dense
        self.resettle = resettle
        k = self.model.neighbours
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.label: list[str | None] = []
        self.stories: dict[str, set[int]] = {}
        self._years = _Column(np.uint64, width=2)
        # The years mentioned and the publication year: disagreement only (``pair_table``).
        self._dated = _Column(np.uint64, width=2)
        self._words = SparseRows()
        self._names = SparseRows()
        self._days = _Column(np.float64)
        self._vectors = _Column(np.float32, width=384) if dense else None
        self.crosslingual = load_crosslingual()
        self._language: list[str] = []
        self._leads: _Column | None = None  # multilingual lead embeddings (float16), once one is given
        self._by_language: dict[str, array[int]] = {}  # rows with a lead, by language
        self._nb = _Column(np.int32, width=k, fill=EMPTY)
        self._nb_sims = _Column(np.float32, width=3 * k)
        self._worst = _Column(np.float64)
        self._fill = _Column(np.int32)
        self._postings: dict[int, tuple[array[int], array[float]]] = {}
        self._ann: Any = None
        self._pending: list[int] = []
        self._offered: set[tuple[int, int]] = set()  # (row, new row in its list) since the last cut
        self._dirty: set[int] = set()

    def __len__(self) -> int:
        return len(self.ids)

    # -- building the graph -------------------------------------------------------------

    def add(self, article_id: str, feats: Features, day: float | None) -> int:
        """A new article: find its neighbours, enter it in theirs, queue it for the next cut."""
        row = self._append(article_id, feats, day)
        candidates = self._candidates(row)
        sims = self._links(row, candidates)
        keep = sims[:, 0] + sims[:, 1] >= self.model.min_link
        candidates = [c for c, k in zip(candidates, keep.tolist(), strict=True) if k]
        sims = sims[keep]
        totals = sims.sum(axis=1)
        order = np.lexsort((np.array(candidates, dtype=np.int64), -totals))[: self.model.neighbours]
        self._nb.data[row, : len(order)] = np.array(candidates, dtype=np.int32)[order]
        self._nb_sims.data[row, : 3 * len(order)] = sims[order].ravel()
        if candidates:
            cand = np.array(candidates, dtype=np.int64)
            better = totals > self._worst.data[cand]
            for j, s in zip(cand[better].tolist(), sims[better], strict=True):
                self._offer(j, row, s)
        self._worst.data[row] = self._floor(row)
        self._index(row, feats)
        self._pending.append(row)
        self._dirty.add(row)
        return row

    def restore(
        self, article_id: str, feats: Features, day: float | None, story: str | None, searchable: bool = True
    ) -> int:
        """A stored article, as it was: call ``restore_neighbours`` once all are restored.
        ``searchable=False`` leaves it out of the candidate search (an index only cut, never
        added to, as a batch run's windows are)."""
        row = self._append(article_id, feats, day)
        if searchable:
            self._index(row, feats)
        self.label[row] = story
        if story is not None:
            self.stories.setdefault(story, set()).add(row)
        return row

    def restore_neighbours(self, article_id: str, neighbours: Sequence[Neighbour]) -> None:
        row = self.row_of[article_id]
        for slot, n in enumerate(neighbours[: self.model.neighbours]):
            self._nb.data[row, slot] = self.row_of.get(n.article_id, OUTSIDE)
            self._nb_sims.data[row, 3 * slot : 3 * slot + 3] = (n.words, n.names, n.vector)
        self._worst.data[row] = self._floor(row)

    def _append(self, article_id: str, feats: Features, day: float | None) -> int:
        if article_id in self.row_of:
            raise ValueError(f"article {article_id!r} is already in the story index")
        row = len(self.ids)
        self.ids.append(article_id)
        self.row_of[article_id] = row
        self.label.append(None)
        self._years.append(year_mask(feats.years))
        self._dated.append(year_mask(feats.years | {feats.published_year} - {0}))
        self._words.append(feats.word_keys, feats.word_weights)
        self._names.append(feats.name_keys, feats.name_weights)
        self._days.append(np.nan if day is None else day)
        if self._vectors is not None:
            if not feats.has_vector:
                raise ValueError(f"article {article_id!r} has no embedding but the story index uses them")
            self._vectors.append(feats.vector)
        self._language.append(feats.language)
        if feats.has_lead:
            if self._leads is None:
                self._leads = _Column(np.float16, width=len(feats.lead))
            self._leads.reserve(row + 1)
            self._leads.data[row] = feats.lead
            self._leads.n = row + 1
            if feats.language:
                self._by_language.setdefault(feats.language, array("i")).append(row)
        self._nb.append(np.full(self.model.neighbours, EMPTY, dtype=np.int32))
        self._nb_sims.append(np.zeros(3 * self.model.neighbours, dtype=np.float32))
        self._worst.append(-math.inf)
        self._fill.append(0)
        return row

    def _offer(self, j: int, row: int, sims: np.ndarray) -> None:
        """Put ``row`` in j's neighbour list in place of its farthest (or a free slot).

        Slots fill from the left and are only ever replaced, so the free ones are the last."""
        k = self.model.neighbours
        fill = int(self._fill.data[j])
        if fill < k:
            slot = fill
            self._fill.data[j] = fill = fill + 1
        else:
            slot = int(np.argmin(self._nb_sims.data[j].reshape(-1, 3).sum(axis=1)))
        self._nb.data[j, slot] = row
        self._nb_sims.data[j, 3 * slot : 3 * slot + 3] = sims
        if fill == k:
            self._worst.data[j] = float(self._nb_sims.data[j].reshape(-1, 3).sum(axis=1).min())
        self._dirty.add(j)
        self._offered.add((row, j))

    def _floor(self, j: int) -> float:
        """What a newcomer must beat to enter j's list: -inf while it has free slots."""
        self._fill.data[j] = int((self._nb.data[j] != EMPTY).sum())
        if self._fill.data[j] < self.model.neighbours:
            return -math.inf
        return float(self._nb_sims.data[j].reshape(-1, 3).sum(axis=1).min())

    def _links(self, row: int, others: Sequence[int]) -> np.ndarray:
        """Word, name and embedding cosines of ``row`` with each of ``others`` (n x 3)."""
        out = np.zeros((len(others), 3), dtype=np.float32)
        if len(others):
            out[:, 0] = self._words.dots(row, others)
            out[:, 1] = self._names.dots(row, others)
            if self._vectors is not None:
                out[:, 2] = self._vectors.data[np.asarray(others)] @ self._vectors.data[row]
            across = self._across(row, others)
            if across.any():
                rows = np.asarray(others)[across]
                assert self._leads is not None  # _across is all False without leads
                lead = self._leads.data[row].astype(np.float32)
                out[across, 0] = self.crosslingual.words(self._leads.data[rows].astype(np.float32) @ lead)
        return out

    @property
    def languages(self) -> set[str]:
        """The languages of the articles in the index (those known)."""
        return {lang for lang in self._language if lang}

    def without_lead(self) -> list[str]:
        """Ids of the articles without a multilingual lead embedding."""
        n = 0 if self._leads is None else self._leads.n
        return [
            aid
            for row, aid in enumerate(self.ids)
            if row >= n or self._leads is None or not self._leads.data[row].any()
        ]

    def set_lead(self, article_id: str, lead: np.ndarray, language: str) -> None:
        """Give a stored article its lead embedding (and language), as ``add`` would have."""
        row = self.row_of[article_id]
        if self._leads is None:
            self._leads = _Column(np.float16, width=len(lead))
        self._leads.reserve(max(row + 1, len(self.ids)))
        self._leads.data[row] = lead
        self._leads.n = max(self._leads.n, row + 1)
        self._language[row] = language
        rows = self._by_language.setdefault(language, array("i")) if language else None
        if rows is not None and row not in rows:
            rows.append(row)

    def _across(self, row: int, others: Sequence[int]) -> np.ndarray:
        """Which of ``others`` are in another language than ``row``, both with a lead."""
        language = self._language[row]
        if self._leads is None or not language or len(self._by_language) < 2:
            return np.zeros(len(others), dtype=bool)
        return np.fromiter(
            (
                self._language[o] not in ("", language) and o < self._leads.n and bool(self._leads.data[o].any())
                for o in others
            ),
            dtype=bool,
            count=len(others),
        ) & bool(self._leads.data[row].any())

    def _other_languages(self, row: int) -> list[int]:
        """The nearest leads in each other language (``crosslingual.candidates`` of each)."""
        language = self._language[row]
        if self._leads is None or not language or row >= self._leads.n or not self._leads.data[row].any():
            return []
        lead = self._leads.data[row].astype(np.float32)
        found: list[int] = []
        for other, rows in sorted(self._by_language.items()):
            if other == language:
                continue
            pool = np.frombuffer(rows, dtype=np.int32)
            pool = pool[pool != row]
            if not len(pool):
                continue
            sims = self._leads.data[pool].astype(np.float32) @ lead
            top = min(self.crosslingual.candidates, len(pool))
            best = np.argpartition(-sims, top - 1)[:top]
            found.extend(int(pool[i]) for i in best if sims[i] >= self.crosslingual.floor)
        return found

    def _candidates(self, row: int) -> list[int]:
        rows_found: list[np.ndarray] = []
        vals_found: list[np.ndarray] = []
        for space, store, top in ((0, self._words, QUERY_WORDS), (1, self._names, QUERY_NAMES)):
            keys, weights = store.row(row)
            for t in np.argsort(-weights, kind="stable")[:top]:
                post = self._postings.get(_term(space, int(keys[t])))
                if post is not None:
                    rows_found.append(np.frombuffer(post[0], dtype=np.int32)[-MAX_POSTINGS:].copy())
                    vals_found.append(np.frombuffer(post[1], dtype=np.float32)[-MAX_POSTINGS:] * weights[t])
        best: list[int] = []
        if rows_found:
            found, where = np.unique(np.concatenate(rows_found), return_inverse=True)
            partial = np.bincount(where, weights=np.concatenate(vals_found))
            if len(found) > CANDIDATES:
                chosen = np.argpartition(-partial, CANDIDATES)[:CANDIDATES]
                found, partial = found[chosen], partial[chosen]
            best = [int(found[i]) for i in np.lexsort((found, -partial))]
        if self._vectors is not None and self._ann is not None and self._ann.ntotal:
            _, hits = self._ann.search(self._vectors.data[row : row + 1], min(CANDIDATES, self._ann.ntotal))
            best = sorted(set(best) | {int(r) for r in hits[0] if r >= 0})
        across = self._other_languages(row)
        if across:
            best = best + sorted(set(across) - set(best))
        day = self._days.data[row]
        if math.isnan(day):
            return best
        days = self._days.data[best]
        return [
            j
            for j, d in zip(best, days.tolist(), strict=True)
            if math.isnan(d) or abs(d - day) <= self.model.window_days
        ]

    def _index(self, row: int, feats: Features) -> None:
        for space, keys, weights, top in (
            (0, feats.word_keys, feats.word_weights, INDEX_WORDS),
            (1, feats.name_keys, feats.name_weights, INDEX_NAMES),
        ):
            for t in np.argsort(-weights, kind="stable")[:top].tolist():
                term = _term(space, int(keys[t]))
                post = self._postings.get(term)
                if post is None:
                    post = self._postings[term] = (array("i"), array("f"))
                post[0].append(row)
                post[1].append(float(weights[t]))
                if len(post[0]) > 2 * MAX_POSTINGS:
                    del post[0][:-MAX_POSTINGS]
                    del post[1][:-MAX_POSTINGS]
        if self._vectors is not None:
            if self._ann is None:
                import faiss

                self._ann = faiss.IndexHNSWFlat(self._vectors.data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
                self._ann.hnsw.efSearch = 128
            self._ann.add(self._vectors.data[row : row + 1])

    def descend(self, k: int = DESCENT) -> None:
        """One round of NN-descent over a restored graph: each article scores the nearest ``k``
        of each of its nearest ``k`` and takes into its list those nearer than its farthest.
        A batch run's lists are found by LSH, window by window; the neighbours they miss are
        mostly two steps away (``batch.tasks.cut_window`` calls this on its region)."""
        n = len(self.ids)
        if not n or k <= 0:
            return
        slots = self._nb.data[:n]
        totals = np.where(slots >= 0, self._nb_sims.data[:n].reshape(n, -1, 3).sum(axis=2), -np.inf)
        # A new array (the lists as they were): the round does not depend on its own order.
        top = np.take_along_axis(slots, np.argsort(-totals, axis=1, kind="stable")[:, :k], axis=1)
        days = self._days.data[:n]
        for r in range(n):
            first = top[r][top[r] >= 0]
            if not len(first):
                continue
            found = np.unique(top[first].ravel())
            found = found[(found >= 0) & (found != r) & ~np.isin(found, slots[r])]
            if not math.isnan(days[r]):
                found = found[np.isnan(days[found]) | (np.abs(days[found] - days[r]) <= self.model.window_days)]
            if not len(found):
                continue
            sims = self._links(r, found.tolist())
            for o, s in zip(found.tolist(), sims, strict=True):
                if s[0] + s[1] >= self.model.min_link and float(s.sum()) > self._worst.data[r]:
                    self._offer(r, o, s)
        self._offered.clear()

    # -- the pair probability -----------------------------------------------------------

    def neighbour_rows(self, a: int) -> list[int]:
        return [int(r) for r in self._nb.data[a] if r >= 0]

    def pair_table(self, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
        """One row of ``PAIR_FEATURES`` values per pair of rows (vectorised).

        Besides the cosines and the years: ``rel_lo``/``rel_hi``, the pair's similarity as
        a share of each article's nearest neighbour's (lower and higher of the two), and
        ``pct_lo``/``pct_hi``, its rank in each list as a share of the list's length. Both
        are relative, not absolute: a rank of 5 means little among 6 articles and much
        among 32 (absolute ranks fitted ECB+'s ten documents per event and merged the seed
        coverage's two stories).
        """
        out = np.zeros((len(pairs), len(PAIR_FEATURES)), dtype=np.float64)
        if not len(pairs):
            return out
        out[:, 0] = 1.0
        a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
        rows, where = np.unique(np.concatenate([a, b]), return_inverse=True)
        ia, ib = where[: len(pairs)], where[len(pairs) :]
        k = self.model.neighbours
        slots = self._nb.data[rows]
        sims = self._nb_sims.data[rows].reshape(len(rows), k, 3)
        used = slots != EMPTY
        totals = np.where(used, sims.sum(axis=2), -np.inf)
        order = np.argsort(-totals, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(1, k + 1)[None, :].repeat(len(rows), axis=0), axis=1)
        fill = used.sum(axis=1)
        best = np.where(fill > 0, totals.max(axis=1), 0.0)
        hit_ab = slots[ia] == b[:, None]
        hit_ba = slots[ib] == a[:, None]
        has_ab, has_ba = hit_ab.any(axis=1), hit_ba.any(axis=1)
        slot_ab, slot_ba = hit_ab.argmax(axis=1), hit_ba.argmax(axis=1)
        n = np.arange(len(pairs))
        link = np.where(has_ab[:, None], sims[ia, slot_ab], sims[ib, slot_ba])
        missing = np.flatnonzero(~has_ab & ~has_ba)
        for m in missing.tolist():
            link[m] = self._links(int(a[m]), [int(b[m])])[0]
        out[:, 1:4] = link
        ya, yb = self._years.data[a], self._years.data[b]
        both = (ya != 0).any(axis=1) & (yb != 0).any(axis=1)
        shared = (ya & yb).any(axis=1)
        # Two articles whose years, the publication years included, have none in common tell
        # of different events (two Oscar nights); agreement counts only on years mentioned.
        da, db = self._dated.data[a], self._dated.data[b]
        apart = (da != 0).any(axis=1) & (db != 0).any(axis=1) & ~(da & db).any(axis=1)
        out[:, 4] = np.where(both & shared, 1.0, np.where((both & ~shared) | apart, -1.0, 0.0))
        total = link.sum(axis=1)
        rel_a = np.where(best[ia] > 0, np.minimum(total / np.where(best[ia] > 0, best[ia], 1.0), 1.0), 0.0)
        rel_b = np.where(best[ib] > 0, np.minimum(total / np.where(best[ib] > 0, best[ib], 1.0), 1.0), 0.0)
        pct_a = np.where(has_ab, rank[ia, slot_ab], fill[ia] + 1) / (fill[ia] + 1)
        pct_b = np.where(has_ba, rank[ib, slot_ba], fill[ib] + 1) / (fill[ib] + 1)
        out[n, 5], out[n, 6] = np.minimum(rel_a, rel_b), np.maximum(rel_a, rel_b)
        out[n, 7], out[n, 8] = np.minimum(pct_a, pct_b), np.maximum(pct_a, pct_b)
        return out

    def probabilities(self, pairs: Sequence[tuple[int, int]], table: np.ndarray | None = None) -> np.ndarray:
        """Probability that each pair of rows tells the same story (from its ``pair_table``,
        computed here unless given)."""
        if not pairs:
            return np.zeros(0)
        coef = self.model.coefficients(self.dense)
        table = self.pair_table(pairs) if table is None else table
        z = table @ np.array([coef.get(name, 0.0) for name in PAIR_FEATURES])
        return np.asarray(logistic(z))

    def pair_features(self, a: int, b: int) -> dict[str, float]:
        return dict(zip(PAIR_FEATURES, self.pair_table([(a, b)])[0].tolist(), strict=True))

    def probability(self, a: int, b: int) -> float:
        return float(self.probabilities([(a, b)])[0])

    def edges(self, rows: Iterable[int]) -> dict[tuple[int, int], float]:
        """Probabilities of the graph's edges among ``rows`` (each pair once, a < b)."""
        inside = np.array(sorted(set(rows)), dtype=np.int64)
        if not len(inside):
            return {}
        slots = self._nb.data[inside].astype(np.int64)
        a = np.repeat(inside, slots.shape[1])
        b = slots.ravel()
        keep = np.isin(b, inside)
        a, b = a[keep], b[keep]
        pairs = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1), axis=0)
        listed = [(int(x), int(y)) for x, y in pairs.tolist()]
        return dict(zip(listed, self.probabilities(listed).tolist(), strict=True))

    # -- cutting stories ----------------------------------------------------------------

    def cut(self) -> list[Change]:
        """Update the stories around the articles added since the last cut."""
        new, self._pending = self._pending, []
        offered, self._offered = sorted(p for p in self._offered if self.label[p[1]] is not None), set()
        if not new:
            return []
        reach = [(r, j) for r in new for j in self.neighbour_rows(r) if self.label[j] is not None]
        touched: dict[str, float] = {}
        # A stored article that a new one entered the neighbour list of has new pair features
        # with its whole list (ranks, share of its nearest): its story is cut again, not only
        # the stories the new one may join (``RESETTLE``).
        for (_, j), p in zip(offered, self.probabilities(offered).tolist(), strict=True):
            if p >= self.resettle:
                touched[self.label[j] or ""] = 1.0
        for (_, j), p in zip(reach, self.probabilities(reach).tolist(), strict=True):
            sid = self.label[j] or ""
            touched[sid] = max(touched.get(sid, 0.0), p)
        region = set(new)
        blocks: list[set[int]] = [{r} for r in new]
        for sid, p in sorted(touched.items()):
            if p < REACH:
                continue
            members = self.stories[sid]
            region |= members
            if p >= DISSOLVE and len(members) <= self.model.recluster_max:
                blocks.extend({m} for m in members)
            else:
                blocks.append(set(members))
        groups = self._agglomerate(blocks, self.edges(region))
        return self._relabel(groups, set(new))

    def recluster(self) -> list[Change]:
        """Cut every story again from scratch (after a change of model or threshold)."""
        self._pending = list(range(len(self.ids)))
        self.label = [None] * len(self.ids)
        self.stories = {}
        return self.cut()

    def _agglomerate(self, blocks: list[set[int]], edges: dict[tuple[int, int], float]) -> list[set[int]]:
        k = self.model.neighbours
        threshold = self.model.cut_at(self.dense)
        owner: dict[int, int] = {}
        members: dict[int, set[int]] = {}
        for c, block in enumerate(sorted(blocks, key=min)):
            members[c] = set(block)
            for r in block:
                owner[r] = c
        sums: dict[int, dict[int, float]] = {c: {} for c in members}
        for (a, b), p in edges.items():
            ca, cb = owner[a], owner[b]
            if ca != cb:
                sums[ca][cb] = sums[ca].get(cb, 0.0) + p
                sums[cb][ca] = sums[cb].get(ca, 0.0) + p

        size = {c: min(len(m), k) for c, m in members.items()}

        def linkage(a: int, b: int) -> float:
            return sums[a][b] / (size[a] * size[b])

        # Only pairs at or above the threshold enter the heap: the others could never be
        # merged before the loop stops, unless a merge raises them (then they are pushed).
        heap = [(-v, a, b) for a in sums for b in sums[a] if a < b and (v := linkage(a, b)) >= threshold]
        heapq.heapify(heap)
        while heap:
            neg, a, b = heapq.heappop(heap)
            if a not in members or b not in members or b not in sums[a] or -neg != linkage(a, b):
                continue
            members[a] |= members.pop(b)
            size[a] = min(len(members[a]), k)
            for c, s in sums.pop(b).items():
                del sums[c][b]
                if c != a:
                    sums[a][c] = sums[a].get(c, 0.0) + s
                    sums[c][a] = sums[c].get(a, 0.0) + s
            for c in sums[a]:
                lo, hi = min(a, c), max(a, c)
                value = linkage(lo, hi)
                if value >= threshold:
                    heapq.heappush(heap, (-value, lo, hi))
        return [members[c] for c in sorted(members)]

    def _relabel(self, groups: list[set[int]], new: set[int]) -> list[Change]:
        overlaps: list[dict[str, int]] = []
        for group in groups:
            counts: dict[str, int] = {}
            for r in group:
                old = self.label[r]
                if old is not None:
                    counts[old] = counts.get(old, 0) + 1
            overlaps.append(counts)
        claims = sorted(
            ((n, sid, g) for g, counts in enumerate(overlaps) for sid, n in counts.items()),
            key=lambda x: (-x[0], x[1], x[2]),
        )
        name: dict[int, str] = {}
        used: set[str] = set()
        for _, sid, g in claims:
            if g not in name and sid not in used:
                name[g] = sid
                used.add(sid)
        old_stories = {sid: set(self.stories[sid]) for counts in overlaps for sid in counts}
        changes: list[Change] = []
        # Ids in use: kept ones, new ones, and every current story's (not copied: thousands).
        taken: ChainMap[str, Any] = ChainMap(dict.fromkeys(used), self.stories)
        for g, group in enumerate(groups):
            if g not in name:
                name[g] = story_id((self.ids[r] for r in group), taken=taken)
                used.add(name[g])
                taken[name[g]] = None
                changes.append(Change("started", name[g], stories=tuple(sorted(overlaps[g]))))
        for sid in old_stories:
            del self.stories[sid]
        for g, group in enumerate(groups):
            sid = name[g]
            self.stories[sid] = set(group)
            for r in group:
                if self.label[r] != sid:
                    self.label[r] = sid
                    self._dirty.add(r)
        for g, group in enumerate(groups):
            absorbed = tuple(sorted(s for s in overlaps[g] if s != name[g]))
            if absorbed and name[g] in old_stories:
                changes.append(
                    Change("merged", name[g], stories=absorbed, evidence=self._bridge(group, old_stories[name[g]]))
                )
        for sid, rows in sorted(old_stories.items()):
            parts = tuple(sorted({self.label[r] or "" for r in rows}))
            if len(parts) > 1:
                changes.append(Change("split", sid, stories=parts))
        joined = sorted(new)
        for r, evidence in zip(joined, self.whys(joined), strict=True):
            changes.append(Change("joined", self.label[r] or "", article_id=self.ids[r], evidence=evidence))
        return changes

    def _bridge(self, group: set[int], kept: set[int]) -> dict[str, Any]:
        """The strongest pair joining the kept story to what it absorbed."""
        pairs = [(a, b) for a in sorted(kept & group) for b in self.neighbour_rows(a) if b in group and b not in kept]
        if not pairs:
            return {}
        p, a, b = max(
            zip(self.probabilities(pairs).tolist(), *zip(*pairs, strict=True), strict=True),
            key=lambda x: (x[0], -x[1], -x[2]),
        )
        return {"probability": round(p, 4), "articles": [self.ids[a], self.ids[b]]}

    def whys(self, rows: Sequence[int], top: int = 3) -> list[dict[str, Any]]:
        """Why each of ``rows`` is in its story: its nearest fellow members, with the pair's
        probability and cosines (all pairs scored at once)."""
        pairs: list[tuple[int, int]] = []
        for row in rows:
            sid = self.label[row]
            mates = {j for j in self.neighbour_rows(row) if self.label[j] == sid}
            mates |= {j for j in self.stories.get(sid or "", ()) if j != row and row in self.neighbour_rows(j)}
            pairs.extend((row, j) for j in sorted(mates))
        table = self.pair_table(pairs)
        probs = self.probabilities(pairs, table).tolist()
        scored: dict[int, list[tuple[float, int, list[float]]]] = {row: [] for row in rows}
        for (row, j), p, sims in zip(pairs, probs, table[:, 1:4].tolist(), strict=True):
            scored[row].append((p, j, sims))
        out = []
        for row in rows:
            nearest = []
            for p, j, sims in sorted(scored[row], key=lambda x: (-x[0], x[1]))[:top]:
                nearest.append(
                    {
                        "article_id": self.ids[j],
                        "probability": round(p, 4),
                        "words": round(sims[0], 4),
                        "names": round(sims[1], 4),
                        "vector": round(sims[2], 4),
                    }
                )
            out.append({"nearest": nearest})
        return out

    # -- reading ------------------------------------------------------------------------

    def story_of(self, article_id: str) -> str | None:
        return self.label[self.row_of[article_id]]

    def members(self, story: str) -> list[str]:
        return sorted(self.ids[r] for r in self.stories.get(story, ()))

    def neighbours_of(self, article_id: str) -> list[Neighbour]:
        """The article's neighbour list as stored (article ids and cosines, nearest first)."""
        row = self.row_of[article_id]
        out = []
        for slot, r in enumerate(self._nb.data[row].tolist()):
            if r >= 0:
                s = self._nb_sims.data[row, 3 * slot : 3 * slot + 3].tolist()
                out.append(Neighbour(self.ids[r], s[0], s[1], s[2]))
        return sorted(out, key=lambda n: (-(n.words + n.names + n.vector), n.article_id))

    def take_dirty(self) -> list[str]:
        """Articles whose story or neighbour list changed since the last call."""
        dirty, self._dirty = sorted(self._dirty), set()
        return [self.ids[r] for r in dirty]

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays (features, graph, postings); Python objects come on top."""
        total = self._words.nbytes + self._names.nbytes + self._days.nbytes + self._nb.nbytes + self._nb_sims.nbytes
        total += self._years.nbytes + self._dated.nbytes
        total += sum(p[0].itemsize * len(p[0]) + p[1].itemsize * len(p[1]) for p in self._postings.values())
        if self._vectors is not None:
            total += self._vectors.nbytes
        if self._leads is not None:
            total += self._leads.nbytes
        return total


def year_mask(years: Iterable[int]) -> np.ndarray:
    """Years 1950-2077 as a 128-bit set (two words), for vectorised agreement tests."""
    words = [0, 0]
    for y in years:
        bit = min(max(y - 1950, 0), 127)
        words[bit // 64] |= 1 << (bit % 64)
    return np.array(words, dtype=np.uint64)


def _term(space: int, key: int) -> int:
    return (space << 32) | key


def story_id(article_ids: Iterable[str], taken: Container[str] = ()) -> str:
    """A new story's id: a hash of its members' ids (salted if that id is taken)."""
    key = " ".join(sorted(article_ids))
    for salt in itertools.count():
        sid = "s" + hashlib.sha1(f"{key}#{salt}".encode() if salt else key.encode()).hexdigest()[:10]
        if sid not in taken:
            return sid
    raise AssertionError("unreachable")


def cluster_rows(
    index: StoryIndex, items: Sequence[tuple[str, Features, float | None]], batch: int = 0
) -> list[Change]:
    """Add ``items`` in order and cut after every ``batch`` additions (0: once at the end)."""
    changes: list[Change] = []
    for n, (aid, feats, day) in enumerate(items, 1):
        index.add(aid, feats, day)
        if batch and n % batch == 0:
            changes.extend(index.cut())
    changes.extend(index.cut())
    return changes
