"""Stage 7, reuse: who took which sentences from whom, and what is a common source.

1. Align (``align.py``): links between sentences of a story's articles, from lexical and
   semantic blocking, each with a kind (verbatim .. translation, attributed).
2. For each article pair, keep each sentence's best counterpart in the other article and
   decide the relation: ``derived`` when wording was copied (at least ``reuse.min_pairs`` copied
   sentences, or one plus rewrites, or a sentence-by-sentence rewrite in the same order,
   or a copied idiosyncrasy); otherwise ``common-source`` (two reports of the same event
   that say the same things in their own words: not copying).
3. Orient derived pairs (``direction.py``), credit each derived sentence to one source, and
   report the derived article's share of sentences that come from the source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import pairwise

from ..dates import date_key
from ..index import CorpusIndex
from ..model import Article, Relation, Reuse, ReuseKind, ReusePair, SentenceLink, Story
from ..settings import AlignSettings, ReuseSettings
from .align import align, aligned_rows, partners
from .direction import copied_renderings, orient, translation_ends

__all__ = ["SentenceLink", "align", "align_stories", "compare", "compare_story", "originality", "with_origins"]

#: Thresholds: ``settings.ReuseSettings`` (their calibration notes in data/defaults.toml).
DEFAULTS = ReuseSettings()
ALIGN_DEFAULTS = AlignSettings()
#: Kinds that show copied wording (not only the same content).
COPIED: frozenset[ReuseKind] = frozenset({"verbatim", "near-verbatim", "attributed"})
COPIED_OR_REWORDED: tuple[ReuseKind, ...] = ("verbatim", "near-verbatim", "attributed", "paraphrase")


def align_stories(
    articles: Sequence[Article], stories: Sequence[Story], index: CorpusIndex, params: AlignSettings = ALIGN_DEFAULTS
) -> dict[str, list[SentenceLink]]:
    """The sentence links of every story (positions follow ``story.article_ids``)."""
    by_id = {a.id: a for a in articles}
    members = {s.id: [by_id[i] for i in s.article_ids] for s in stories}
    # Every sentence alignment will embed, asked for at once: one length-sorted batch run
    # instead of one small run per story (2x faster on the 1,000-article bench). A member
    # with a partner in its own language needs the English model's vectors, one with a
    # partner in another language the multilingual encoder's; many need both, some one.
    same: list[tuple[str, int]] = []
    across: list[tuple[str, int]] = []
    for group in members.values():
        if len(group) < 2:
            continue
        within, beyond = partners(group)
        for k, i in aligned_rows(group, index, params):
            if within[k]:
                same.append((group[k].id, i))
            if beyond[k]:
                across.append((group[k].id, i))
    index.sentence_vectors(same)
    if across:
        index.multilingual_vectors(across)
    return {sid: align(group, index, params) for sid, group in members.items()}


def compare(
    articles: Sequence[Article],
    stories: Sequence[Story],
    alignments: Mapping[str, Sequence[SentenceLink]],
    params: ReuseSettings = DEFAULTS,
    align_params: AlignSettings = ALIGN_DEFAULTS,
) -> list[Reuse]:
    by_id = {a.id: a for a in articles}
    out: list[Reuse] = []
    for story in stories:
        members = [by_id[i] for i in story.article_ids]
        out.extend(compare_story(story, members, alignments.get(story.id, ()), params, align_params))
    return sorted(out, key=lambda r: (r.story_id, r.relation != "derived", -r.share, r.article_id, r.source_id))


def with_origins(stories: Sequence[Story], reuse: Sequence[Reuse]) -> list[Story]:
    """Each story with its independent origins: the members no other member's text derives."""
    derived = {r.article_id for r in reuse if r.relation == "derived"}
    return [replace(s, origins=tuple(a for a in s.article_ids if a not in derived)) for s in stories]


