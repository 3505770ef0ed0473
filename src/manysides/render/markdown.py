"""The report as Markdown, for pasting into notes and issues: what the terminal shows, plus the pairs."""

from __future__ import annotations

import re

from ..model import Report
from ..outlets import Registry
from .view import STATUS_MARK, count, fact_rows, outlet_name, story_views

MAX_PAIRS = 5
MAX_FACTS = 12


def render_markdown(report: Report, *, registry: Registry | None = None) -> str:
    out = [
        "# manysides report",
        "",
        f"{count(len(report.articles), 'article')} → {count(len(report.stories), 'story', 'stories')}"
        f" · schema `{report.schema}` · manysides {report.version}",
    ]
    for view in story_views(report, registry):
        out += ["", f"## {_md(view.story.title or '(untitled story)')}", "", f"**{view.honest_count}**"]
        if view.dates:
            out.append(f"· published {_md(view.dates)}")
        out += ["", "| Outlet | Kind, country | Article | Published | Takes text from |", "|---|---|---|---|---|"]
        for line in view.lines:
            takes = "; ".join(
                f"{_md(outlet_name(report, r.source_id))}: {len(r.pairs)} of {len(line.article.sentences)} sentences"
                f" ({r.kind})"
                for r in line.derived
            )
            origin = " (origin)" if line.origin and len(view.lines) > 1 else ""
            out.append(
                f"| {_md(line.outlet)}{origin} | {_md(line.label)} | {_md(line.article.title or line.article.id)} "
                f"| {_md(line.article.published or 'unknown')} | {takes or 'none found'} |"
            )
        for r in view.reuse:
            out += [
                "",
                f"**{_md(outlet_name(report, r.article_id))} ← {_md(outlet_name(report, r.source_id))}**"
                f" ({r.share:.0%}, mostly {r.kind}; {'; '.join(_md(e) for e in r.direction_evidence)})",
                "",
            ]
            out += [f"- {p.kind} {p.score:.2f}: “{_md(p.text)}”" for p in r.pairs[:MAX_PAIRS]]
            if len(r.pairs) > MAX_PAIRS:
                out.append(f"- … and {len(r.pairs) - MAX_PAIRS} more")
        if view.common:
            out += ["", "Common source, own words (not copying):", ""]
            out += [
                f"- {_md(outlet_name(report, r.article_id))} and {_md(outlet_name(report, r.source_id))}:"
                f" {count(len(r.pairs), 'sentence')} ({r.kind})"
                for r in view.common
            ]
        rows = fact_rows(view, MAX_FACTS)
        if rows:
            out += [
                "",
                "Facts carried by two or more articles (● stated, ◐ paraphrased, ✕ contradicted, · absent):",
                "",
            ]
            out.append("| Fact | " + " | ".join(_md(line.outlet) for line in view.lines) + " |")
            out.append("|---|" + "---|" * len(view.lines))
            for fact, statuses in rows:
                out.append(f"| {_md(fact.text)} | " + " | ".join(STATUS_MARK[s] for s in statuses) + " |")
        for line in view.lines:
            if line.omissions:
                left_out = "; ".join(f"“{_md(f.text)}”" for f in line.omissions[:3])
                out += ["", f"{_md(line.outlet)} leaves out what most others carry: {left_out}"]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Escape what Markdown (and HTML inside it) would interpret; every field that comes
    from input goes through it."""
    text = CONTROL.sub(" ", text)
    for ch in "\\`*_[]<>|#!&~":
        text = text.replace(ch, "\\" + ch)
    return text


#: Line breaks and control characters: a field stays on its line (a table row, a list item).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
