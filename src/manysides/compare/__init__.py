"""Stage 7, compare: which sentences each article of a story took from another.

1. Block: sentences of the story go into a MinHash LSH over word shingles, so only
   sentences that share word runs are compared (never all pairs).
2. Score each candidate pair by edit similarity of their match keys (rapidfuzz), and
   keep each sentence's best counterpart in every other article.
3. Orient each article pair (which one is derived), then report the derived article's
   share of sentences that come from the source.

Issue "Who copied whom" adds paraphrase and translation kinds and the fact matrix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import combinations

from datasketch import MinHashLSH
from rapidfuzz import fuzz

from ..index import CorpusIndex
from ..model import Article, Reuse, ReuseKind, ReusePair, Story
from .direction import Match, orient

#: Edit similarity (rapidfuzz ratio of match keys, 0..1) at or above which a pair is
#: verbatim or near-verbatim. Set on the seed coverage (2026-11): InDaily's reprint of
#: Reuters scores 0.96-1.0 per sentence, Press TV's rewrites 0.55-0.75; MRPC calibration
#: follows in issue "Who copied whom".
VERBATIM = 0.97
NEAR_VERBATIM = 0.80
#: LSH Jaccard threshold on word 3-shingles for candidate pairs: low, so that the
#: edit-similarity check, not the blocking, decides (recall of the blocking first).
LSH_THRESHOLD = 0.3
#: Sentences shorter than this (in words) are not evidence of reuse ("Share", headlines).
MIN_WORDS = 5
#: An article pair is reported when at least this many sentences match.
MIN_PAIRS = 2
#: Sources whose match scores are this close to the best count as equally good; the
#: earliest of them is credited (a wire story, not its reprint).
CREDIT_MARGIN = 0.05


def compare(articles: Sequence[Article], stories: Sequence[Story], index: CorpusIndex) -> list[Reuse]:
    by_id = {a.id: a for a in articles}
    out: list[Reuse] = []
    for story in stories:
        members = [by_id[i] for i in story.article_ids]
        out.extend(compare_story(story, members, index))
    return sorted(out, key=lambda r: (r.story_id, -r.share, r.article_id, r.source_id))


def with_origins(stories: Sequence[Story], reuse: Sequence[Reuse]) -> list[Story]:
    """Each story with its independent origins: the members no reuse record derives."""
    derived = {r.article_id for r in reuse}
    return [replace(s, origins=tuple(a for a in s.article_ids if a not in derived)) for s in stories]


def compare_story(story: Story, members: Sequence[Article], index: CorpusIndex) -> list[Reuse]:
    if len(members) < 2:
        return []
    matches = _candidate_matches(members, index)
    oriented: list[tuple[Article, Article, list[Match], tuple[str, ...]]] = []
    for a, b in combinations(range(len(members)), 2):
        a_in_b = _best_per_sentence(matches.get((a, b), []))
        b_in_a = _best_per_sentence(matches.get((b, a), []))
        if max(len(a_in_b), len(b_in_a)) < MIN_PAIRS:
            continue
        src, dst, evidence = orient(members[a], members[b], a_in_b, b_in_a)
        oriented.append((src, dst, a_in_b if dst is members[a] else b_in_a, evidence))
    credited = _credit_once(oriented)
    out = []
    for src, dst, pairs, evidence in oriented:
        kept = [m for m in pairs if credited[dst.id, m[0]] == src.id]
        if len(kept) >= MIN_PAIRS:
            out.append(_reuse(story, dst, src, kept, evidence))
    return out


def _credit_once(oriented: list[tuple[Article, Article, list[Match], tuple[str, ...]]]) -> dict[tuple[str, int], str]:
    """Credit each derived sentence to one source, so that a reprint of a reprint counts once.

    The best-scoring source wins; among sources within CREDIT_MARGIN of it, the earliest
    published (a sentence Press TV shares with both Reuters and InDaily's reprint of
    Reuters came from Reuters).
    """
    candidates: dict[tuple[str, int], list[tuple[float, Article]]] = {}
    for src, dst, pairs, _ in oriented:
        for i, _j, score, _sem in pairs:
            candidates.setdefault((dst.id, i), []).append((score, src))
    credited = {}
    for key, options in candidates.items():
        best = max(score for score, _ in options)
        close = [src for score, src in options if score >= best - CREDIT_MARGIN]
        credited[key] = min(close, key=lambda a: (a.published or "9999", a.id)).id
    return credited


def _candidate_matches(members: Sequence[Article], index: CorpusIndex) -> dict[tuple[int, int], list[Match]]:
    """All scored pairs above NEAR_VERBATIM, keyed (article k, other article m) with k's sentence first."""
    lsh = MinHashLSH(num_perm=index.num_perm, params=_lsh_params(index.num_perm))
    rows: dict[str, tuple[int, int]] = {}
    for k, article in enumerate(members):
        keys, hashes = index.sentence_keys[article.id], index.sentence_minhash[article.id]
        for s in article.sentences:
            if len(keys[s.i].split()) >= MIN_WORDS:
                rows[f"{k}:{s.i}"] = (k, s.i)
                lsh.insert(f"{k}:{s.i}", hashes[s.i])
    scored: list[tuple[int, int, int, int, float]] = []
    for k, i in sorted(rows.values()):
        a = members[k].id
        for other in sorted(lsh.query(index.sentence_minhash[a][i])):
            m, j = rows[other]
            if m <= k:
                continue  # each unordered pair once
            b = members[m].id
            score = fuzz.ratio(index.sentence_keys[a][i], index.sentence_keys[b][j]) / 100.0
            if score >= NEAR_VERBATIM:
                scored.append((k, i, m, j, score))
    # The semantic score tells something only where the words differ: verbatim pairs are
    # the same sentence, and embedding them was 80% of this stage's time on the bench.
    reworded = [x for x in scored if x[4] < VERBATIM]
    vectors = index.sentence_vectors(
        [(members[k].id, i) for k, i, _, _, _ in reworded] + [(members[m].id, j) for _, _, m, j, _ in reworded]
    )
    found: dict[tuple[int, int], list[Match]] = {}
    for k, i, m, j, score in scored:
        semantic = float(vectors[members[k].id, i] @ vectors[members[m].id, j]) if score < VERBATIM else None
        found.setdefault((k, m), []).append((i, j, score, semantic))
        found.setdefault((m, k), []).append((j, i, score, semantic))
    return found


