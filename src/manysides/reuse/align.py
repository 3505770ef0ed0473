"""Sentence alignment across the articles of a story: which sentences say the same thing.

Candidates come from two blocking indexes, never from all pairs of sentences:

1. lexical: MinHash LSH over word 3-shingles (shared word runs);
2. semantic: the nearest neighbours of each sentence's MiniLM vector (faiss; exact inner
   product for small stories, HNSW above ``align.exact_neighbours`` sentences).

Each candidate is scored by edit similarity of match keys; pairs below near-verbatim go
through the pair decision (``pairs.py``: lexical overlap + cosine). Two articles in
different languages are aligned apart (``_across_languages``), in the multilingual
encoder's space: each sentence's best counterpart by the ratio margin of bitext mining
(Artetxe & Schwenk 2019: the cosine over the mean cosine of both sentences' nearest
neighbours), kept when the choice is mutual and clears ``align.translation_margin``. A sentence rewritten as
two (or two merged into one) is found by joining a candidate with its neighbour. Each link
gets a kind: verbatim, near-verbatim, paraphrase, translation (a separate rendering of a
common source: a quote rendered in other words, or another language) or attributed (the
sentence names the other article's outlet as its source).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

import faiss
import numpy as np
from datasketch import MinHashLSH
from rapidfuzz import fuzz

from ..index import CorpusIndex
from ..index.text import match_key, quoted, quoted_share
from ..model import Article, ReuseKind, SentenceLink
from ..settings import AlignSettings
from .claims import claim_links
from .pairs import is_paraphrase, pair_features, paraphrase_probability

#: Thresholds: ``settings.AlignSettings`` (each with its calibration note in
#: data/defaults.toml, ``[align]``); DEFAULTS are the calibrated values.
DEFAULTS = AlignSettings()


def align(members: Sequence[Article], index: CorpusIndex, params: AlignSettings = DEFAULTS) -> list[SentenceLink]:
    """Every link between sentences of different members, each unordered pair once."""
    if len(members) < 2:
        return []
    all_rows = aligned_rows(members, index, params)
    if not all_rows:
        return []
    # Within a language: rows of members with a partner in their own language.
    same, _ = partners(members)
    rows = [(k, i) for k, i in all_rows if same[k]]
    vectors = index.sentence_vectors((members[k].id, i) for k, i in rows)
    candidates = (
        _lexical_candidates(members, index, rows, params) | _semantic_candidates(members, vectors, rows, params)
        if rows
        else set()
    )
    candidates = {c for c in candidates if not members[c[0]].in_other_language(members[c[2]])}
    links: dict[tuple[int, int, int, int], SentenceLink] = {}
    for k, i, m, j in sorted(candidates):
        link = _score(members, index, vectors, (k, i, m, j), params)
        if link is not None:
            links[k, i, m, j] = link
    for link in _joined(members, index, candidates, links, params.near_verbatim):
        key = (link.a, link.i, link.b, link.j)
        if key not in links or links[key].strength < link.strength:
            links[key] = link
    for link in _across_languages(members, index, all_rows, params):
        links[link.a, link.i, link.b, link.j] = link
    if rows and params.claim_cosine <= 1.0:
        for link in claim_links(members, index, rows, set(links), params):
            links[link.a, link.i, link.b, link.j] = link
    # The same embedded post shown by two outlets is their common source, not one copying the
    # other: a link for the fact matrix only, as a shared claim is.
    posted = [_post_sentences(a) for a in members]
    return [
        replace(link, claim=True) if link.i in posted[link.a] and link.j in posted[link.b] else link
        for link in (links[key] for key in sorted(links))
    ]


def _post_sentences(article: Article) -> set[int]:
    """Indexes of the sentences of the article's embedded posts and their bylines
    (``quotes.extract.posts``)."""
    from ..quotes.extract import posts

    regions = [(find.start, end) for find, end in posts(article)]
    return {s.i for s in article.sentences if any(a <= s.start < b for a, b in regions)}


def partners(members: Sequence[Article]) -> tuple[list[bool], list[bool]]:
    """Per member: whether another member is in its language, and whether one is in another."""
    counts: dict[str, int] = {}
    for a in members:
        counts[a.language or ""] = counts.get(a.language or "", 0) + 1
    unknown = counts.get("", 0)
    known = len(members) - unknown
    same = [not a.language or counts[a.language] > 1 or unknown > 0 for a in members]
    other = [bool(a.language) and known > counts[a.language or ""] for a in members]
    return same, other


def _across_languages(
    members: Sequence[Article], index: CorpusIndex, rows: list[tuple[int, int]], params: AlignSettings
) -> list[SentenceLink]:
    """Links between the sentences of members in different languages: mutual best
    counterparts by ratio margin over the multilingual encoder's cosines."""
    pairs = [
        (k, m)
        for k in range(len(members))
        for m in range(k + 1, len(members))
        if members[k].in_other_language(members[m])
    ]
    if not pairs:
        return []
    by_member: dict[int, list[int]] = {}
    for k, i in rows:
        by_member.setdefault(k, []).append(i)
    vectors = index.multilingual_vectors((members[k].id, i) for k, i in rows)
    out = []
    for k, m in pairs:
        xs, ys = by_member.get(k, []), by_member.get(m, [])
        if not xs or not ys:
            continue
        a = np.vstack([vectors[members[k].id, i] for i in xs])
        b = np.vstack([vectors[members[m].id, j] for j in ys])
        cos = a @ b.T
        margin = cos / (
            (_knn_mean(cos, params.margin_neighbours)[:, None] + _knn_mean(cos.T, params.margin_neighbours)[None, :])
            / 2
        )
        best_j, best_i = margin.argmax(axis=1), margin.argmax(axis=0)
        for r, c in enumerate(best_j.tolist()):
            if best_i[c] == r and margin[r, c] >= params.translation_margin and cos[r, c] >= params.semantic_floor:
                score = float(cos[r, c])
                out.append(
                    SentenceLink(
                        k, xs[r], m, ys[c], "translation", score, score, float(margin[r, c]), cap=params.near_verbatim
                    )
                )
    return out


