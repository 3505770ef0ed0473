"""Page splitting: one scraped page can hold several articles.

A new piece starts at
1. a separator line or a "RELATED" section marker (what follows is another piece: a live
   blog, a related story), and
2. a wire dateline ("BRUSSELS, April 4 (Reuters) -") once the current piece already has
   body text; the headline just above the dateline opens the new piece with it.

Subheads are not boundaries: "AN AUSTERE BIRTHDAY" and a new story's headline look alike,
and word overlap does not tell them apart on the seeds (0.20-0.28 either way); a false
split cuts an article in two, which is worse than a missed one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import metadata as md
from .rules import headline_like

#: Widget lines that open a section of other content.
SECTION_MARKERS = frozenset({"related", "related stories", "related articles", "more on this story"})
#: Body lines a piece needs before a dateline can start another piece, and to be one.
MIN_BODY_LINES = 2
#: A live-blog entry's time stamp: "4:40 p.m.:", "11 a.m.", "10:30".
TIMESTAMP = re.compile(r"^\d{1,2}([:.]\s?\d{2})?\s*([ap]\.?\s?m\.?)?\s*:?$", re.IGNORECASE)


def split_page(lines: Sequence[str], reasons: Sequence[str | None], is_body: Callable[[str], bool]) -> list[range]:
    """Consecutive line ranges, one per piece (a page with one article gives one range)."""
    starts = [0]
    body = 0
    for i, (line, reason) in enumerate(zip(lines, reasons, strict=True)):
        if reason is None and is_body(line):
            body += 1
        if _section_break(line, reason) and body >= MIN_BODY_LINES:
            starts.append(i)
            body = 0
        elif reason is None and md.DATELINE.match(line) and body > MIN_BODY_LINES:
            starts.append(_headline_above(lines, reasons, i))
            body = 1
    starts = _substantial(sorted(set(starts)), lines, reasons, is_body)
    return [range(a, b) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _substantial(
    starts: list[int], lines: Sequence[str], reasons: Sequence[str | None], is_body: Callable[[str], bool]
) -> list[int]:
    """Keep only boundaries that open a real article: one that starts with a live-blog
    timestamp ("4:40 p.m.:") continues the blog, and a piece with fewer than MIN_BODY_LINES
    body lines (a trailing "More on this story" block, an "Online:" link list) stays with
    the piece before it."""
    kept = [starts[0]]
    for k, start in enumerate(starts[1:], start=1):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        piece = [i for i in range(start, end) if reasons[i] is None]
        body = sum(1 for i in piece if is_body(lines[i]))
        if body >= MIN_BODY_LINES and not (piece and TIMESTAMP.match(lines[piece[0]])):
            kept.append(start)
    return kept


def _section_break(line: str, reason: str | None) -> bool:
    if reason == "separator":
        return True
    return reason == "widget" and line.lower().rstrip(":").strip() in SECTION_MARKERS


def _headline_above(lines: Sequence[str], reasons: Sequence[str | None], i: int) -> int:
    """The kept headline just above line i (removed lines between are skipped), else i."""
    j = i - 1
    while j >= 0 and reasons[j] is not None:
        j -= 1
    return j if j >= 0 and headline_like(lines[j]) else i
