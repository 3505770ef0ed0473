"""The provenance graph of a story: outlets as nodes, reuse as arrows, laid out in columns.

Sources sit left of what they fed (column = longest chain of reuse behind a node), so a
wire story stands at the left and its reprints to its right. The renderer draws it as
inline SVG; ``alt`` says the same in words for screen readers and text browsers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Article, Reuse

NODE_W, NODE_H = 170, 40
COL_GAP, ROW_GAP, MARGIN = 110, 26, 12


@dataclass(frozen=True)
class Node:
    name: str
    x: int
    y: int
    origin: bool


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    label: str


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int
    alt: str


def node_name(article: Article) -> str:
    if article.outlet:
        return article.outlet
    title = article.title or article.id
    return f"({title[:22]}…)" if len(title) > 23 else f"({title})"


def provenance_graph(articles: list[Article], reuse: list[Reuse]) -> Graph:
    by_id = {a.id: a for a in articles}
    names = sorted({node_name(a) for a in articles})
    links = sorted({(node_name(by_id[r.source_id]), node_name(by_id[r.article_id])) for r in reuse})
    depth = _depths(names, links)
    columns: dict[int, list[str]] = {}
    for name in names:
        columns.setdefault(depth[name], []).append(name)
    derived = {dst for _, dst in links}
    nodes = {
        name: Node(name, MARGIN + col * (NODE_W + COL_GAP), MARGIN + row * (NODE_H + ROW_GAP), name not in derived)
        for col, members in columns.items()
        for row, name in enumerate(members)
    }
    edges = tuple(Edge(nodes[s], nodes[t], _label(by_id, reuse, s, t)) for s, t in links if s != t)
    width = MARGIN * 2 + (max(columns) + 1) * NODE_W + max(columns) * COL_GAP
    height = MARGIN * 2 + max(len(m) for m in columns.values()) * (NODE_H + ROW_GAP) - ROW_GAP
    alt = "; ".join(f"{e.target.name} took text from {e.source.name} ({e.label})" for e in edges)
    return Graph(tuple(nodes[n] for n in names), edges, width, height, alt or "No article took text from another.")


def _depths(names: list[str], links: list[tuple[str, str]]) -> dict[str, int]:
    depth = dict.fromkeys(names, 0)
    for _ in names:  # longest path, bounded: a cycle between outlets cannot loop forever
        for s, t in links:
            if s != t and depth[t] < depth[s] + 1 <= len(names):
                depth[t] = depth[s] + 1
    return depth


def _label(by_id: dict[str, Article], reuse: list[Reuse], source: str, target: str) -> str:
    records = [r for r in reuse if node_name(by_id[r.source_id]) == source and node_name(by_id[r.article_id]) == target]
    best = max(records, key=lambda r: r.share)
    return f"{best.share:.0%} {best.kind}"