def originality(articles: Sequence[Article], reuse: Sequence[Reuse]) -> list[Article]:
    """Each article with its share of sentences credited to no earlier article."""
    taken: dict[str, set[int]] = {}
    for r in reuse:
        if r.relation == "derived":
            taken.setdefault(r.article_id, set()).update(p.sentence for p in r.pairs)
    return [
        replace(a, originality=round(1 - len(taken.get(a.id, ())) / len(a.sentences), 4) if a.sentences else None)
        for a in articles
    ]


def compare_story(
    story: Story,
    members: Sequence[Article],
    links: Sequence[SentenceLink],
    params: ReuseSettings = DEFAULTS,
    align_params: AlignSettings = ALIGN_DEFAULTS,
) -> list[Reuse]:
    if len(members) < 2:
        return []
    links = [link for link in links if not link.claim]  # a shared claim is not evidence of copying
    by_pair: dict[tuple[int, int], list[SentenceLink]] = {}
    for link in links:
        by_pair.setdefault((link.a, link.b), []).append(link)
        by_pair.setdefault((link.b, link.a), []).append(link.flipped())
    rendered = translation_ends(links)
    derived: list[tuple[Article, Article, list[SentenceLink], tuple[str, ...]]] = []
    common: list[Reuse] = []
    for a in range(len(members)):
        for b in range(a + 1, len(members)):
            a_in_b = _best_per_sentence(by_pair.get((a, b), []))
            b_in_a = _best_per_sentence(by_pair.get((b, a), []))
            if max(len(a_in_b), len(b_in_a)) < params.min_pairs:
                continue
            x, y = members[a], members[b]
            found = {
                **copied_renderings(y, x, b_in_a, rendered, align_params),
                **copied_renderings(x, y, a_in_b, rendered, align_params),
            }
            copied = [found[k] for k in sorted(found)]
            if (
                _is_derived(a_in_b, len(x.sentences), copied, params)
                or _is_derived(b_in_a, len(y.sentences), copied, params)
                or _is_translation(a_in_b, b_in_a, x, y, params)
            ):
                src, dst, evidence = orient(x, y, a_in_b, b_in_a)
                pairs = a_in_b if dst is x else b_in_a
                derived.append((src, dst, pairs, evidence + tuple(copied)))
            else:
                src, dst = sorted((x, y), key=lambda art: (date_key(art.published), art.id))
                pairs = a_in_b if dst is x else b_in_a
                if len(pairs) >= params.min_pairs:
                    common.append(_reuse(story, dst, src, pairs, _common_evidence(dst, src), "common-source"))
    credited = _credit_once(derived, params.credit_margin)
    out = []
    for src, dst, pairs, evidence in derived:
        kept = [link for link in pairs if credited[dst.id, link.i] == src.id]
        if len(kept) >= params.min_pairs:
            out.append(_reuse(story, dst, src, kept, evidence, "derived"))
    return out + common


def _is_derived(pairs: list[SentenceLink], n_sentences: int, copied: list[str], params: ReuseSettings) -> bool:
    """Whether these links (one article's sentences found in another) show copying."""
    kinds = Counter(link.kind for link in pairs)
    n_copied = sum(kinds[k] for k in COPIED)
    reworded = kinds["paraphrase"]
    if n_copied >= params.min_pairs:
        return True  # copied wording
    if n_copied >= 1 and (reworded >= params.min_pairs or copied):
        return True  # a copied sentence, and rewrites or a copied idiosyncrasy
    # A sentence-by-sentence rewrite: many rewordings, in the other article's order.
    return (
        reworded >= params.rewrite_pairs
        and reworded >= params.rewrite_share * n_sentences
        and _in_order(pairs) >= params.in_order
    )