def _knn_mean(cos: np.ndarray, k: int) -> np.ndarray:
    """Each row's mean cosine to its ``k`` nearest columns (fewer when there are fewer)."""
    k = min(k, cos.shape[1])
    return np.asarray(np.mean(-np.partition(-cos, k - 1, axis=1)[:, :k], axis=1))


def aligned_rows(
    members: Sequence[Article], index: CorpusIndex, params: AlignSettings = DEFAULTS
) -> list[tuple[int, int]]:
    """(member position, sentence) of the sentences alignment reads: ``min_words`` words or more."""
    return [
        (k, s.i)
        for k, a in enumerate(members)
        for s in a.sentences
        if len(index.sentence_keys[a.id][s.i].split()) >= params.min_words
    ]


def _lexical_candidates(
    members: Sequence[Article], index: CorpusIndex, rows: list[tuple[int, int]], params: AlignSettings
) -> set[tuple[int, int, int, int]]:
    lsh = MinHashLSH(num_perm=index.num_perm, params=_lsh_params(index.num_perm, params.lsh_threshold))
    for k, i in rows:
        lsh.insert(f"{k}:{i}", index.sentence_minhash[members[k].id][i])
    out = set()
    for k, i in rows:
        for other in lsh.query(index.sentence_minhash[members[k].id][i]):
            m, j = (int(x) for x in other.split(":"))
            if m > k:
                out.add((k, i, m, j))
    return out


def _semantic_candidates(
    members: Sequence[Article],
    vectors: dict[tuple[str, int], np.ndarray],
    rows: list[tuple[int, int]],
    params: AlignSettings,
) -> set[tuple[int, int, int, int]]:
    matrix = np.ascontiguousarray(np.vstack([vectors[members[k].id, i] for k, i in rows]), dtype=np.float32)
    n, dim = matrix.shape
    if n <= params.exact_neighbours:
        nn: faiss.Index = faiss.IndexFlatIP(dim)
    else:
        nn = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        nn.hnsw.efSearch = max(64, params.neighbours * 2)
    nn.add(matrix)
    sims, ids = nn.search(matrix, min(params.neighbours + 1, n))
    out = set()
    for r, (k, i) in enumerate(rows):
        for sim, o in zip(sims[r], ids[r], strict=True):
            if o < 0 or sim < params.semantic_floor:
                continue
            m, j = rows[int(o)]
            if m != k:
                out.add((k, i, m, j) if k < m else (m, j, k, i))
    return out


def _score(
    members: Sequence[Article],
    index: CorpusIndex,
    vectors: dict[tuple[str, int], np.ndarray],
    pair: tuple[int, int, int, int],
    params: AlignSettings,
) -> SentenceLink | None:
    k, i, m, j = pair
    a, b = members[k], members[m]
    key_a, key_b = index.sentence_keys[a.id][i], index.sentence_keys[b.id][j]
    score = fuzz.ratio(key_a, key_b) / 100.0
    cosine = float(vectors[a.id, i] @ vectors[b.id, j])
    cap = params.near_verbatim
    if score >= params.verbatim:
        return SentenceLink(k, i, m, j, _attributed(a, i, b, j) or "verbatim", score, cap=cap)
    if score >= cap:
        return SentenceLink(k, i, m, j, _attributed(a, i, b, j) or "near-verbatim", score, cosine, cap=cap)
    text_a, text_b = a.sentences[i].text, b.sentences[j].text
    probability = paraphrase_probability(pair_features(key_a, key_b, text_a, text_b, cosine))
    same_quote = _quote_similarity(text_a, text_b, params.quote_words)
    if same_quote >= params.same_quote:
        # One quote in the same words, the sentence around it rewritten (or trimmed).
        return SentenceLink(k, i, m, j, _attributed(a, i, b, j) or "paraphrase", score, cosine, probability, cap=cap)
    if same_quote >= params.quote_rendering and cosine >= params.semantic_floor:
        return SentenceLink(k, i, m, j, "translation", score, cosine, probability, cap=cap)
    if not (is_paraphrase(probability) or cosine >= params.same_content):
        return None
    separate = _separate_rendering(a, b, text_a, text_b, params)
    kind: ReuseKind = "translation" if separate else _attributed(a, i, b, j) or "paraphrase"
    return SentenceLink(k, i, m, j, kind, score, cosine, probability, cap=cap)


