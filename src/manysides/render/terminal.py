"""The terminal summary: the honest count first, then each story's outlets and who took from whom."""

from __future__ import annotations

import io
import re

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..model import Report, Reuse
from ..outlets import Registry
from .view import StoryView, count, fact_rows, outlet_name, story_views

WIDTH = 100
#: Stories listed in full; the rest are counted on one line.
MAX_STORIES = 3
MAX_EXAMPLES = 2


#: What must not reach a terminal from input: C0 and C1 control characters (ESC starts ANSI
#: colour codes and OSC 8 hyperlinks, BEL, backspace, carriage return rewrite the line) and
#: bidirectional overrides (they reorder what is shown). Tabs and newlines become spaces.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Text from input, made inert for a terminal."""
    return CONTROL.sub(lambda m: " " if m.group() in "\t\n" else "", text)


def render_terminal(
    report: Report, elapsed: float | None = None, width: int = WIDTH, *, registry: Registry | None = None
) -> str:
    """Plain text at a fixed width (what golden tests compare)."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False, legacy_windows=False)
    console.print(summary(report, elapsed, registry))
    return buf.getvalue()


def summary(report: Report, elapsed: float | None = None, registry: Registry | None = None) -> RenderableType:
    views = story_views(report, registry)
    parts: list[RenderableType] = [_header(report, elapsed)]
    if report.skipped:
        parts.append(
            Text(
                f"skipped {len(report.skipped)} input(s): "
                + "; ".join(f"{safe(s.source)}: {safe(s.reason)}" for s in report.skipped[:3])
                + (" …" if len(report.skipped) > 3 else ""),
                style="yellow",
            )
        )
    for view in views[:MAX_STORIES]:
        parts.extend(_story(report, view))
    rest = views[MAX_STORIES:]
    if rest:
        parts.append(
            Text(f"\n… and {len(rest)} more stories ({sum(len(v.lines) for v in rest)} articles): see the full report")
        )
    return Group(*parts)


def _header(report: Report, elapsed: float | None) -> Text:
    sources = {a.source.partition("#")[0] for a in report.articles}
    text = Text(
        f"manysides · {count(len(sources), 'input')} → {count(len(report.articles), 'article')} → "
        f"{count(len(report.stories), 'story', 'stories')}",
        style="bold",
    )
    if elapsed is not None:
        text.append(f"   {elapsed:.1f} s", style="dim")
    return text


def _story(report: Report, view: StoryView) -> list[RenderableType]:
    title = Text("\n" + safe(view.story.title or "(untitled story)"), style="bold")
    if view.dates:
        title.append(f"   {safe(view.dates)}", style="dim")
    counts = Text(view.honest_count)
    if view.derived_count:
        counts.append(f" · {view.derived_count} with text taken from another article")
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for line in view.lines:
        note = _reuse_note(report, line.derived) or line.article.title or ""
        # Text cells: a plain string would be parsed as rich markup ("[/0]" in an outlet's
        # name crashed the summary; "[red]" would style it). Found by make fuzz.
        table.add_row(Text(safe(view.outlet_in(line))), Text(safe(line.label)), Text(safe(note)))
    return [title, counts, table, *_facts(view), *_examples(report, view)]


def _facts(view: StoryView) -> list[RenderableType]:
    """One line on the fact matrix: how many facts are shared, who leaves out the most."""
    shared = fact_rows(view)
    if not shared:
        return []
    text = f"{count(len(shared), 'fact')} carried by two or more articles"
    left_out = sorted(((len(line.omissions), line.outlet) for line in view.lines if line.omissions), reverse=True)
    if left_out:
        text += "; leaves out what most others carry: " + ", ".join(f"{o} {n}" for n, o in left_out[:3])
    return [Text(_clip(safe(text), WIDTH - 2))]


def _reuse_note(report: Report, derived: tuple[Reuse, ...]) -> str:
    notes = []
    for r in derived:
        n = len(report.article(r.article_id).sentences)
        notes.append(f"← {outlet_name(report, r.source_id)}: {len(r.pairs)} of {n} sentences, {r.kind}")
    return "; ".join(notes)


def _examples(report: Report, view: StoryView) -> list[RenderableType]:
    reuse = sorted((r for line in view.lines for r in line.derived), key=lambda r: -len(r.pairs))
    out: list[RenderableType] = []
    for r in reuse[:1]:
        out.append(
            Text(
                f"  e.g. {safe(outlet_name(report, r.article_id))} ← {safe(outlet_name(report, r.source_id))}:",
                style="dim",
            )
        )
        for p in sorted(r.pairs, key=lambda p: (p.score, -p.sentence))[:MAX_EXAMPLES]:
            out.append(
                Text(f"    {p.kind} {p.score:.2f}  “{_clip(safe(p.text), 70)}”", no_wrap=True, overflow="ellipsis")
            )
    return out


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
