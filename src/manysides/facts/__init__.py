"""Stage 8, facts: the fact matrix of each story (what every article states, rewords,
leaves out or contradicts).

A fact is a group of aligned sentences (``compare.align`` links) that say one thing. The
groups are built greedily from the strongest links down, and a group never takes two
sentences of one article unless they are the two halves of one split sentence: the
constraint keeps a chain of loose paraphrases from swallowing half the story. Every
sentence of at least ``align.min_words`` words (but an embedded post's byline) is in exactly
one fact; a sentence nothing else says is a fact only its article carries.

For each fact and article: ``stated`` (the article has it in the reference wording, or a
copy of it), ``paraphrased`` (in its own words), ``contradicted`` (the same statement with
other numbers, or negated), ``absent``. An article that leaves the fact out but speaks of
the same happening (an event link, ``reuse.claims``) has its closest such sentence in the
fact's ``related``: what that outlet says about it instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..clean.metadata import DATELINE
from ..clean.rules import EMBED_BYLINE
from ..dates import date_key
from ..index.text import tokens
from ..model import Article, Contradiction, Evidence, Fact, FactStatus, Related, Reuse, SentenceLink, Story
from ..settings import AlignSettings, FactsSettings

#: Thresholds: ``settings.FactsSettings`` and ``settings.AlignSettings`` (notes in data/defaults.toml).
DEFAULTS = FactsSettings()
ALIGN_DEFAULTS = AlignSettings()

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Number words that stand for a quantity ("tens of billions", "dozens").
VAGUE_QUANTITY = re.compile(r"\b(?:dozens|hundreds|thousands|millions|billions|tens|scores)\b", re.IGNORECASE)
NEGATION = frozenset({"not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "without"})


def fact_matrix(
    articles: Sequence[Article],
    stories: Sequence[Story],
    alignments: Mapping[str, Sequence[SentenceLink]],
    reuse: Sequence[Reuse],
    params: FactsSettings = DEFAULTS,
    align: AlignSettings = ALIGN_DEFAULTS,
) -> tuple[list[Fact], list[Article]]:
    """The facts of every story of two or more articles, and the articles with their
    ``omissions`` and ``unique`` facts."""
    by_id = {a.id: a for a in articles}
    facts: list[Fact] = []
    for story in stories:
        if len(story.article_ids) >= 2:
            members = [by_id[i] for i in story.article_ids]
            facts.extend(story_facts(story, members, alignments.get(story.id, ()), reuse, align))
    omissions, unique = _flags(facts, by_id, params)
    return facts, [replace(a, omissions=omissions.get(a.id, ()), unique=unique.get(a.id, ())) for a in articles]


def story_facts(
    story: Story,
    members: Sequence[Article],
    links: Sequence[SentenceLink],
    reuse: Sequence[Reuse],
    align: AlignSettings = ALIGN_DEFAULTS,
) -> list[Fact]:
    words = align.min_words
    # An embedded post's byline ("— Name (@handle) date") says who posted, not what happened.
    nodes = [
        (k, s.i)
        for k, a in enumerate(members)
        for s in a.sentences
        if len(tokens(s.text)) >= words and not EMBED_BYLINE.match(s.text)
    ]
    parent = {n: n for n in nodes}
    holds = {n: {n[0]: {n[1]}} for n in nodes}  # root -> article -> sentences

    def find(n: tuple[int, int]) -> tuple[int, int]:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    strong: dict[tuple[tuple[int, int], tuple[int, int]], SentenceLink] = {}
    for link in sorted((x for x in links if not x.event), key=lambda x: (-x.strength, x.a, x.i, x.b, x.j)):
        x, y = (link.a, link.i), (link.b, link.j)
        if x not in parent or y not in parent:
            continue
        rx, ry = find(x), find(y)
        if rx == ry:
            strong.setdefault((x, y), link)
            continue
        shared = set(holds[rx]) & set(holds[ry])
        if shared and not (link.joined and shared <= {link.a, link.b}):
            continue
        parent[ry] = rx
        for k, sentences in holds.pop(ry).items():
            holds[rx].setdefault(k, set()).update(sentences)
        strong[x, y] = link
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for n in nodes:
        groups.setdefault(find(n), []).append(n)
    # Sentences of other facts that speak of the same happening (event links), by cosine.
    related: dict[tuple[int, int], dict[tuple[int, int], float]] = {}
    for link in links:
        x, y = (link.a, link.i), (link.b, link.j)
        if link.event and x in parent and y in parent and find(x) != find(y):
            for here, there in ((x, y), (y, x)):
                near = related.setdefault(find(here), {})
                near[there] = max(near.get(there, -1.0), link.semantic or 0.0)
    derived = {r.article_id for r in reuse if r.relation == "derived" and r.story_id == story.id}
    facts = [
        _fact(story, members, sorted(g), strong, derived, align.near_verbatim, related.get(root, {}))
        for root, g in groups.items()
    ]
    facts.sort(key=lambda f: (-_carried(f), _first(f, members)))
    return [replace(f, id=f"{story.id}-f{n}") for n, f in enumerate(facts, 1)]


def _fact(
    story: Story,
    members: Sequence[Article],
    group: list[tuple[int, int]],
    links: Mapping[tuple[tuple[int, int], tuple[int, int]], SentenceLink],
    derived: set[str],
    near_verbatim: float,
    related: Mapping[tuple[int, int], float] | None = None,
) -> Fact:
    # The reference wording: from an independent origin, earliest published, first in
    # the story's order; a split sentence reads as its two halves.
    def rank(n: tuple[int, int]) -> tuple[bool, float, int, int]:
        a = members[n[0]]
        return (a.id in derived, date_key(a.published), n[0], n[1])

    ref_article = min(group, key=rank)[0]
    ref = [n for n in group if n[0] == ref_article]
    # A wire dateline ("MOSCOW, April 4 (Reuters) -") belongs to the article, not the fact.
    text = DATELINE.sub("", " ".join(members[k].sentences[i].text for k, i in ref), count=1)
    ref_numbers = _numbers(text)
    coverage: dict[str, FactStatus] = {a.id: "absent" for a in members}
    evidence, contradictions = [], []
    # Sentences in the fact only through a shared claim (``reuse.claims``): the rest of the
    # sentence says other things, so its figures and negations are no contradiction.
    by_claim = {n for n in group if _claim_only(links, n)}
    for k, i in group:
        article, sentence = members[k], members[k].sentences[i].text
        copied = k == ref_article or any(_lexical(links, (k, i), r, near_verbatim) for r in ref)
        status: FactStatus = "stated" if copied else "paraphrased"
        checked = k != ref_article and (k, i) not in by_claim and not (set(ref) & by_claim)
        reason = _contradiction(text, ref_numbers, sentence) if checked else None
        if reason:
            status = "contradicted"
            contradictions.append(Contradiction(article.id, i, reason))
        if coverage[article.id] != "contradicted":
            coverage[article.id] = _stronger(coverage[article.id], status)
        evidence.append(Evidence(article.id, i, sentence, status))
    return Fact(
        id="",
        story_id=story.id,
        text=text,
        coverage=coverage,
        evidence=tuple(evidence),
        contradictions=tuple(contradictions),
        related=_related(members, coverage, related or {}),
    )


def _related(
    members: Sequence[Article], coverage: Mapping[str, FactStatus], near: Mapping[tuple[int, int], float]
) -> tuple[Related, ...]:
    """Per article that leaves the fact out, its sentence closest in meaning among those
    about the same happening."""
    best: dict[int, tuple[float, int]] = {}
    for (k, i), cosine in sorted(near.items()):  # in sentence order: the first of equals stays
        if coverage[members[k].id] == "absent" and cosine > best.get(k, (-2.0, 0))[0]:
            best[k] = (cosine, i)
    return tuple(Related(members[k].id, i, members[k].sentences[i].text) for k, (_, i) in sorted(best.items()))


def _claim_only(links: Mapping[tuple[tuple[int, int], tuple[int, int]], SentenceLink], n: tuple[int, int]) -> bool:
    """Whether every link of sentence ``n`` inside its fact is a shared claim."""
    mine = [link for (x, y), link in links.items() if n in (x, y)]
    return bool(mine) and all(link.claim for link in mine)


def _lexical(
    links: Mapping[tuple[tuple[int, int], tuple[int, int]], SentenceLink],
    x: tuple[int, int],
    y: tuple[int, int],
    near_verbatim: float,
) -> bool:
    link = links.get((x, y)) or links.get((y, x))
    return link is not None and link.score >= near_verbatim


def _stronger(old: FactStatus, new: FactStatus) -> FactStatus:
    order = ("absent", "paraphrased", "stated", "contradicted")
    return new if order.index(new) > order.index(old) else old


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def _contradiction(reference: str, ref_numbers: set[str], sentence: str) -> str | None:
    """Why ``sentence`` contradicts the reference statement of its fact, if it does:
    other figures for the same statement, a vague quantity for a figure, or a negation."""
    numbers = _numbers(sentence)
    if ref_numbers and numbers and not (ref_numbers & numbers):
        return f"other figures: {', '.join(sorted(numbers))} against {', '.join(sorted(ref_numbers))}"
    vague = VAGUE_QUANTITY.search(sentence)
    if ref_numbers and not numbers and vague and not VAGUE_QUANTITY.search(reference):
        return f'a vague quantity ("{vague.group(0)}") for {", ".join(sorted(ref_numbers))}'
    neg_ref, neg = NEGATION & set(tokens(reference)), NEGATION & set(tokens(sentence))
    if bool(neg_ref) != bool(neg):
        return f'negated: "{", ".join(sorted(neg_ref or neg))}" in one wording only'
    return None


def _carried(fact: Fact) -> int:
    return sum(1 for status in fact.coverage.values() if status != "absent")


def _first(fact: Fact, members: Sequence[Article]) -> tuple[int, int]:
    order = {a.id: k for k, a in enumerate(members)}
    first = fact.evidence[0]
    return order[first.article_id], first.sentence


def _flags(
    facts: list[Fact], by_id: Mapping[str, Article], params: FactsSettings
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Per article: facts most other outlets carry that it leaves out; facts only it carries."""
    omissions: dict[str, list[str]] = {}
    unique: dict[str, list[str]] = {}
    outlet_of = {aid: _outlet(a) for aid, a in by_id.items()}
    for fact in facts:
        carriers = [aid for aid, status in fact.coverage.items() if status != "absent"]
        outlets = {outlet_of[aid] for aid in carriers}
        everyone = {outlet_of[aid] for aid in fact.coverage}  # the story's outlets
        if len(carriers) == 1:
            unique.setdefault(carriers[0], []).append(fact.id)
        for aid, status in fact.coverage.items():
            if status != "absent":
                continue
            own = outlet_of[aid]
            others, carried = everyone - {own}, outlets - {own}
            if len(carried) >= params.omission_min_outlets and len(carried) >= params.omission_share * len(others):
                omissions.setdefault(aid, []).append(fact.id)
    return {k: tuple(v) for k, v in omissions.items()}, {k: tuple(v) for k, v in unique.items()}


def _outlet(article: Article) -> str:
    return article.outlet or article.id
