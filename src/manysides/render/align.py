"""Two articles side by side, sentence to sentence: the rows of the aligned view.

The HTML page does the same walk in its script for any two articles a reader picks;
this one renders the default pair for readers without scripts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Article, Report


@dataclass(frozen=True)
class Row:
    left: str | None
    right: str | None
    kind: str | None


def pair_map(report: Report, left: Article, right: Article) -> dict[int, tuple[int, str]]:
    """left sentence index -> (right sentence index, kind), from either direction's reuse."""
    out: dict[int, tuple[int, str]] = {}
    for r in report.reuse:
        if (r.article_id, r.source_id) == (left.id, right.id):
            out.update({p.sentence: (p.source_sentence, p.kind) for p in r.pairs})
        elif (r.article_id, r.source_id) == (right.id, left.id):
            out.update({p.source_sentence: (p.sentence, p.kind) for p in r.pairs})
    return out


def aligned_rows(report: Report, left: Article, right: Article) -> list[Row]:
    """Walk the left article; a paired sentence brings the right one level with it."""
    pairs = pair_map(report, left, right)
    rows: list[Row] = []
    nxt = 0
    for s in left.sentences:
        if s.i in pairs:
            j, kind = pairs[s.i]
            rows.extend(Row(None, t.text, None) for t in right.sentences[nxt:j])
            rows.append(Row(s.text, right.sentences[j].text, kind))
            nxt = max(nxt, j + 1)
        else:
            rows.append(Row(s.text, None, None))
    rows.extend(Row(None, t.text, None) for t in right.sentences[nxt:])
    return rows
