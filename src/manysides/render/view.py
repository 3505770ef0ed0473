"""What every renderer shows, computed once from the report: per-story outlet lines and counts."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Article, Report, Reuse, Story
from ..outlets import Registry, default_registry


@dataclass(frozen=True)
class ArticleLine:
    article: Article
    outlet: str
    label: str
    derived: tuple[Reuse, ...]  # reuse records where this article is the derived one


@dataclass(frozen=True)
class StoryView:
    story: Story
    lines: tuple[ArticleLine, ...]
    outlets: int
    derived_count: int

    @property
    def dates(self) -> str:
        first, last = self.story.first_published, self.story.last_published
        if not first:
            return ""
        return first if first == last else f"{first} – {last}"


def story_views(report: Report, registry: Registry | None = None) -> list[StoryView]:
    registry = registry or default_registry()
    by_id = {a.id: a for a in report.articles}
    views = []
    for story in report.stories:
        reuse = [r for r in report.reuse if r.story_id == story.id]
        lines = tuple(_line(by_id[i], reuse, registry) for i in story.article_ids)
        outlets = {a.outlet for a in (by_id[i] for i in story.article_ids) if a.outlet}
        views.append(StoryView(story, lines, len(outlets), sum(1 for line in lines if line.derived)))
    return views


def _line(article: Article, reuse: list[Reuse], registry: Registry) -> ArticleLine:
    outlet = registry.by_name(article.outlet)
    return ArticleLine(
        article=article,
        outlet=article.outlet or "(outlet unknown)",
        label=outlet.label() if outlet else "",
        derived=tuple(r for r in reuse if r.article_id == article.id),
    )


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 article", "3 articles": a number with its noun, for every renderer."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def outlet_name(report: Report, article_id: str) -> str:
    article = report.article(article_id)
    return article.outlet or f"({article_id})"
