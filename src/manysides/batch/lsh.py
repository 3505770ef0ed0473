"""Distributed MinHash-LSH for story candidates and exact duplicates.

The design of datatrove's and text-dedup's web-scale deduplication: each article's
signature is cut into bands, each band's hash is a bucket key, the rows (key, article)
are written to shards by key (the shuffle), and each shard groups its buckets and turns
them into candidate pairs. Here the pairs are not near-duplicates but story candidates,
so the signature is taken over what tells a story apart, the article's heaviest words
and names (the terms the incremental engine's inverted index posts), and bands have one
row: two articles collide in a band with the probability of their terms' Jaccard
similarity, and stories' articles share few of their top terms (a Jaccard of 0.05 is
common in ECB+). The collisions are counted per pair, and each article keeps the
partners it collided with most: the LSH analogue of the engine's "candidates best by
the inverted index's partial dot product".

Calibrated on ECB+ (772 documents) and the story bench's 20,000-article synthetic stream,
2026-12-01, against the incremental engine's stories (BCubed F1 between the two, with a
global cut of the graph; prototype in memory): 12 words + 8 names, 128 bands, 100
partners, 10 most recent per bucket: 0.997 and 0.997 with 57 and 118 candidates per
article; 50 most recent: 0.990 and 0.997 with 66 and 131, and 100,000 articles then shuffled
3.9 KB per article and needed 9.9 GB in one worker (pairs grow with the buckets); 5 most
recent: 0.987 on ECB+; 8 + 8 terms and 64 bands: 0.987 on ECB+; every pair (no LSH):
0.992 on ECB+.

2026-12-02, with the real batch run against one-process ingest (``eval.batch.compare_runs``):
12 + 8 terms left out of the batch's neighbour lists some neighbours the engine's inverted
index (40 words + 20 names) finds; 24 + 16 give ECB+ 0.9956 -> 0.9991 (70 of 71 stories of 2+
identical) and the story bench's 20,000-article stream 0.9967 -> 0.9971, for 11% to 14% more
task time (verify +18% to +35%), 10% more bytes shuffled and 8% more peak memory per worker
(three side-by-side measurements).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from datasketch import MinHash

from ..cluster.features import Features

#: Terms per signature: the article's heaviest words and names (see the module's calibration).
SIGNATURE_WORDS, SIGNATURE_NAMES = 24, 16
#: Bands of one row each (= MinHash permutations).
BANDS = 128
#: In a bucket, each article pairs with this many articles before it in time: a term
#: shared by thousands of articles pairs each with its most recent ones, as the engine's
#: postings keep the most recent (``cluster.engine.MAX_POSTINGS``).
RECENT = 10
#: Partners an article keeps, by collisions (the engine's ``CANDIDATES``).
PARTNERS = 100
#: The band that holds exact duplicates (the text's hash) instead of a MinHash value.
DUPLICATE_BAND = BANDS
SEED = 1
_SPACE = 0x9E3779B9  # names' keys are moved by this so a word and a name never share a term


def terms(feats: Features) -> list[int]:
    """The terms of an article's signature: its heaviest words and names, as 32-bit keys."""
    out: set[int] = set()
    for keys, weights, top, move in (
        (feats.word_keys, feats.word_weights, SIGNATURE_WORDS, 0),
        (feats.name_keys, feats.name_weights, SIGNATURE_NAMES, _SPACE),
    ):
        for t in np.argsort(-weights, kind="stable")[:top].tolist():
            out.add((int(keys[t]) ^ move) & 0xFFFFFFFF)
    return sorted(out)


def _identity(term: int) -> int:
    return term  # terms are already 32-bit hashes (crc32 of the word)


def bucket_keys(feats: Features, text_hash: str) -> np.ndarray:
    """The article's bucket keys: band number in the high 32 bits, the band's MinHash value
    (32 bits) in the low ones; the last is its text's hash, in the duplicate band."""
    found = terms(feats)
    keys = np.empty(0, dtype=np.uint64)
    if found:
        m = MinHash(num_perm=BANDS, seed=SEED, hashfunc=_identity)
        m.update_batch(found)
        values = np.asarray(m.hashvalues, dtype=np.uint64) & np.uint64(0xFFFFFFFF)
        keys = (np.arange(BANDS, dtype=np.uint64) << np.uint64(32)) | values
    duplicate = (np.uint64(DUPLICATE_BAND) << np.uint64(32)) | np.uint64(int(text_hash[:8], 16))
    return np.append(keys, duplicate)