def _is_translation(
    a_in_b: list[SentenceLink], b_in_a: list[SentenceLink], x: Article, y: Article, params: ReuseSettings
) -> bool:
    """Whether one of two articles in different languages translates the other (in whole
    or in large part): ``reuse.translation_share`` of either's sentences rendered in the
    other, in the same order. Two reports of one event in two languages share content,
    not a sentence-by-sentence rendering."""
    if not x.in_other_language(y):
        return False
    for pairs, n in ((a_in_b, len(x.sentences)), (b_in_a, len(y.sentences))):
        # A rendering, not the same fact told anew: a human translation's sentence pairs reach
        # the cosine in 95% of MEANTIME's (data/defaults.toml), reports written apart rarely.
        rendered = [
            link for link in pairs if link.kind == "translation" and (link.semantic or 0.0) >= params.translation_cosine
        ]
        if (
            len(rendered) >= params.min_pairs
            and len({link.i for link in rendered}) >= params.translation_share * n
            and _in_order(rendered, kinds=("translation",)) >= params.in_order
        ):
            return True
    return False


def _in_order(pairs: list[SentenceLink], kinds: tuple[ReuseKind, ...] = COPIED_OR_REWORDED) -> float:
    """Share of consecutive linked sentences whose counterparts also follow each other."""
    js = [link.j for link in sorted(pairs, key=lambda x: (x.i, x.j)) if link.kind in kinds]
    steps = list(pairwise(js))
    return sum(1 for j1, j2 in steps if j2 >= j1) / len(steps) if steps else 0.0


def _common_evidence(dst: Article, src: Article) -> tuple[str, ...]:
    return (
        f"no copied wording: {dst.label} and {src.label} report the same things in their own words "
        "(a common source such as the same briefing, not copying)",
    )


def _best_per_sentence(links: list[SentenceLink]) -> list[SentenceLink]:
    """Each sentence's best counterpart (both halves when it was split in two)."""
    best: dict[int, list[SentenceLink]] = {}
    for link in sorted(links, key=lambda x: (x.i, -x.strength, x.j)):
        kept = best.setdefault(link.i, [])
        if not kept or (link.joined and kept[0].joined and link.score == kept[0].score and len(kept) < 2):
            kept.append(link)
    return [link for i in sorted(best) for link in best[i]]


def _credit_once(
    oriented: list[tuple[Article, Article, list[SentenceLink], tuple[str, ...]]], margin: float
) -> dict[tuple[str, int], str]:
    """Credit each derived sentence to one source, so that a reprint of a reprint counts once.

    The best-scoring source wins; among sources within ``margin`` of it, the earliest
    published (a sentence Press TV shares with both Reuters and InDaily's reprint of
    Reuters came from Reuters).
    """
    candidates: dict[tuple[str, int], list[tuple[float, Article]]] = {}
    for src, dst, pairs, _ in oriented:
        for link in pairs:
            candidates.setdefault((dst.id, link.i), []).append((link.strength, src))
    credited = {}
    for key, options in candidates.items():
        best = max(score for score, _ in options)
        close = [src for score, src in options if score >= best - margin]
        credited[key] = min(close, key=lambda a: (date_key(a.published), a.id)).id
    return credited


def _reuse(
    story: Story,
    dst: Article,
    src: Article,
    links: list[SentenceLink],
    evidence: tuple[str, ...],
    relation: Relation,
) -> Reuse:
    pairs = tuple(
        ReusePair(
            sentence=link.i,
            source_sentence=link.j,
            kind=link.kind,
            score=round(link.score, 4),
            semantic=None if link.semantic is None else round(link.semantic, 4),
            text=dst.sentences[link.i].text,
            source_text=src.sentences[link.j].text,
            probability=None if link.probability is None else round(link.probability, 4),
        )
        for link in links
    )
    counts = Counter(p.kind for p in pairs)
    kind: ReuseKind = max(counts, key=lambda k: (counts[k], k in COPIED, k == "verbatim"))
    return Reuse(
        article_id=dst.id,
        source_id=src.id,
        story_id=story.id,
        kind=kind,
        share=round(len({p.sentence for p in pairs}) / max(len(dst.sentences), 1), 4),
        pairs=pairs,
        direction_evidence=evidence,
        relation=relation,
    )
