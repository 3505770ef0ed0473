"""What every renderer shows, computed once from the report: per-story outlets, counts,
the provenance graph and the default side-by-side pair."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..model import Article, Fact, Framing, Quote, QuoteGroup, QuoteVariant, Report, Reuse, Story
from ..outlets import Registry, default_registry
from .align import Row, aligned_rows
from .graph import Graph, provenance_graph


@dataclass(frozen=True)
class ArticleLine:
    article: Article
    outlet: str
    label: str
    owner: str
    derived: tuple[Reuse, ...]  # reuse records where this article is the derived one
    origin: bool
    omissions: tuple[Fact, ...] = ()
    unique: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class StoryView:
    story: Story
    lines: tuple[ArticleLine, ...]
    outlets: int
    derived_count: int
    reuse: tuple[Reuse, ...]  # derived: copied wording
    common: tuple[Reuse, ...]  # common-source: the same things in other words, not copying
    facts: tuple[Fact, ...]
    quote_groups: tuple[tuple[QuoteGroup, Quote, tuple[tuple[Quote, QuoteVariant], ...]], ...]
    framing: tuple[Framing, ...]
    graph: Graph
    pair: tuple[Article, Article] | None
    rows: tuple[Row, ...]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages of the story's articles (shown beside each outlet when more than one)."""
        return tuple(sorted({line.article.language for line in self.lines if line.article.language}))

    def outlet_in(self, line: ArticleLine) -> str:
        """The outlet, with the article's language when the story is in several ("Le Quotidien (fr)")."""
        if len(self.languages) > 1 and line.article.language:
            return f"{line.outlet} ({line.article.language})"
        return line.outlet

    @property
    def dates(self) -> str:
        first, last = self.story.first_published, self.story.last_published
        if not first:
            return ""
        return first if first == last else f"{first} – {last}"

    @property
    def honest_count(self) -> str:
        """ "4 articles from 4 outlets, 2 independent origins"."""
        text = f"{count(len(self.lines), 'article')} from {count(self.outlets, 'outlet')}"
        if len(self.lines) > 1:
            text += f", {count(len(self.story.origins), 'independent origin')}"
        return text


def story_views(report: Report, registry: Registry | None = None) -> list[StoryView]:
    registry = registry or default_registry()
    by_id = {a.id: a for a in report.articles}
    views = []
    for story in report.stories:
        members = [by_id[i] for i in story.article_ids]
        records = tuple(r for r in report.reuse if r.story_id == story.id)
        reuse = tuple(r for r in records if r.relation == "derived")
        facts = tuple(f for f in report.facts if f.story_id == story.id)
        lines = tuple(_line(a, reuse, registry, story, facts) for a in members)
        pair = _default_pair(by_id, reuse or records, members)
        views.append(
            StoryView(
                story=story,
                lines=lines,
                outlets=len({a.outlet for a in members if a.outlet}),
                derived_count=sum(1 for line in lines if line.derived),
                reuse=reuse,
                common=tuple(r for r in records if r.relation != "derived"),
                facts=facts,
                quote_groups=_quote_groups(report, set(story.article_ids)),
                framing=tuple(f for f in report.framing if f.story_id == story.id),
                graph=provenance_graph(members, list(reuse)),
                pair=pair,
                rows=tuple(aligned_rows(report, *pair)) if pair else (),
            )
        )
    return views


def _quote_groups(
    report: Report, members: set[str]
) -> tuple[tuple[QuoteGroup, Quote, tuple[tuple[Quote, QuoteVariant], ...]], ...]:
    """The quote groups whose canonical rendering is in this story, with their quotes."""
    by_id = {q.id: q for q in report.quotes}
    out = []
    for g in report.quote_groups:
        canonical = by_id[g.canonical]
        if canonical.article_id in members:
            out.append((g, canonical, tuple((by_id[v.quote_id], v) for v in g.variants)))
    return tuple(out)


def _line(
    article: Article, reuse: tuple[Reuse, ...], registry: Registry, story: Story, facts: tuple[Fact, ...]
) -> ArticleLine:
    by_fact = {f.id: f for f in facts}
    outlet = registry.by_name(article.outlet)
    return ArticleLine(
        article=article,
        outlet=article.outlet or "(outlet unknown)",
        label=outlet.label() if outlet else "",
        owner=(outlet.owner or "") if outlet else "",
        derived=tuple(r for r in reuse if r.article_id == article.id),
        origin=article.id in story.origins,
        omissions=tuple(by_fact[f] for f in article.omissions if f in by_fact),
        unique=tuple(by_fact[f] for f in article.unique if f in by_fact),
    )


def _default_pair(
    by_id: dict[str, Article], reuse: tuple[Reuse, ...], members: list[Article]
) -> tuple[Article, Article] | None:
    """The pair with the most shared sentences, else the first two articles."""
    if reuse:
        top = max(reuse, key=lambda r: (len(r.pairs), r.article_id))
        return by_id[top.source_id], by_id[top.article_id]
    return (members[0], members[1]) if len(members) > 1 else None


def side_by_side_data(report: Report, view: StoryView) -> str:
    """The story's sentences and pairs as JSON for the page's script, safe inside <script>."""
    data = {
        "articles": [
            {
                "id": line.article.id,
                "label": f"{line.outlet}: {line.article.title or line.article.id}",
                "sentences": [s.text for s in line.article.sentences],
            }
            for line in view.lines
        ],
        "reuse": [
            {
                "derived": r.article_id,
                "source": r.source_id,
                "pairs": [[p.sentence, p.source_sentence, p.kind] for p in r.pairs],
            }
            for r in view.reuse + view.common
        ],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


#: How each fact status reads in a matrix cell: a symbol and its word (for screen readers).
STATUS_MARK = {"stated": "●", "paraphrased": "◐", "contradicted": "✕", "absent": "·"}


def fact_rows(view: StoryView, limit: int | None = None) -> list[tuple[Fact, list[str]]]:
    """The facts carried by two or more articles (most carried first), each with its status
    per article in the order of ``view.lines``."""
    shared = [f for f in view.facts if sum(1 for s in f.coverage.values() if s != "absent") >= 2]
    return [(f, [f.coverage.get(line.article.id, "absent") for line in view.lines]) for f in shared[:limit]]


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 article", "3 articles": a number with its noun, for every renderer."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def outlet_name(report: Report, article_id: str) -> str:
    article = report.article(article_id)
    return article.outlet or f"({article_id})"