def shard_of(keys: np.ndarray, shards: int) -> np.ndarray:
    """The shard of each bucket key (a multiplicative hash, so bands spread evenly)."""
    mixed = (keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
    return (mixed % np.uint64(shards)).astype(np.int64)


def bucket_pairs(
    keys: np.ndarray, handles: np.ndarray, days: np.ndarray, window_days: float, recent: int = RECENT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs of one shard's buckets, counted: (earlier, later, collisions).

    Rows are sorted by bucket, then time (undated last), then handle; each row pairs with
    the ``recent`` rows before it in its bucket, unless both are dated more than
    ``window_days`` apart (such articles are never neighbours). Duplicate-band buckets
    are left out (``duplicates``)."""
    story = (keys >> np.uint64(32)) != np.uint64(DUPLICATE_BAND)
    keys, handles, days = keys[story], handles[story], days[story]
    when = np.where(np.isnan(days), np.inf, days)
    order = np.lexsort((handles, when, keys))
    keys, handles, days = keys[order], handles[order], days[order]
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    for d in range(1, recent + 1):
        same = keys[d:] == keys[:-d]
        if not same.any():
            break
        apart = np.abs(days[d:] - days[:-d]) > window_days  # NaN (undated) compares False
        keep = same & ~apart
        firsts.append(handles[:-d][keep])
        seconds.append(handles[d:][keep])
    if not firsts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return count_pairs(lo, hi, np.ones(len(lo), dtype=np.int64))


def count_pairs(a: np.ndarray, b: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per distinct (a, b), counts summed, sorted by (a, b). The handles are
    numbered densely first so that a pair is one int64 (a 1-D sort, not a row sort: 4x
    faster on 10,000 articles' pairs)."""
    if not len(a):
        return a, b, counts
    handles, dense = np.unique(np.concatenate([a, b]), return_inverse=True)
    n = np.int64(len(handles))
    keys = dense[: len(a)].astype(np.int64) * n + dense[len(a) :].astype(np.int64)
    found, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=counts, minlength=len(found)).astype(np.int64)
    return handles[found // n], handles[found % n], total


def duplicates(keys: np.ndarray, handles: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Handles of exact duplicates (same text hash as an earlier article: by date, undated
    last, then handle), which are not added: the incremental engine's rule."""
    dup = (keys >> np.uint64(32)) == np.uint64(DUPLICATE_BAND)
    keys, handles, days = keys[dup], handles[dup], days[dup]
    order = np.lexsort((handles, np.where(np.isnan(days), np.inf, days), keys))
    keys, handles = keys[order], handles[order]
    later = np.zeros(len(keys), dtype=bool)
    later[1:] = keys[1:] == keys[:-1]
    return np.asarray(handles[later])


def top_partners(
    a: np.ndarray, b: np.ndarray, counts: np.ndarray, chosen_by: Iterable[int], partners: int = PARTNERS
) -> set[tuple[int, int]]:
    """The pairs kept for verification: each article of ``chosen_by`` keeps its
    ``partners`` most collided partners (ties: the lower handle); a pair is kept when
    either of its articles (of ``chosen_by``) chose it."""
    mine = np.fromiter(chosen_by, dtype=np.int64)
    x = np.concatenate([a, b])
    y = np.concatenate([b, a])
    n = np.concatenate([counts, counts])
    keep = np.isin(x, mine)
    x, y, n = x[keep], y[keep], n[keep]
    order = np.lexsort((y, -n, x))
    x, y = x[order], y[order]
    start = np.searchsorted(x, x, side="left")
    rank = np.arange(len(x)) - start
    x, y = x[rank < partners], y[rank < partners]
    return {(int(p), int(q)) if p < q else (int(q), int(p)) for p, q in zip(x.tolist(), y.tolist(), strict=True)}