def _quote_similarity(text_a: str, text_b: str, quote_words: int) -> float:
    """How alike the closest two quotes of two sentences are (0 when either has no quote
    of ``quote_words`` words): the shorter quote's best match inside the longer one."""
    qa = [k for k in (match_key(q) for q in quoted(text_a)) if len(k.split()) >= quote_words]
    qb = [k for k in (match_key(q) for q in quoted(text_b)) if len(k.split()) >= quote_words]
    return max((fuzz.partial_ratio(x, y) / 100.0 for x in qa for y in qb), default=0.0)


def _joined(
    members: Sequence[Article],
    index: CorpusIndex,
    candidates: set[tuple[int, int, int, int]],
    links: dict[tuple[int, int, int, int], SentenceLink],
    near_verbatim: float,
) -> list[SentenceLink]:
    """One sentence rewritten as two: a sentence whose candidate, joined with the next or
    previous sentence of its article, is a near-verbatim copy of it."""
    out = []
    seen = set()
    for k, i, m, j in sorted(candidates):
        for (p, x), (q, y) in (((k, i), (m, j)), ((m, j), (k, i))):
            # Sentence x of article p against y joined with a neighbour in article q.
            for y2 in (y - 1, y + 1):
                lo, hi = min(y, y2), max(y, y2)
                if (p, x, q, lo) in seen or not 0 <= y2 < len(members[q].sentences):
                    continue
                seen.add((p, x, q, lo))
                keys = index.sentence_keys[members[q].id]
                alone = max(_link_score(links, p, x, q, y), _link_score(links, p, x, q, y2))
                if alone >= near_verbatim:
                    continue
                joined = fuzz.ratio(index.sentence_keys[members[p].id][x], f"{keys[lo]} {keys[hi]}") / 100.0
                if joined >= near_verbatim:
                    for yy in (lo, hi):
                        link = SentenceLink(p, x, q, yy, "near-verbatim", joined, joined=True, cap=near_verbatim)
                        out.append(link if p < q else link.flipped())
    return out


def _link_score(links: dict[tuple[int, int, int, int], SentenceLink], p: int, x: int, q: int, y: int) -> float:
    link = links.get((p, x, q, y)) if p < q else links.get((q, y, p, x))
    return link.score if link is not None else 0.0


def _separate_rendering(a: Article, b: Article, text_a: str, text_b: str, params: AlignSettings) -> bool:
    """A common source rendered twice: other languages, or the same utterance quoted in
    other words (two translations of one briefing). Copying a quote keeps its words."""
    if a.in_other_language(b):
        return True
    if quoted_share(text_a) < params.quote_share or quoted_share(text_b) < params.quote_share:
        return False
    qa, qb = match_key(" ".join(quoted(text_a))), match_key(" ".join(quoted(text_b)))
    return fuzz.partial_ratio(qa, qb) / 100.0 < params.near_verbatim


def _attributed(a: Article, i: int, b: Article, j: int) -> ReuseKind | None:
    """'attributed' when either sentence (or the one before it) names the other's outlet
    as where it comes from ("Reuters reported", "according to Reuters")."""
    for this, x, other in ((a, i, b), (b, j, a)):
        if other.outlet and this.outlet != other.outlet:
            pattern = attribution(other.outlet)
            if any(pattern.search(this.sentences[y].text) for y in (x - 1, x) if 0 <= y < len(this.sentences)):
                return "attributed"
    return None


@lru_cache(maxsize=256)
def attribution(outlet: str) -> re.Pattern[str]:
    name = re.escape(outlet)
    return re.compile(
        rf"\b{name}\s+(?:has\s+|had\s+)?(?:reported|reports|said|says|wrote|writes|cited|quoted|learned)\b"
        rf"|\b(?:according\s+to|told|reported\s+by|cited\s+by|quoted\s+by|via|said\s+to|in\s+an\s+interview\s+with)"
        rf"\s+(?:the\s+)?{name}\b",
        re.IGNORECASE,
    )


@lru_cache(maxsize=8)
def _lsh_params(num_perm: int, threshold: float) -> tuple[int, int]:
    """(bands, rows) for the LSH threshold: datasketch integrates for them on every new index
    (23 ms), once per story; computed once instead."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r
