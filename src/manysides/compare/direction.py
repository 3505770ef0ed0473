"""Which of two articles that share sentences is the derived one, and on what evidence."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Article

#: (sentence i, other article's sentence j, edit score, semantic score or None)
Match = tuple[int, int, float, float | None]


def orient(
    a: Article, b: Article, a_in_b: Sequence[Match], b_in_a: Sequence[Match]
) -> tuple[Article, Article, tuple[str, ...]]:
    """(source, derived, evidence). Evidence, strongest first: dates, credits, own wire
    datelines, then shares.

    ``a_in_b`` are a's sentences found in b; ``b_in_a`` b's sentences found in a.
    """
    if a.published and b.published and a.published != b.published:
        src, dst = (a, b) if a.published < b.published else (b, a)
        return src, dst, (f"published {src.published}, before {dst.published}",)
    for src, dst in ((a, b), (b, a)):
        if src.outlet and src.outlet != dst.outlet and src.outlet in dst.credits:
            return src, dst, (f"{_name(dst)} credits {src.outlet}",)
    for src, dst in ((a, b), (b, a)):
        # "MOSCOW, April 4 (Reuters) -" on a Reuters article: the agency's own copy.
        if src.outlet and src.outlet in src.credits and dst.outlet != src.outlet and src.outlet not in dst.credits:
            return (
                src,
                dst,
                (f"the ({src.outlet}) dateline marks original {src.outlet} copy; {_name(dst)} credits none",),
            )
    share_a = len(a_in_b) / max(len(a.sentences), 1)
    share_b = len(b_in_a) / max(len(b.sentences), 1)
    if share_a != share_b:
        # A copy is mostly the copied text; the source is diluted by what the copy left out.
        src, dst, hi, lo = (b, a, share_a, share_b) if share_a > share_b else (a, b, share_b, share_a)
        return (
            src,
            dst,
            (f"no dates or credits decide; {hi:.0%} of {_name(dst)} is shared text against {lo:.0%} of {_name(src)}",),
        )
    src, dst = (a, b) if a.id < b.id else (b, a)
    return src, dst, ("no evidence of direction; ordered by id",)


def _name(article: Article) -> str:
    return article.outlet or article.id