@lru_cache(maxsize=8)
def _lsh_params(num_perm: int) -> tuple[int, int]:
    """(bands, rows) for LSH_THRESHOLD: datasketch integrates for them on every new index
    (23 ms), once per story; computed once instead."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=num_perm)
    return lsh.b, lsh.r


def _best_per_sentence(matches: list[Match]) -> list[Match]:
    best: dict[int, Match] = {}
    for m in matches:
        if m[0] not in best or (m[2], -m[1]) > (best[m[0]][2], -best[m[0]][1]):
            best[m[0]] = m
    return [best[i] for i in sorted(best)]


def kind_of(score: float) -> ReuseKind:
    return "verbatim" if score >= VERBATIM else "near-verbatim"


def _reuse(story: Story, dst: Article, src: Article, pairs: list[Match], evidence: tuple[str, ...]) -> Reuse:
    reuse_pairs = tuple(
        ReusePair(
            sentence=i,
            source_sentence=j,
            kind=kind_of(score),
            score=round(score, 4),
            semantic=None if semantic is None else round(semantic, 4),
            text=dst.sentences[i].text,
            source_text=src.sentences[j].text,
        )
        for i, j, score, semantic in pairs
    )
    counts = Counter(p.kind for p in reuse_pairs)
    kind: ReuseKind = max(counts, key=lambda k: (counts[k], k == "verbatim"))
    return Reuse(
        article_id=dst.id,
        source_id=src.id,
        story_id=story.id,
        kind=kind,
        share=round(len(reuse_pairs) / max(len(dst.sentences), 1), 4),
        pairs=reuse_pairs,
        direction_evidence=evidence,
    )
